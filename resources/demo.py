"""Demo schools, users and pages for the embedded default (`make run`).

Idempotent: running it again updates what is there and never duplicates.
Every demo account uses the password DEMO_PASSWORD; they exist only on
demo sites, never in production.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from sso.models import SsoProfile
from sso.roles import ensure_role_groups

from . import demo_content, taxonomy_loader
from .demo_content import DEMO_SCHOOL_OF
from .models import School
from .provision import ensure_library

DEMO_PASSWORD = "youke-demo"  # noqa: S105 - documented demo password

# The same schools as the Keycloak realm's /schools groups (scripts/keycloak).
SCHOOLS = [
    ("CGYX", "城关第一小学", "城关镇", School.Area.URBAN, School.Stage.PRIMARY),
    ("CGEZ", "城关第二初级中学", "城关镇", School.Area.URBAN, School.Stage.JUNIOR),
    ("QSZX", "青山乡中心小学", "青山乡", School.Area.RURAL, School.Stage.PRIMARY),
    ("QSCZ", "青山乡初级中学", "青山乡", School.Area.RURAL, School.Stage.JUNIOR),
    ("HXZX", "河西镇中心小学", "河西镇", School.Area.RURAL, School.Stage.PRIMARY),
]

USERS = [
    # username, family name, given name, roles, is_superuser
    ("teacher1", "王", "芳", ["teacher"], False),
    ("teacher2", "李", "强", ["teacher"], False),
    ("school_reviewer1", "张", "敏", ["teacher", "school_reviewer"], False),
    ("district_reviewer1", "刘", "洋", ["district_reviewer"], False),
    ("trainer1", "陈", "静", ["trainer"], False),
    ("district_admin1", "赵", "磊", ["district_admin"], True),
    ("supervisor1", "周", "华", ["supervisor"], False),
    ("school_leader1", "吴", "建国", ["school_leader"], False),
]
# The addresses the demo realm (scripts/keycloak/youke-realm.json) has verified for the same
# people: with Keycloak configured, their first sign-in there adopts these accounts and their
# lessons (sso.mapping.adoption_refusal) instead of being refused as a name clash.
DEMO_EMAILS = {
    "school_reviewer1": "school.reviewer1@youke.example.com",
    "district_reviewer1": "district.reviewer1@youke.example.com",
    "district_admin1": "district.admin1@youke.example.com",
    "school_leader1": "school.leader1@youke.example.com",
}


@transaction.atomic
def load():
    """Create or update the demo schools, role groups and users (the home page: home.demo)."""
    schools = [
        School.objects.update_or_create(code=code, defaults={"name": name, "town": town, "area": area, "stage": stage})[
            0
        ]
        for code, name, town, area, stage in SCHOOLS
    ]
    groups = ensure_role_groups()
    User = get_user_model()
    for username, family, given, roles, superuser in USERS:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": given,
                "last_name": family,
                "email": DEMO_EMAILS.get(username, f"{username}@youke.example.com"),
                "is_staff": True,  # every role works in the Wagtail admin
                "is_superuser": superuser,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([groups[role] for role in roles])
        if not settings.KEYCLOAK and username in DEMO_SCHOOL_OF:
            _place_at_school(user, DEMO_SCHOOL_OF[username])
    return {"schools": len(schools), "users": len(USERS)}


def _place_at_school(user, code):

    school = School.objects.get(code=code)
    created = {"sub": SsoProfile.LOCAL_PREFIX + user.username, "school": school}
    SsoProfile.objects.update_or_create(user=user, defaults={"school": school}, create_defaults=created)


def load_library(curriculum_dir=None):
    """The curriculum seed, the library page with its review workflow, and demo lessons."""

    curriculum = taxonomy_loader.load_all(curriculum_dir or taxonomy_loader.DATA_DIR)
    ensure_library()
    return {"curriculum": curriculum, "demo_items": demo_content.load()}
