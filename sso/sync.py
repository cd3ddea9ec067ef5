"""Pull schools, users and their roles from Keycloak (KeycloakAdmin, service account).

So that reviewers can be put on a workflow before they have ever signed
in, and so that someone disabled or removed in Keycloak loses the site too.
Runs from `manage.py sync_keycloak` and periodically from Celery beat;
running it twice, or at the same time as a login, is harmless.
"""

import logging
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakGetError

from .keycloak import backend_url, config
from .mapping import SCHOOLS_GROUP_PATH, IdentityConflict, as_list, identity_from_admin, upsert_user
from .models import SsoProfile, SsoSession, school_model
from .roles import ensure_role_groups
from .sessions import end_sessions

logger = logging.getLogger(__name__)

# What the realm's school groups may say for urban/rural and the stage; Chinese or the site's own values.
AREAS = {"urban": "urban", "城区": "urban", "城镇": "urban", "rural": "rural", "乡村": "rural", "农村": "rural"}
STAGES = {
    "primary": "primary", "小学": "primary",
    "junior": "junior", "初中": "junior",
    "nine_year": "nine_year", "九年一贯制": "nine_year",
}  # fmt: skip


@dataclass
class SyncReport:
    schools: int = 0
    users: int = 0
    deactivated: int = 0
    sessions_ended: int = 0
    conflicts: list = field(default_factory=list)

    def as_dict(self):
        return asdict(self)


def admin_client():
    """KeycloakAdmin logged in as the sync client's service account."""
    c = config()
    if not c.get("SYNC_CLIENT_SECRET"):
        raise ImproperlyConfigured("KEYCLOAK_SYNC_CLIENT_SECRET is not set")
    return KeycloakAdmin(
        server_url=backend_url(),
        realm_name=c["REALM"],
        client_id=c["SYNC_CLIENT_ID"],
        client_secret_key=c["SYNC_CLIENT_SECRET"],
        timeout=c["TIMEOUT"],
        verify=c["VERIFY_TLS"],
    )


def sync(admin=None, *, page_size=100):
    """Mirror Keycloak's schools, users, roles and enabled flags onto the site; return a SyncReport.

    Users disabled in Keycloak who never had an account here get none;
    accounts whose Keycloak user is disabled or gone are deactivated and
    their sessions ended. Raises KeycloakError if Keycloak cannot be read
    completely, before anything is deactivated.
    """
    admin = admin or admin_client()
    report = SyncReport()
    group_codes = sync_schools(admin, report)
    groups = ensure_role_groups()
    known = set(SsoProfile.objects.values_list("sub", flat=True))
    active_before = set(SsoProfile.objects.filter(user__is_active=True).values_list("user_id", flat=True))
    seen = set()
    for user in _all_users(admin, page_size):
        seen.add(user["id"])
        if not user.get("enabled", True) and user["id"] not in known:
            continue
        roles = [role["name"] for role in admin.get_composite_realm_roles_of_user(user["id"])]
        paths = [group["path"] for group in admin.get_user_groups(user["id"])]
        try:
            upsert_user(identity_from_admin(user, roles, paths, group_codes), groups=groups)
        except IdentityConflict as exc:
            # Reported, never linked: an administrator decides whose account it is.
            logger.warning("sync skipped %s: %s", user["username"], exc)
            report.conflicts.append(user["username"])
            continue
        report.users += 1
    _deactivate_missing(seen)
    report.deactivated = get_user_model().objects.filter(pk__in=active_before, is_active=False).count()
    _end_inactive_sessions(report)
    return report


def sync_schools(admin, report):
    """Create or update a School for each group under /schools; return {group path: school code}."""
    School = school_model()

    try:
        parent = admin.get_group_by_path(SCHOOLS_GROUP_PATH)
    except KeycloakGetError as exc:
        if exc.response_code == 404:
            return {}
        raise
    codes = {}
    for group in admin.get_group_children(parent["id"], query={"briefRepresentation": False}):
        attributes = group.get("attributes") or {}
        code = _first(attributes, "school_code") or group["name"]
        codes[group["path"]] = code
        values = {
            "name": _first(attributes, "name_zh") or group["name"],
            "town": _first(attributes, "town"),
            "area": AREAS.get(_first(attributes, "area")),
            "stage": STAGES.get(_first(attributes, "stage")),
        }
        values = {key: value for key, value in values.items() if value}
        school = School.objects.filter(code=code).first()
        if school is None:
            if not {"area", "stage"} <= values.keys():
                logger.warning("school group %s lacks area or stage; not created", group["path"])
                continue
            School.objects.get_or_create(code=code, defaults={"town": "", **values})
        elif any(getattr(school, key) != value for key, value in values.items()):
            # Only on change: every save of a School reindexes it for search.
            for key, value in values.items():
                setattr(school, key, value)
            school.save()
        report.schools += 1
    return codes


def _all_users(admin, page_size):
    first = 0
    while True:
        page = admin.get_users({"first": first, "max": page_size, "briefRepresentation": False})
        yield from page
        if len(page) < page_size:
            return
        first += page_size


def _deactivate_missing(seen):
    """Deactivate accounts whose Keycloak user was deleted; never on an empty listing (a wrong realm)."""
    if not seen:
        logger.warning("Keycloak listed no users; not deactivating anyone")
        return
    linked = SsoProfile.objects.filter(user__is_active=True).exclude(sub__startswith=SsoProfile.LOCAL_PREFIX)
    active = linked.values_list("sub", "user_id")
    gone = [user_id for sub, user_id in active if sub not in seen]
    get_user_model().objects.filter(pk__in=gone).update(is_active=False)


def _end_inactive_sessions(report):
    inactive = SsoSession.objects.filter(user__is_active=False).values_list("user_id", flat=True)
    report.sessions_ended = end_sessions(user_ids=set(inactive))
    # Rows of sessions that expired on their own are of no use to a logout.
    too_old = timezone.now() - timedelta(seconds=config()["SESSION_MAX_AGE"])
    SsoSession.objects.filter(created_at__lt=too_old).delete()


def _first(attributes, name):
    values = as_list(attributes.get(name))
    return values[0] if values else ""
