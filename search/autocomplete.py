"""Suggestions while typing: titles a user may open, and knowledge points.

Kept small for slow links: at most ten short entries, no snippets. Matching
is a plain substring on titles, which works for Chinese on every database
without an engine round trip.
"""

from resources import api
from resources.models import KnowledgeNode

MAX_TITLES = 6
MAX_LESSONS = 4
MIN_CHARS = 1
MAX_QUERY_CHARS = 40


def suggest(query, user):
    query = " ".join((query or "").split())[:MAX_QUERY_CHARS]
    if len(query) < MIN_CHARS:
        return []
    suggestions = []
    seen = set()
    for queryset in (api.visible_packages(user), api.visible_resources(user)):
        matches = queryset.filter(title__icontains=query).values_list("pk", "title")[:MAX_TITLES]
        for pk, title in matches:
            if title not in seen:
                seen.add(title)
                suggestions.append({"text": title, "kind": "resource", "id": pk})
    lessons = (
        KnowledgeNode.objects.filter(title__icontains=query).values_list("title", flat=True).distinct()[:MAX_LESSONS]
    )
    suggestions.extend({"text": title, "kind": "lesson"} for title in lessons if title not in seen)
    return suggestions[: MAX_TITLES + MAX_LESSONS]
