"""The 一师一优课 panel: 晒课率 and counts, 优课 by level, curriculum coverage and its gaps.

晒课 counts packages submitted in the period (first published in it, or put
into the review workflow in it): a package shown in 2025 is not a 2026
submission. 专任教师 come from the year's imported statistics.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.functions import Cast
from wagtail.models import Page, WorkflowState

from resources.choices import AwardLevel, PartKind
from resources.models import KnowledgeNode, LessonPackagePage

from .models import SchoolYearStats


def _submitted(scope, filters):
    page_type = ContentType.objects.get_for_model(Page)
    in_workflow = (
        WorkflowState.objects.filter(
            base_content_type=page_type, created_at__date__gte=filters.start, created_at__date__lte=filters.end
        )
        .annotate(page_id=Cast("object_id", IntegerField()))
        .values("page_id")
    )
    published = Q(live=True, first_published_at__date__gte=filters.start, first_published_at__date__lte=filters.end)
    packages = LessonPackagePage.objects.filter(published | Q(pk__in=in_workflow))
    return scope.schools(packages, "school_id")


def full_time_teachers(filters, scope):
    """专任教师 of the year's statistics in scope (None when the year was not imported)."""
    rows = scope.schools(SchoolYearStats.objects.filter(year=filters.year), "school_id")
    if filters.section:
        rows = rows.filter(section=filters.section)
    if filters.town:
        rows = rows.filter(school__town=filters.town)
    if filters.area:
        rows = rows.filter(school__area=filters.area)
    return rows.aggregate(total=Sum("teachers"))["total"]


def _placed(packages, filters):
    if filters.section:
        packages = packages.filter(stage__code=filters.section)
    if filters.subject:
        packages = packages.filter(Q(subject_id=filters.subject) | Q(subject__parent_id=filters.subject))
    if filters.town:
        packages = packages.filter(school__town=filters.town)
    if filters.area:
        packages = packages.filter(school__area=filters.area)
    return packages


def summary(filters, scope):
    packages = _placed(_submitted(scope, filters), filters)
    counts = packages.aggregate(
        packages=Count("pk", distinct=True),
        teachers=Count("teacher_id", distinct=True),
        recorded=Count("pk", distinct=True, filter=Q(parts__kind=PartKind.VIDEO)),
    )
    teachers = full_time_teachers(filters, scope)
    awards = dict(
        _placed(scope.schools(LessonPackagePage.objects.live(), "school_id"), filters)
        .exclude(award_level="")
        .values_list("award_level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "packages": counts["packages"],
        "submitting_teachers": counts["teachers"],
        "full_time_teachers": teachers,
        "submission_rate": counts["teachers"] / teachers if teachers else None,
        "with_recording": counts["recorded"],
        "awards": [(label, awards.get(value, 0)) for value, label in AwardLevel.choices],
    }


def _nodes(filters):
    nodes = KnowledgeNode.objects.all()
    if filters.section:
        nodes = nodes.filter(unit__textbook__grade__stage__code=filters.section)
    if filters.subject:
        nodes = nodes.filter(
            Q(unit__textbook__subject_id=filters.subject) | Q(unit__textbook__subject__parent_id=filters.subject)
        )
    return nodes


def _awarded_nodes():
    return LessonPackagePage.objects.live().exclude(award_level="").filter(knowledge_node__isnull=False)


def coverage(filters):
    """(covered, total, ratio or None, [(subject, grade, covered, total)]): lessons of the taxonomy with a 优课."""
    covered_ids = _awarded_nodes().values("knowledge_node_id")
    rows = (
        _nodes(filters)
        .values("unit__textbook__subject__name", "unit__textbook__grade__name", "unit__textbook__grade__sort_order")
        .annotate(total=Count("pk", distinct=True), covered=Count("pk", distinct=True, filter=Q(pk__in=covered_ids)))
        .order_by("unit__textbook__subject__name", "unit__textbook__grade__sort_order")
    )
    table = [
        (row["unit__textbook__subject__name"], row["unit__textbook__grade__name"], row["covered"], row["total"])
        for row in rows
    ]
    covered = sum(row[2] for row in table)
    total = sum(row[3] for row in table)
    return covered, total, (covered / total if total else None), table


def uncovered(filters, limit=None):
    """The taxonomy's lessons with no 优课 yet: [(subject, edition, textbook, unit, lesson title)]."""
    nodes = (
        _nodes(filters)
        .exclude(pk__in=_awarded_nodes().values("knowledge_node_id"))
        .select_related("unit__textbook__subject", "unit__textbook__edition", "unit__textbook__grade")
        .order_by(
            "unit__textbook__subject__name", "unit__textbook__grade__sort_order", "unit__sort_order", "sort_order", "pk"
        )
    )
    if limit:
        nodes = nodes[:limit]
    return [
        (
            node.unit.textbook.subject.name,
            node.unit.textbook.edition.name,
            f"{node.unit.textbook.grade.name}{node.unit.textbook.volume}",
            node.unit.title,
            node.title,
        )
        for node in nodes
    ]
