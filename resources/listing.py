"""Lists of lessons for the front page and the library's index: bounded, newest first, a fixed number of queries.

Who sees what is decided in resources.api only; these functions only order
and cut what it returns, and read each card's placement in the same query.
"""

from django.core.paginator import Paginator
from django.db.models import Prefetch

from . import api
from .models import LessonPackagePage, ResourcePage, Stage, Subject

# Everything a card prints (placement_label, school) in one join, not one query per card.
CARD_RELATED = ("school", "stage", "subject", "edition", "grade", "textbook__grade", "knowledge_node")


def recent(queryset, limit):
    return list(queryset.select_related(*CARD_RELATED).order_by("-first_published_at", "-pk")[:limit])


def featured_packages(user, limit):
    """优课: published packages that won an award at any level, newest first."""
    return recent(api.visible_packages(user).exclude(award_level=""), limit)


def newest_packages(user, limit):
    return recent(api.visible_packages(user), limit)


def newest_page(user, number, per_page=20):
    """One page of every package and resource `user` may open, newest first (a Paginator page of cards)."""
    rows = (
        # Each part's own ordering cleared: SQLite refuses ORDER BY inside a UNION.
        api.visible_packages(user)
        .order_by()
        .values_list("pk", "first_published_at")
        .union(api.visible_resources(user).order_by().values_list("pk", "first_published_at"))
        .order_by("-first_published_at", "-pk")
    )
    page = Paginator(rows, per_page).get_page(number)
    ids = [pk for pk, _published in page.object_list]
    found = {}
    for model in (LessonPackagePage, ResourcePage):
        found.update({item.pk: item for item in model.objects.filter(pk__in=ids).select_related(*CARD_RELATED)})
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


def subject_links(user):
    """[(stage name, [(subject name, count)])] for the 学段/学科 that hold something `user` may open."""
    fields = ("stage__sort_order", "stage__name", "subject__sort_order", "subject__name")
    counts = api.placement_counts(user, *fields)
    placed = sorted((key, n) for key, n in counts.items() if key[1] and key[3])
    stages = {}
    for (stage_order, stage, _subject_order, subject), n in placed:
        stages.setdefault((stage_order, stage), []).append((subject, n))
    return [(stage, subjects) for (_order, stage), subjects in stages.items()]


def curriculum_tree(user):
    """[(stage, [(subject, count)])] for every stage and subject of the curriculum (按教材浏览)."""
    stages = Stage.objects.prefetch_related(Prefetch("subjects", queryset=Subject.objects.order_by("sort_order")))
    counts = api.placement_counts(user, "stage_id", "subject_id")
    return [
        (stage, [(subject, counts[(stage.pk, subject.pk)]) for subject in stage.subjects.all()]) for stage in stages
    ]
