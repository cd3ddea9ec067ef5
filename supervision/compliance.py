"""Training compliance: 5年360学时 and 能力提升工程2.0's 50 h, per school, as rates of 专任教师.

Hours are the platform's ledger (training's StudyHoursEntry) plus hours
imported from elsewhere (import_training_hours). 360 h counts the five years
to the period's end; 2.0 counts the three years to it: online hours (the
platform's courses tied to a 微能力点, and imported online hours marked for
2.0) and practice hours (imported) are shown apart.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from resources.models import School
from training.models import StudyHoursEntry

from .models import ImportedTrainingHours, SchoolYearStats

HOURS_360, YEARS_360 = 360, 5
HOURS_50, YEARS_50 = 50, 3


@dataclass
class Teacher:
    school_id: int | None
    total: Decimal = Decimal(0)  # five years, everything
    online: Decimal = Decimal(0)  # three years, 2.0 online
    practice: Decimal = Decimal(0)  # three years, 2.0 practice


def _teachers(end_year, scope):
    first_360, first_50 = end_year - YEARS_360 + 1, end_year - YEARS_50 + 1
    teachers = {}

    def teacher(user_id, school_id):
        return teachers.setdefault(user_id, Teacher(school_id))

    school = "user__sso_profile__school_id"
    platform = scope.schools(
        StudyHoursEntry.objects.filter(year__gte=first_360, year__lte=end_year), "user__sso_profile__school_id"
    )
    for row in platform.values("user_id", school).annotate(hours=Sum("hours")).order_by():
        teacher(row["user_id"], row[school]).total += row["hours"]
    recent = platform.filter(year__gte=first_50, course__competencies__isnull=False).distinct()
    for row in (
        StudyHoursEntry.objects.filter(pk__in=recent.values("pk"))
        .values("user_id", school)
        .annotate(hours=Sum("hours"))
        .order_by()
    ):
        teacher(row["user_id"], row[school]).online += row["hours"]
    imported = scope.schools(
        ImportedTrainingHours.objects.filter(year__gte=first_360, year__lte=end_year), "user__sso_profile__school_id"
    )
    for row in imported.values("user_id", school, "year", "kind", "ability_program").annotate(hours=Sum("hours")):
        entry = teacher(row["user_id"], row[school])
        entry.total += row["hours"]
        if row["ability_program"] and row["year"] >= first_50:
            if row["kind"] == ImportedTrainingHours.Kind.PRACTICE:
                entry.practice += row["hours"]
            else:
                entry.online += row["hours"]
    return teachers


@dataclass
class SchoolCompliance:
    school: School
    full_time_teachers: int | None
    met_360: int
    met_50: int
    online_hours: Decimal
    practice_hours: Decimal

    @property
    def rate_360(self):
        return self.met_360 / self.full_time_teachers if self.full_time_teachers else None

    @property
    def rate_50(self):
        return self.met_50 / self.full_time_teachers if self.full_time_teachers else None


def per_school(filters, scope):
    """([SchoolCompliance], district totals: (full-time teachers, met 360, met 50))."""
    teachers = _teachers(filters.end.year, scope)
    stats = scope.schools(SchoolYearStats.objects.filter(year=filters.year), "school_id")
    if filters.section:
        stats = stats.filter(section=filters.section)
    full_time = dict(stats.values_list("school_id").annotate(n=Sum("teachers")).order_by())
    schools = scope.schools(School.objects.order_by("code"))
    if filters.town:
        schools = schools.filter(town=filters.town)
    if filters.area:
        schools = schools.filter(area=filters.area)
    by_school = defaultdict(list)
    for teacher in teachers.values():
        by_school[teacher.school_id].append(teacher)
    rows = []
    for school in schools:
        group = by_school.get(school.pk, [])
        rows.append(
            SchoolCompliance(
                school,
                full_time.get(school.pk),
                sum(1 for t in group if t.total >= HOURS_360),
                sum(1 for t in group if t.online + t.practice >= HOURS_50),
                sum((t.online for t in group), Decimal(0)),
                sum((t.practice for t in group), Decimal(0)),
            )
        )
    counted = [row for row in rows if row.full_time_teachers]
    totals = (
        sum(row.full_time_teachers for row in counted),
        sum(row.met_360 for row in counted),
        sum(row.met_50 for row in counted),
    )
    return rows, totals


def rates(filters, scope):
    """(rate_360h, rate_50h) over the schools with statistics for the year (None without any)."""
    _, (teachers, met_360, met_50) = per_school(filters, scope)
    return (met_360 / teachers, met_50 / teachers) if teachers else (None, None)
