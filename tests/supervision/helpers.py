"""Schools and yearly statistics for the supervision tests, with round numbers one can check by hand."""

from decimal import Decimal

from resources.models import School
from supervision.models import SchoolYearStats, Section

# 小学 values that meet every standard with room to spare, per 1000 students.
GOOD_PRIMARY = {
    "teachers": 80, "qualified_teachers": 50, "backbone_teachers": 12, "pe_art_teachers": 10,
    "multimedia_rooms": 25, "floor_area_m2": 5000, "sports_area_m2": 8000, "equipment_value_yuan": 2_100_000,
}  # fmt: skip


def school(code, area="urban", town="城关镇", stage=School.Stage.PRIMARY):
    return School.objects.update_or_create(
        code=code, defaults={"name": f"{code}学校", "town": town, "area": area, "stage": stage}
    )[0]


def stats(code, students, year=2026, section=Section.PRIMARY, area="urban", **values):
    """A school's row: GOOD_PRIMARY scaled to `students`, with `values` overriding."""
    areas = ("floor_area_m2", "sports_area_m2", "equipment_value_yuan")
    row = {
        key: Decimal(value) * students / 1000 if key in areas else value * students // 1000
        for key, value in GOOD_PRIMARY.items()
    }
    row.update(values)
    return SchoolYearStats.objects.create(
        year=year, school=school(code, area=area), section=section, students=students, **row
    )


def teacher(username, school_code, *roles):
    """A signed-in-able account at `school_code` (an SSO profile as the embedded default makes one)."""
    from django.contrib.auth import get_user_model

    from sso.models import SsoProfile
    from sso.roles import ensure_role_groups

    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": True})
    groups = ensure_role_groups()
    user.groups.add(*[groups[role] for role in roles or ("teacher",)])
    SsoProfile.objects.update_or_create(
        user=user,
        defaults={"school": School.objects.get(code=school_code)},
        create_defaults={"sub": SsoProfile.LOCAL_PREFIX + username, "school": School.objects.get(code=school_code)},
    )
    return user
