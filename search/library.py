"""The lesson library as both ranking backends see it (search.engine and search.database).

Kept apart so neither backend imports the other: which models make up the
library, which facets are counted, and the candidates as one Q.
"""

from django.db.models import Q

from resources.models import LessonPackagePage, ResourcePage

LIBRARY = (LessonPackagePage, ResourcePage)
# Facets counted by either backend: name → the model attribute behind it.
FACET_FIELDS = {
    "stage": "stage_id",
    "grade": "grade_id",
    "subject": "subject_id",
    "edition": "edition_id",
    "school": "school_id",
    "award_level": "award_level",
    "resource_type": "resource_type",
}


def empty_counts():
    """{facet: {}} for every counted facet: a facet with no value still appears."""
    return {name: {} for name in FACET_FIELDS}


def count_packages(counts, packages):
    """Lesson packages have no resource_type column: they count under resource_type "lesson_package"."""
    if packages:
        counts["resource_type"]["lesson_package"] = packages


def visible_q(plan):
    """The plan's candidates as one Q on Page, for the database backend (subqueries, no id lists)."""
    condition = Q(pk__in=[])
    for queryset in plan.querysets.values():
        condition |= Q(pk__in=queryset.values("pk"))
    return condition
