"""The search page and `/api/search`: two views over one service (search.service)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import service
from .autocomplete import suggest

FACET_LABELS = {
    "stage": "学段", "grade": "年级", "subject": "学科", "edition": "版本",
    "resource_type": "资源类型", "award_level": "获奖等级", "area": "城乡",
}  # fmt: skip


@require_GET
def search(request):
    query = service.SearchRequest.from_params(request.GET)
    answer = service.search(query, request.user) if (query.q or query.filters) else None
    context = {"search_query": query.q, "answer": answer, "request_filters": query.filters, "labels": FACET_LABELS}
    return render(request, "search/search.html", context)


@require_GET
def api_search(request):
    query = service.SearchRequest.from_params(request.GET)
    answer = service.search(query, request.user)
    answer["query"] = {"q": query.q, **query.filters, "sort": query.sort}
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})


@require_GET
def api_autocomplete(request):
    """Small JSON for the search box: {"q", "suggestions": [{"text", "kind"}]}."""
    query = request.GET.get("q", "")
    response = JsonResponse(
        {"q": query[:40], "suggestions": suggest(query, request.user)}, json_dumps_params={"ensure_ascii": False}
    )
    # Answers depend on who asks (drafts, signed-in-only lessons): never a shared cache.
    response["Cache-Control"] = "private, max-age=60"
    return response
