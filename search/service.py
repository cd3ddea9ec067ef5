"""The one search behind the results page, `/api/search` (and, for its visibility rules, autocomplete).

Only what the user may open is ever searched: the candidates are
resources.api's querysets with the facet filters applied; the engine
(search.engine) or the database backend (search.database) ranks inside them
and counts the facets; the page's results are read back through the same
querysets. If the engine fails, the database backend answers, with a notice.
Other kinds of results (schools, teachers, training courses) come from
search.registry.
"""

import hashlib
import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.cache import cache

from core.chinese import query_groups, query_terms
from core.env import env_int
from resources import api, vocabulary
from resources.choices import AwardLevel, ResourceType
from resources.models import Edition, Grade, LessonPackagePage, ResourcePage, School, Stage, Subject

from . import backends, database, document_text, engine, facets, insights, ranking, registry, terms
from .cache import SCHEMA, library_version
from .highlight import snippet
from .results import OtherKinds, RankedAnswer, Ranking

logger = logging.getLogger(__name__)

PAGE_SIZE = 10
MAX_PAGE = 1000
MAX_QUERY_CHARS = 200  # nobody types more; a 10,000-character paste is cut, not refused
SORTS = {"relevance", "newest", "views"}
CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # NUL and friends: PostgreSQL refuses them, nobody means them
CACHE_SECONDS = 60  # a new or withdrawn lesson clears it at once (search.cache.library_version)
ENGINE_DOWN = "搜索引擎暂时不可用，以下结果来自数据库检索，可能不够全面。"


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
            page = max(1, min(int(params.get("page", 1)), MAX_PAGE))
        except (TypeError, ValueError):
            page = 1
        accepted = [*FILTERS, "resource_type"]
        filters = {}
        for key in accepted:
            value = params.get(key, "")
            if isinstance(value, str) and value.strip():
                filters[key] = CONTROL.sub("", value).strip()[:40]
        sort = params.get("sort", "relevance")
        q = params.get("q") or ""
        # Full-width letters and digits (phone keyboards) as ordinary ones: ＰＰＴ is PPT.
        q = unicodedata.normalize("NFKC", q[: MAX_QUERY_CHARS * 2])
        q = " ".join(CONTROL.sub(" ", q).split())[:MAX_QUERY_CHARS]
        return cls(q=q, filters=filters, sort=sort if sort in SORTS else "relevance", page=page)


@dataclass
class Plan:
    """What to look for (search.terms) and among what (querysets per model)."""

    q: str
    terms: list
    topic: str
    intent: str | None
    querysets: dict
    groups: list = field(default_factory=list)
    placement: dict = field(default_factory=dict)  # curriculum words of the query: {facet: pk}
    loaded: dict = field(default_factory=dict)  # pages already read back, by pk (search.ranking.read)


def _placed_on(name, model):
    """A filter on one curriculum level, by name, code or alias (初二, 部编版, 道法)."""

    def apply(queryset, value):
        row = vocabulary.match(model, value)
        # An unknown value matches nothing, not the pages with no value at all.
        return queryset.filter(**{f"{name}_id": row.pk}) if row else queryset.none()

    return apply


def _in_area(queryset, value):
    # By school ids (a FilterField the engine has), not a join it cannot follow.
    ids = list(School.objects.filter(area=value).values_list("pk", flat=True))
    return queryset.filter(school_id__in=ids) if ids else queryset.none()


def _at_school(queryset, value):
    school = School.objects.filter(code=value).first()
    return queryset.filter(school_id=school.pk) if school else queryset.none()


def _award(queryset, value):
    return queryset.filter(award_level=value) if queryset.model is LessonPackagePage else queryset.none()


# Each filter: how to apply it to a queryset of either kind of page.
FILTERS = {
    "stage": _placed_on("stage", Stage),
    "grade": _placed_on("grade", Grade),
    "subject": _placed_on("subject", Subject),
    "edition": _placed_on("edition", Edition),
    "award_level": _award,
    "area": _in_area,
    "school": _at_school,
}


