"""Other kinds of results beside the lesson library: schools, teachers, and whatever other apps add.

The lesson library (packages and resources) is ranked by the engine; a
*kind* registered here is asked for its own matches, which appear at the top
of the first page with their type badge (at most TOP_HITS in all), count in
the 资源类型 facet, and are listed alone, page by page, when that facet is
chosen (``?resource_type=<name>``).

Another app adds its kind in its AppConfig.ready(), for example the
training app's courses::

    from search import registry

    def find_courses(query, user, offset, limit):
        courses = Course.objects.visible_to(user).filter(title__icontains=query.topic)
        return courses.count(), [
            {"id": c.pk, "external_id": None, "title": c.title, "url": c.get_absolute_url(),
             "highlight": registry.highlight(c.title, query)} for c in courses[offset : offset + limit]
        ]

    registry.register("course", "培训课程", find_courses)

`find(query, user, offset, limit)` returns (total, results); each result is a
dict with at least "id", "title", "url" and "highlight" ("type" and
"type_label" are filled in; a highlight not made by `highlight()` is
escaped). `query` has .q (as typed), .topic (without type words), .groups
(each word with its synonyms) and .terms. The kind
decides who may see what, as the library does through resources.api:
return nothing a user may not open. Keep `find` to one or two indexed
queries; it runs on every search.
"""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString

from .highlight import snippet

TOP_HITS = 3


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    find: object
    order: int = 100


_kinds = {}


def register(name, label, find, order=100):
    """Add (or replace) a kind of result; `name` is its `type` in the API."""
    _kinds[name] = Kind(name, str(label), find, order)


def unregister(name):
    _kinds.pop(name, None)


def kinds():
    return sorted(_kinds.values(), key=lambda kind: (kind.order, kind.name))


def get(name):
    return _kinds.get(name)


def highlight(text, query):
    """The same snippet with <mark> as library results get."""
    return snippet(text, [*query.q.split(), *(word for group in query.groups for word in group)])


def results(kind, query, user, offset, limit):
    """(total, results) of one kind, with its badge filled in."""
    total, found = kind.find(query, user, offset, limit)
    for item in found:
        item.setdefault("external_id", None)
        if not isinstance(item.get("highlight"), SafeString):
            item["highlight"] = escape(item.get("highlight") or "")
        item["type"] = kind.name
        item["type_label"] = kind.label
        for key in ("placement", "award_level", "school", "area"):
            item.setdefault(key, "")
        item.setdefault("published", None)
    return total, found
