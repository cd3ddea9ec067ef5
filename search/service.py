"""The one search behind the results page, `/api/search` and (later) autocomplete.

Only what the user may open is ever searched: the candidate set comes from
resources.api (drafts and in-review packages never, signed-in-only lessons
only for signed-in users) and the engine is asked to rank inside it.
If the engine fails, the database backend answers instead, with a notice.
"""

import logging
from dataclasses import dataclass, field

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from resources import api, vocabulary
from resources.choices import AwardLevel, ResourceType
from resources.models import Edition, Grade, LessonPackagePage, ResourcePage, Stage, Subject
from resources.models.taxonomy import split_aliases

from .chinese import query_terms
from .highlight import snippet

logger = logging.getLogger(__name__)

PAGE_SIZE = 10
MAX_QUERY_CHARS = 200  # nobody types more; a 10,000-character paste is cut, not refused
FACET_LIMIT = 5000  # matches counted for facets; beyond that the counts are a floor
SORTS = {"relevance", "newest", "views"}


@dataclass
class SearchRequest:
    q: str = ""
    filters: dict = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1

    @classmethod
    def from_params(cls, params):
        """From GET parameters; bad values are ignored, never an error."""
        try:
            page = max(1, min(int(params.get("page", 1)), 1000))
        except (TypeError, ValueError):
            page = 1
        accepted = [*FILTERS, "resource_type"]
        filters = {key: params.get(key, "").strip()[:40] for key in accepted if params.get(key, "").strip()}
        sort = params.get("sort", "relevance")
        q = " ".join((params.get("q") or "").split())[:MAX_QUERY_CHARS]
        return cls(q=q, filters=filters, sort=sort if sort in SORTS else "relevance", page=page)


def _placed_on(field, model):
    """A filter on one curriculum level, by name, code or alias (初二, 部编版, 道法)."""

    def apply(queryset, value):
        row = vocabulary.match(model, value)
        # An unknown value matches nothing, not the pages with no value at all.
        return queryset.filter(**{field: row}) if row else queryset.none()

    return apply


# Each filter: how to apply it to a queryset of either kind of page.
FILTERS = {
    "stage": _placed_on("stage", Stage),
    "grade": _placed_on("grade", Grade),
    "subject": _placed_on("subject", Subject),
    "edition": _placed_on("edition", Edition),
    "award_level": lambda qs, v: qs.filter(award_level=v) if qs.model is LessonPackagePage else qs.none(),
    "area": lambda qs, v: qs.filter(school__area=v),
}


def _candidates(request, user):
    """Visible packages and resources after the filters: two querysets."""
    kind = request.filters.get("resource_type") if "resource_type" in request.filters else None
    querysets = []
    for model, queryset in (
        (LessonPackagePage, api.visible_packages(user)),
        (ResourcePage, api.visible_resources(user)),
    ):
        if kind == ResourceType.LESSON_PACKAGE and model is ResourcePage:
            continue
        if kind and kind != ResourceType.LESSON_PACKAGE:
            if model is LessonPackagePage:
                continue
            queryset = queryset.filter(resource_type=kind)
        for name, value in request.filters.items():
            if name in FILTERS:
                queryset = FILTERS[name](queryset, value)
        querysets.append(queryset)
    return querysets


def _aliases():
    table = {}
    for model in (Edition, Subject, Grade):
        for row in model.objects.exclude(aliases=""):
            for alias in split_aliases(row.aliases):
                table[alias] = row.name
    return table


def _ranked_ids(terms, allowed_ids):
    """Page ids matching any term, best first; falls back to the database backend."""
    query = " ".join(terms)
    queryset = Page.objects.filter(pk__in=allowed_ids)
    try:
        results = get_search_backend().search(query, queryset, operator="or")
        return [page.pk for page in results[:FACET_LIMIT]], None
    except Exception:  # noqa: BLE001 - any engine failure: answer from the database instead
        logger.exception("search engine failed; answering from the database backend")
        results = get_search_backend("database").search(query, queryset, operator="or")
        return [page.pk for page in results[:FACET_LIMIT]], "搜索引擎暂时不可用，以下结果来自数据库检索，可能不够全面。"