def candidates(request, user):
    """{model: visible queryset after the filters} for the lesson library."""
    kind = request.filters.get("resource_type")
    querysets = {}
    for model, queryset in (
        (LessonPackagePage, api.visible_packages(user)),
        (ResourcePage, api.visible_resources(user)),
    ):
        if kind and (kind == ResourceType.LESSON_PACKAGE) != (model is LessonPackagePage):
            queryset = queryset.none()
        elif kind and model is ResourcePage:
            queryset = queryset.filter(resource_type=kind)
        for name, value in request.filters.items():
            if name in FILTERS:
                queryset = FILTERS[name](queryset, value)
        querysets[model] = queryset
    return querysets


def plan(request, user):
    """What to look for: the topic's terms; the type and curriculum placement asked for, as boosts.

    "初二物理 光的反射 课件" searches for 光的反射 and prefers 八年级, 物理 and
    courseware; a query of nothing but such words searches for them.
    """
    aliases = terms.aliases() if request.q else {}
    topic, placement = terms.split(request.q) if request.q else ("", {})
    searched = topic or terms.topic(request.q) or request.q
    return Plan(
        q=request.q,
        terms=query_terms(searched, aliases),
        topic=topic,
        intent=terms.intent(request.q),
        querysets=candidates(request, user),
        # A query of nothing but curriculum or type words ("信息技术") is still those words to other kinds.
        groups=query_groups(searched, aliases),
        placement=placement,
    )


