"""The database backend's side of search: the embedded default, and the fallback when the engine is down.

Candidates are subqueries over resources.api's querysets, never lists of
ids, so the cost does not grow with the library. Ranking starts from the
backend's own (SQLite FTS5 BM25 or PostgreSQL ts_rank over core.chinese's
terms) and the first RERANK_DEPTH are re-ordered by search.ranking, which
knows what the query's words mean (a title that is the topic, the type
asked for).
"""

from django.db.models import Count, IntegerField, Value
from django.db.models.functions import Coalesce
from wagtail.models import Page

from . import ranking
from .library import FACET_FIELDS, LIBRARY, count_packages, empty_counts, visible_q
from .results import Ranking

RERANK_DEPTH = ranking.DEPTH


def _matched(backend, plan):
    base = Page.objects.filter(visible_q(plan))
    if not plan.terms:
        return base.order_by("-first_published_at", "-pk")
    return backend.search(" ".join(plan.terms), base, operator="or").get_queryset()


def _by_views(queryset):
    views = Coalesce("lessonpackagepage__view_count", "resourcepage__view_count", Value(0), output_field=IntegerField())
    return queryset.annotate(views=views).order_by("-views", "-pk")


def run(backend, plan, *, sort="relevance", offset=0, size=10, facets=True):
    """The database backend's Ranking of one page; a page past the end is the last page (its offset says so)."""
    matched = _matched(backend, plan)
    total = matched.count()
    if offset >= total > 0:
        offset = (total - 1) // size * size
    if sort == "views":
        ids = list(_by_views(Page.objects.filter(pk__in=matched.order_by().values("pk")))
                   .values_list("pk", flat=True)[offset : offset + size])  # fmt: skip
    elif sort == "newest" and plan.terms:
        ids = list(
            Page.objects.filter(pk__in=matched.order_by().values("pk"))
            .order_by("-first_published_at", "-pk")
            .values_list("pk", flat=True)[offset : offset + size]
        )
    elif plan.terms and offset < RERANK_DEPTH:
        head = list(matched.values_list("pk", flat=True)[:RERANK_DEPTH])
        ordered = ranking.rerank(head, plan)
        ids = ordered[offset : offset + size]
        if len(ids) < size and total > RERANK_DEPTH:
            ids += list(matched.values_list("pk", flat=True)[max(offset, RERANK_DEPTH) : offset + size])[
                : size - len(ids)
            ]
    else:
        ids = list(matched.values_list("pk", flat=True)[offset : offset + size])
    counts = facet_counts(matched) if facets else {}
    return Ranking(ids=tuple(ids), total=total, offset=offset, facet_counts=counts)


def facet_counts(matched):
    """{facet: {raw value: count}} over the matched pages, one GROUP BY per facet and model."""
    subquery = matched.order_by().values("pk")
    counts = empty_counts()
    for model in LIBRARY:
        rows = model.objects.filter(pk__in=subquery).order_by()
        names = [field.attname for field in model._meta.concrete_fields]
        for name, attname in FACET_FIELDS.items():
            if attname not in names:
                continue
            for row in rows.exclude(**{attname: None}).values(attname).annotate(n=Count("pk")):
                key = row[attname]
                if key == "":
                    continue
                counts[name][key] = counts[name].get(key, 0) + row["n"]
        if model.__name__ == "LessonPackagePage":
            count_packages(counts, rows.count())
    return counts
