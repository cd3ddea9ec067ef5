"""The search page and `/api/search`: two views over one service (search.service)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from resources.choices import AwardLevel, ResourceType
from resources.models import School
from sso.ratelimits import limit

from . import registry, service
from .autocomplete import suggest

FACET_LABELS = {
    "stage": _("学段"), "grade": _("年级"), "subject": _("学科"), "edition": _("版本"),
    "resource_type": _("资源类型"), "award_level": _("获奖等级"), "area": _("城乡"),
}  # fmt: skip
SORT_LABELS = {"relevance": _("相关度"), "newest": _("最新"), "views": _("最多浏览")}


def _value_labels():
    labels = {
        "resource_type": {**dict(ResourceType.choices), **{kind.name: kind.label for kind in registry.kinds()}},
        "award_level": dict(AwardLevel.choices),
        "area": dict(School.Area.choices),
    }
    return labels


def _url(params, **changes):
    # Changing a filter or the sort starts again at page 1 (params never carry a page).
    merged = {key: value for key, value in {**params, **changes}.items() if value not in (None, "")}
    return "?" + urlencode(merged)


def _page_context(query, answer):
    """Facet links that add to the current filters, chips that remove one, sort and pager links."""
    params = {"q": query.q, **query.filters, "sort": "" if query.sort == "relevance" else query.sort}
    value_labels = _value_labels()
    facets = []
    for name, counts in answer["facets"].items():
        if not counts:
            continue
        labels = value_labels.get(name, {})
        values = [
            {"label": labels.get(value, value), "count": n, "url": _url(params, **{name: value}),
             "selected": query.filters.get(name) == value}
            for value, n in counts.items()
        ]  # fmt: skip
        facets.append({"name": name, "label": FACET_LABELS[name], "values": values})
    chips = [
        {"label": f"{FACET_LABELS.get(name, name)}：{value_labels.get(name, {}).get(value, value)}",
         "url": _url(params, **{name: None})}
        for name, value in query.filters.items()
    ]  # fmt: skip
    sorts = [
        {"label": label, "url": _url(params, sort="" if key == "relevance" else key), "selected": key == query.sort}
        for key, label in SORT_LABELS.items()
    ]
    pager = {
        "previous": _url(params, page=answer["page"] - 1) if answer["page"] > 1 else None,
        "next": _url(params, page=answer["page"] + 1) if answer["page"] < answer["num_pages"] else None,
    }
    return {"facets": facets, "chips": chips, "sorts": sorts, "pager": pager}


@require_GET
@limit("search")
def search(request):
    query = service.SearchRequest.from_params(request.GET)
    answer = service.search(query, request.user, log=True) if (query.q or query.filters) else None
    context = {"search_query": query.q, "answer": answer, "request_filters": query.filters}
    if answer:
        context.update(_page_context(query, answer))
    return render(request, "search/search.html", context)


@require_GET
@limit("search", json=True)
def api_search(request):
    query = service.SearchRequest.from_params(request.GET)
    answer = service.search(query, request.user, log=True)
    answer["query"] = {"q": query.q, **query.filters, "sort": query.sort}
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})


@require_GET
@limit("autocomplete", json=True)
def api_autocomplete(request):
    """Small JSON for the search box: {"q", "suggestions": [{"text", "kind"}]}."""
    query = request.GET.get("q", "")
    response = JsonResponse(
        {"q": query[:40], "suggestions": suggest(query, request.user)}, json_dumps_params={"ensure_ascii": False}
    )
    # Answers depend on who asks (drafts, signed-in-only lessons): never a shared cache.
    response["Cache-Control"] = "private, max-age=60"
    return response