def _from_engine(backend, the_plan, sort, offset):
    """The engine's Ranking of the page at `offset`: its head re-ordered by search.ranking, later pages as ranked."""
    reranked = sort == "relevance" and bool(the_plan.terms) and offset < ranking.DEPTH
    start, size = (0, ranking.DEPTH) if reranked else (offset, PAGE_SIZE)
    answered = engine.run(backend, the_plan, sort=sort, offset=start, size=size)
    if offset >= answered.total > 0:
        return _from_engine(backend, the_plan, sort, (answered.total - 1) // PAGE_SIZE * PAGE_SIZE)
    if reranked:
        ids = ranking.rerank(answered.ids, the_plan)[offset : offset + PAGE_SIZE]
        return replace(answered, ids=tuple(ids), offset=offset)
    return answered


def _cache_key(the_plan, request, user, offset):
    """The same question from the same audience: resources.api shows signed-in users more than
    anonymous visitors and nothing else differs (pages are read back per user in any case)."""
    audience = "signed-in" if user and user.is_authenticated else "anonymous"
    engine_used = repr(settings.WAGTAILSEARCH_BACKENDS.get("default"))  # another engine answers differently
    question = [the_plan.terms, the_plan.topic, the_plan.intent, sorted(the_plan.placement.items()),
                sorted(request.filters.items()), request.sort, offset, audience, engine_used]  # fmt: skip
    digest = hashlib.sha256(json.dumps(question, ensure_ascii=False).encode()).hexdigest()[:32]
    # "ranked": a RankedAnswer; the tuples once kept under "search:answer:" are never read back as one.
    return f"search:ranked:{SCHEMA}:{library_version()}:{digest}"


def _rank_cached(the_plan, request, user, offset):
    """_rank, kept for SEARCH_CACHE_SECONDS: the district's popular queries are asked again and again."""
    seconds = env_int("SEARCH_CACHE_SECONDS", CACHE_SECONDS)
    key = _cache_key(the_plan, request, user, offset) if seconds > 0 else None
    answer = cache.get(key) if key else None
    if answer is None:
        answer = _rank(the_plan, request.sort, offset)
        if key and answer.mode != "fallback":  # an answer given while the engine is down is not kept
            cache.set(key, answer, seconds)
    return answer


def _rank(the_plan, sort, offset):
    """A RankedAnswer: from the engine if there is one (not for "views"), else or if it fails from the database."""
    backend = backends.get("default")
    notice = None
    if engine.is_engine(backend) and sort != "views":
        try:
            return RankedAnswer(_from_engine(backend, the_plan, sort, offset), mode="engine")
        except Exception:  # any engine failure: answer from the database instead
            logger.exception("search engine failed; answering from the database backend")
            notice = ENGINE_DOWN
    if engine.is_engine(backend):
        backend = backends.get("database")
    answered = database.run(backend, the_plan, sort=sort, offset=offset, size=PAGE_SIZE)
    return RankedAnswer(answered, mode="fallback" if notice else "database", notice=notice)


def _result(page, highlight_terms, from_documents):
    is_package = isinstance(page, LessonPackagePage)
    kind = ResourceType.LESSON_PACKAGE if is_package else ResourceType(page.resource_type)
    school = facets.labels()["school"].get(page.school_id) or {}
    return {
        "id": page.pk,
        "external_id": page.external_id,
        "type": kind.value,
        "type_label": str(kind.label),
        "title": page.title,
        "url": page.url,
        "highlight": from_documents.get(page.pk) or snippet(f"{page.title} {page.description}", highlight_terms),
        "placement": facets.placement(page),
        "award_level": str(AwardLevel(page.award_level).label) if is_package and page.award_level else "",
        "school": school.get("name", ""),
        "area": school.get("area", ""),
        "published": page.first_published_at.isoformat() if page.first_published_at else None,
    }


def _read_back(the_plan, ids):
    """The pages behind `ids`, in order, read through the visible querysets: a stale index cannot leak a draft."""
    pages = ranking.read(the_plan, ids)
    return [pages[pk] for pk in ids if pk in pages]


def _other_kinds(request, the_plan, user):
    """OtherKinds: the registered kinds' results for this request, and their counts for the facet."""
    wanted = request.filters.get("resource_type")
    kind = registry.get(wanted) if wanted else None
    if kind:
        offset = (request.page - 1) * PAGE_SIZE
        try:
            total, found = registry.results(kind, the_plan, user, offset, PAGE_SIZE)
            if offset >= total > 0:  # past the last page: show the last one
                total, found = registry.results(kind, the_plan, user, (total - 1) // PAGE_SIZE * PAGE_SIZE, PAGE_SIZE)
        except Exception:  # another app's kind must never break search
            logger.exception("search kind %s failed", kind.name)
            total, found = 0, []
        return OtherKinds(alone=kind, total=total, results=found, counts={kind.name: total})
    narrowed = any(name in FILTERS for name in request.filters) or wanted
    if not request.q or narrowed or not the_plan.terms:
        return OtherKinds()
    top, counts = [], {}
    for each in registry.kinds():
        try:
            total, found = registry.results(each, the_plan, user, 0, registry.TOP_HITS)
        except Exception:  # another app's kind must never break search
            logger.exception("search kind %s failed", each.name)
            continue
        if total:
            counts[each.name] = total
            top.extend(found)
    return OtherKinds(total=sum(counts.values()), results=top[: registry.TOP_HITS], counts=counts)


def search(request, user, *, log=False):
    """Run a SearchRequest for `user`; returns the API's JSON-ready dict."""
    the_plan = plan(request, user)
    offset = (request.page - 1) * PAGE_SIZE
    others = _other_kinds(request, the_plan, user)
    if others.alone or (request.q and not the_plan.terms):
        # One registered kind alone, or nothing searchable in the query (emoji, punctuation).
        ranked = RankedAnswer(Ranking(ids=(), total=0, offset=offset), mode="database")
    else:
        ranked = _rank_cached(the_plan, request, user, offset)
    total, offset = ranked.ranking.total, ranked.ranking.offset
    highlight_terms = [the_plan.topic, *the_plan.terms]
    pages = _read_back(the_plan, ranked.ranking.ids)
    from_documents = document_text.snippets(pages, highlight_terms) if the_plan.terms else {}
    results = [_result(page, highlight_terms, from_documents) for page in pages]
    if others.alone:
        total, results = others.total, others.results
        offset = min(offset, max(0, (total - 1) // PAGE_SIZE * PAGE_SIZE))
    elif offset == 0:
        results = others.results + results
    count = total if others.alone else total + others.total
    answer = {
        "count": count,
        "page": offset // PAGE_SIZE + 1,
        "num_pages": -(-total // PAGE_SIZE) if total else 0,
        "results": results,
        "facets": facets.present(ranked.ranking.facet_counts, others.counts),
        "notice": ranked.notice,
    }
    if log and request.q:
        insights.log(request.q, user, count, ranked.mode)
    return answer
