"""The real search engines: Chinese analysis, filters, deletion, update_index and atomic rebuilds.

OpenSearch has the analysis-smartcn plugin and segments words; the
Elasticsearch integ-test distribution from Maven Central has neither a
Chinese plugin nor analysis-common, so search.backends steps down to
character bigrams from the core shingle filter there - asked for `cjk`, it
must still create a working index.
"""

import os

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from resources.models import LessonPackagePage, Licence, School
from search.analysis import index_settings
from tests.conftest import missing

pytestmark = [pytest.mark.django_db]

ENGINES = {
    "opensearch": ("SEARCH_URL", "search.backends.opensearch", "smartcn"),
    "elasticsearch": ("ELASTICSEARCH_TEST_URL", "search.backends.elasticsearch", "cjk"),
}
# Each engine as a parameter that carries its service mark (skipped before any fixture when absent).
ENGINE_PARAMS = [
    pytest.param("elasticsearch", marks=pytest.mark.service("elasticsearch")),
    pytest.param("opensearch", marks=pytest.mark.service("search")),
]


def engine_config(name, prefix=None):
    var, module, chinese = ENGINES[name]
    url = os.environ.get(var)
    if not url:
        missing(f"{var} is not set; start the engine with scripts/services.sh up")
    prefix = prefix or f"{os.environ.get('SEARCH_INDEX_PREFIX', 'youke_test_')}it_{name}_"
    return {
        "BACKEND": module,
        "URLS": [url],
        "INDEX_PREFIX": prefix,
        "TIMEOUT": 10,
        "INDEX_SETTINGS": index_settings(chinese),
    }


def engine_backend(name):
    config = dict(engine_config(name))
    return get_search_backend(config.pop("BACKEND"), **config)


def is_opensearch(backend):
    return "opensearch" in type(backend).__module__


def drop_indexes(backend, prefix):
    """Delete every index a test's update_index made (one per indexed model)."""
    for name in backend.es.indices.get_alias(index=f"{prefix}*"):
        backend.es.indices.delete(index=name)


def analyze(backend, index, text):
    if not is_opensearch(backend):
        response = backend.es.indices.analyze(index=index, text=text)
    else:
        response = backend.es.indices.analyze(index=index, body={"text": text})
    return [token["token"] for token in response["tokens"]]


@pytest.fixture(params=ENGINE_PARAMS)
def backend(request):
    backend = engine_backend(request.param)
    index = backend.get_index_for_model(School)
    index.reset()
    index.add_model(School)
    yield backend
    index.delete()


def _index(backend, *schools):
    index = backend.get_index_for_model(School)
    index.add_items(School, list(schools))
    index.refresh()


def test_indexed_school_is_found_by_its_name(backend):
    rural = School.objects.create(code="qs", name="青山乡中心小学", town="青山乡", area="rural", stage="primary")
    urban = School.objects.create(code="cg", name="城关第一小学", town="城关镇", area="urban", stage="primary")
    _index(backend, rural, urban)

    found = list(backend.search("青山乡", School))
    assert found[0] == rural
    assert urban not in found[:1]


def test_chinese_words_not_single_characters(backend):
    """小学 must not match 数学实验学校 just because both contain 学 (what the standard analyzer does)."""
    primary = School.objects.create(code="cg", name="城关第一小学", town="城关镇", area="urban", stage="primary")
    other = School.objects.create(code="sx", name="数学实验学校", town="河西镇", area="rural", stage="junior")
    _index(backend, primary, other)

    assert list(backend.search("小学", School)) == [primary]
    index = backend.get_index_for_model(School).name
    assert {"小学", "数学", "学校"} <= set(analyze(backend, index, "城关第一小学 数学实验学校"))


def test_each_engine_gets_the_best_analysis_it_has(backend):
    index = backend.get_index_for_model(School).name
    analyzer = backend.es.indices.get_settings(index=index)[index]["settings"]["index"]["analysis"]["analyzer"]
    if is_opensearch(backend):
        assert analyzer["default"]["tokenizer"] == "smartcn_tokenizer"
    else:
        # Asked for cjk_bigram, which this build lacks: bigrams from the core shingle filter.
        assert analyzer["default"]["filter"] == ["lowercase", "youke_pairs"]


def test_filter_fields_are_applied_by_the_engine(backend):
    rural = School.objects.create(code="qs", name="青山乡中心小学", town="青山乡", area="rural", stage="primary")
    urban = School.objects.create(code="cg", name="城关第一小学", town="城关镇", area="urban", stage="primary")
    _index(backend, rural, urban)

    found = list(backend.search("小学", School.objects.filter(area="urban")))
    assert found == [urban]


