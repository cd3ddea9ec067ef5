"""One request to OpenSearch/Elasticsearch: ranked ids, the total and every facet count.

Who may see what stays in resources.api: its querysets (live, licence) and
the facet filters on them are translated into engine filters by the
backend's own query compiler (every field they use is an index.FilterField),
so no list of visible ids is ever sent. Should a filter not translate, the
ids are sent after all (bounded); the page's results are read back through
the same querysets in any case (search.service), so a stale index cannot
show a draft.
"""

import logging

from modelsearch.backends.base import FilterError, FilterFieldError
from modelsearch.backends.elasticsearchbase import ElasticsearchBaseSearchBackend
from modelsearch.query import MATCH_ALL

from core.chinese import ASCII_WORD, CJK_RUN
from resources.models import LessonPackagePage, ResourcePage

from .library import FACET_FIELDS, LIBRARY, count_packages, empty_counts
from .results import Ranking

logger = logging.getLogger(__name__)

AGG_SIZE = 500  # distinct values per facet; the district has fewer schools than this
MAX_ID_FILTER = 20_000


def is_engine(backend):
    return isinstance(backend, ElasticsearchBaseSearchBackend)


def _column(backend, model, attname):
    mapping = backend.mapping_class(model)
    for field in model.get_filterable_search_fields():
        if field.get_attname(model) == attname:
            return mapping.get_field_column_name(field)
    return None


def _search_column(backend, model, name):
    mapping = backend.mapping_class(model)
    for field in model.get_searchable_search_fields():
        if field.field_name == name:
            return mapping.get_field_column_name(field)
    return None


def _visible(backend, queryset):
    """Engine filter for one model's queryset (visibility and facet filters)."""
    try:
        compiler = backend.query_compiler_class(queryset, MATCH_ALL)
        return {"bool": {"filter": compiler.get_filters()}}
    except (FilterError, FilterFieldError):
        logger.warning("filter of %s not indexable; sending ids", queryset.model.__name__)
        ids = [str(pk) for pk in queryset.values_list("pk", flat=True)[:MAX_ID_FILTER]]
        return {"terms": {"pk": ids}}


def _columns(backend, name):
    return [column for model in LIBRARY if (column := _search_column(backend, model, name))]


def scoring(backend, plan):
    """How well a document matches: title phrases, pre-split terms, Chinese-analysed text."""
    terms_fields = [*_columns(backend, "search_terms"), *(f"{c}^0.3" for c in _columns(backend, "document_terms"))]
    text_fields = ["title^3", *(f"{c}^0.5" for c in _columns(backend, "description")), "_all_text^0.3"]
    words = " ".join(plan.terms)
    should = [{"multi_match": {"query": words, "fields": terms_fields}}]
    if plan.topic:
        should.append({"multi_match": {"query": plan.topic, "fields": text_fields}})
        # The topic as written, inside the title: the strongest sign.
        for run in CJK_RUN.findall(plan.topic):
            should.append({"match_phrase": {"title": {"query": run, "boost": 2.0}}})
    latin = " ".join(word.lower() for word in ASCII_WORD.findall(plan.q) if len(word) >= 4)
    if latin:
        # Pinyin typed with a slip (fenshuu): close terms count a little.
        should.append({"multi_match": {"query": latin, "fields": terms_fields, "fuzziness": "AUTO", "boost": 0.3}})
    query = {"bool": {"should": should, "minimum_should_match": 1}}
    # Asked for 课件 or 教案, for 八年级 or 物理: those first, other matches still shown.
    boosts = [clause for clause in (intent_clause(backend, plan.intent), *placement_clauses(backend, plan)) if clause]
    if boosts:
        query = {"bool": {"must": query, "should": boosts}}
    return query


def placement_clauses(backend, plan):
    weight = 2.0 / len(plan.placement) if plan.placement else 0
    for facet, pk in plan.placement.items():
        columns = [column for model in LIBRARY if (column := _column(backend, model, f"{facet}_id"))]
        either = {"bool": {"should": [{"term": {column: pk}} for column in columns]}}
        yield {"constant_score": {"filter": either, "boost": weight}}


def intent_clause(backend, kind):
    if not kind:
        return None
    if kind == "lesson_package":
        return {
            "constant_score": {"filter": {"match": {"_django_content_type": "resources.LessonPackagePage"}}, "boost": 3}
        }
    column = _column(backend, ResourcePage, "resource_type")
    return {"constant_score": {"filter": {"term": {column: kind}}, "boost": 3}}


def _aggregations(backend):
    aggs = {"models": {"terms": {"field": "_django_content_type", "size": 20}}}
    for model in LIBRARY:
        for name, attname in FACET_FIELDS.items():
            column = _column(backend, model, attname)
            if column:
                aggs[f"{model.__name__}:{name}"] = {"terms": {"field": column, "size": AGG_SIZE}}
    return aggs


def body(backend, plan, *, sort="relevance", offset=0, size=10, facets=True):
    visible = [_visible(backend, qs) for qs in plan.querysets.values() if not qs.query.is_empty()]
    if not visible:
        visible = [{"bool": {"must_not": {"match_all": {}}}}]
    must = scoring(backend, plan) if plan.terms else {"match_all": {}}
    request = {
        "query": {"bool": {"must": must, "filter": {"bool": {"should": visible, "minimum_should_match": 1}}}},
        "from": offset,
        "size": size,
        "track_total_hits": True,
        "_source": False,
        "stored_fields": ["pk"],
    }
    if sort == "newest" or not plan.terms:
        request["sort"] = [{"first_published_at_filter": {"order": "desc", "missing": "_last"}}, "_score"]
    if facets:
        request["aggs"] = _aggregations(backend)
    return request


def run(backend, plan, *, sort="relevance", offset=0, size=10, facets=True):
    """The engine's Ranking of one page; raises on any engine failure.

    Unlike the database backend it answers the offset asked for even past the
    end (an empty page): search.service decides what to ask for instead.
    """
    index = backend.get_index_for_model(LessonPackagePage).name
    request = body(backend, plan, sort=sort, offset=offset, size=size, facets=facets)
    if backend.use_new_elasticsearch_api:
        response = backend.es.search(index=index, **request)
    else:
        response = backend.es.search(index=index, body=request)
    hits = response["hits"]
    ids = tuple(int(hit["fields"]["pk"][0]) for hit in hits["hits"])
    total = hits["total"]["value"] if isinstance(hits["total"], dict) else hits["total"]
    return Ranking(ids=ids, total=total, offset=offset, facet_counts=_facet_counts(response.get("aggregations", {})))


def _facet_counts(aggregations):
    counts = empty_counts()
    for key, agg in aggregations.items():
        if key == "models":
            continue
        model_name, name = key.split(":")
        for bucket in agg["buckets"]:
            counts[name][bucket["key"]] = counts[name].get(bucket["key"], 0) + bucket["doc_count"]
    models = {bucket["key"]: bucket["doc_count"] for bucket in aggregations.get("models", {}).get("buckets", [])}
    count_packages(counts, models.get("resources.LessonPackagePage", 0))
    return counts