def _facets(ids):
    facets = {name: {} for name in ("stage", "grade", "subject", "edition", "resource_type", "award_level", "area")}
    labels = {
        "stage": dict(Stage.objects.values_list("pk", "name")),
        "grade": dict(Grade.objects.values_list("pk", "name")),
        "subject": dict(Subject.objects.values_list("pk", "name")),
        "edition": dict(Edition.objects.values_list("pk", "name")),
    }
    for model in (LessonPackagePage, ResourcePage):
        queryset = model.objects.filter(pk__in=ids).order_by()
        for name in ("stage", "grade", "subject", "edition"):
            for row in queryset.exclude(**{f"{name}_id": None}).values(f"{name}_id").annotate(n=Count("pk")):
                label = labels[name][row[f"{name}_id"]]
                facets[name][label] = facets[name].get(label, 0) + row["n"]
        for row in queryset.exclude(school=None).values("school__area").annotate(n=Count("pk")):
            facets["area"][row["school__area"]] = facets["area"].get(row["school__area"], 0) + row["n"]
        if model is LessonPackagePage:
            facets["resource_type"][ResourceType.LESSON_PACKAGE.value] = queryset.count()
            for row in queryset.exclude(award_level="").values("award_level").annotate(n=Count("pk")):
                facets["award_level"][row["award_level"]] = row["n"]
        else:
            for row in queryset.values("resource_type").annotate(n=Count("pk")):
                facets["resource_type"][row["resource_type"]] = row["n"]
    facets["resource_type"] = {k: v for k, v in facets["resource_type"].items() if v}
    return facets


def _result(page, terms):
    is_package = isinstance(page, LessonPackagePage)
    return {
        "id": page.pk,
        "external_id": page.external_id,
        "type": ResourceType.LESSON_PACKAGE.value if is_package else page.resource_type,
        "type_label": str(ResourceType(ResourceType.LESSON_PACKAGE if is_package else page.resource_type).label),
        "title": page.title,
        "url": page.url,
        "highlight": snippet(f"{page.title} {page.description}", terms),
        "placement": page.placement_label,
        "award_level": str(AwardLevel(page.award_level).label) if is_package and page.award_level else "",
        "school": page.school.name if page.school_id else "",
        "area": page.school.area if page.school_id else "",
        "published": page.first_published_at.isoformat() if page.first_published_at else None,
    }


def search(request, user):
    """Run a SearchRequest for `user`; returns the API's JSON-ready dict."""
    querysets = _candidates(request, user)
    allowed_ids = [pk for queryset in querysets for pk in queryset.values_list("pk", flat=True)]
    terms = query_terms(request.q, _aliases()) if request.q else []
    notice = None
    if request.q and not terms:
        ids = []  # nothing searchable in the query (emoji, punctuation)
    elif terms:
        ids, notice = _ranked_ids(terms, allowed_ids)
    else:
        ids = allowed_ids
    if request.sort != "relevance" or not terms:
        order = "-view_count" if request.sort == "views" else "-first_published_at"
        ids = list(Page.objects.filter(pk__in=ids).order_by(order, "-pk").values_list("pk", flat=True))
    paginator = Paginator(ids, PAGE_SIZE)
    try:
        current = paginator.page(request.page)
    except EmptyPage:
        current = paginator.page(paginator.num_pages or 1) if paginator.count else None
    page_ids = list(current.object_list) if current else []
    pages = {
        page.pk: page
        for model in (LessonPackagePage, ResourcePage)
        for page in model.objects.filter(pk__in=page_ids).select_related(
            "stage", "grade", "subject", "edition", "textbook", "knowledge_node", "school"
        )
    }
    return {
        "count": paginator.count,
        "page": current.number if current else 1,
        "num_pages": paginator.num_pages if paginator.count else 0,
        "results": [_result(pages[pk], terms) for pk in page_ids if pk in pages],
        "facets": _facets(ids),
        "notice": notice,
    }