def test_deleted_document_is_no_longer_found(backend):
    school = School.objects.create(code="gone", name="水口镇初级中学", town="水口镇", area="rural", stage="junior")
    _index(backend, school)
    assert list(backend.search("水口镇", School)) == [school]

    index = backend.get_index_for_model(School)
    index.delete_item(school)
    index.refresh()
    assert list(backend.search("水口镇", School)) == []


@pytest.mark.parametrize("name", ENGINE_PARAMS)
def test_update_index_builds_the_page_index_with_chinese_terms(name, library):
    """update_index works on both engines; pre-split search terms (pinyin) are kept whole."""
    from tests.resources.helpers import package

    page = package("小学数学 分数的初步认识", licence=Licence.PUBLIC)
    config = engine_config(name, prefix=f"{engine_config(name)['INDEX_PREFIX']}ui_")
    with override_settings(WAGTAILSEARCH_BACKENDS={**settings.WAGTAILSEARCH_BACKENDS, "it": config}):
        call_command("update_index", backend_name="it", verbosity=0)
        backend = get_search_backend("it")
    index = backend.get_index_for_model(Page)
    try:
        assert index.is_alias(), "atomic rebuild: the index name is an alias"
        mapping = backend.es.indices.get_mapping(index=index.name)
        properties = next(iter(mapping.values()))["mappings"]["properties"]
        assert properties["resources_sharedresourcefields__search_terms"]["analyzer"] == "whitespace"
        for query in ("分数", "fenshu", "fs"):
            assert page in [hit.specific for hit in backend.search(query, LessonPackagePage)], query
    finally:
        drop_indexes(backend, config["INDEX_PREFIX"])


@pytest.mark.parametrize("name", ENGINE_PARAMS)
def test_search_keeps_answering_during_an_atomic_rebuild(name, library):
    """update_index builds a new index beside the live one and swaps the alias at the end."""
    from tests.resources.helpers import package

    page = package("运动的快慢", licence=Licence.PUBLIC, lesson="运动的快慢", school_code="QSCZ")
    config = engine_config(name, prefix=f"{engine_config(name)['INDEX_PREFIX']}ar_")
    with override_settings(WAGTAILSEARCH_BACKENDS={**settings.WAGTAILSEARCH_BACKENDS, "it": config}):
        call_command("update_index", backend_name="it", verbosity=0)
        backend = get_search_backend("it")
    alias = backend.get_index_for_model(Page)
    old = {index.name for index in alias.aliased_indices()}
    try:
        rebuilder = backend.rebuilder_class(alias)
        fresh = rebuilder.start()
        fresh.add_model(Page)
        fresh.add_model(LessonPackagePage)
        # Mid-rebuild: the new index is still empty, the alias still answers from the old one.
        assert page in [hit.specific for hit in backend.search("快慢", LessonPackagePage)]
        fresh.add_items(LessonPackagePage, [page])
        rebuilder.finish()
        assert {index.name for index in alias.aliased_indices()} == {fresh.name}
        assert not backend.es.indices.exists(index=next(iter(old)))
        assert page in [hit.specific for hit in backend.search("快慢", LessonPackagePage)]
    finally:
        drop_indexes(backend, config["INDEX_PREFIX"])


@pytest.mark.service("search")
def test_site_is_configured_with_the_engine():
    """Under `make test` the site itself searches the engine, not the database backend."""
    assert settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"] == ENGINES["opensearch"][1]


@pytest.mark.service("search")
def test_opensearch_segments_chinese_words_with_smartcn():
    """The Chinese analysis plugin is installed and splits text into words, not characters."""
    import requests

    response = requests.post(
        os.environ["SEARCH_URL"].rstrip("/") + "/_analyze",
        json={"analyzer": "smartcn", "text": "小学数学分数的初步认识"},
        timeout=10,
    )
    tokens = [token["token"] for token in response.json()["tokens"]]
    assert {"小学", "数学", "初步", "认识"} <= set(tokens)


@pytest.mark.parametrize("name", ENGINE_PARAMS)
def test_index_creation_is_not_cut_off_by_the_search_timeout(name):
    """Creating an index waits for the cluster to place it, seconds on a busy one: a web search's short
    TIMEOUT (here 1 ms, that no request meets) must not make update_index fail."""
    prefix = f"{os.environ.get('SEARCH_INDEX_PREFIX', 'youke_test_')}it_slow_{name}_"
    config = dict(engine_config(name, prefix))
    module = config.pop("BACKEND")
    normal = get_search_backend(module, **config)
    hurried = get_search_backend(module, **{**config, "TIMEOUT": 0.001})
    drop_indexes(normal, prefix)
    try:
        index = hurried.get_index_for_model(School)
        index.put()
        assert normal.es.indices.exists(index=index.name)  # (modelsearch's own exists() fails on client 9)
    finally:
        drop_indexes(normal, prefix)
