"""Documents are indexed in, and found by, the real search engine(s)."""

import os

import pytest
from django.conf import settings
from wagtail.search.backends import get_search_backend

from resources.models import School
from tests.conftest import missing

pytestmark = [pytest.mark.django_db]

ENGINES = {
    "opensearch": ("SEARCH_URL", "modelsearch.backends.opensearch3"),
    "elasticsearch": ("ELASTICSEARCH_TEST_URL", "modelsearch.backends.elasticsearch9"),
}

# Maven Central serves Elasticsearch only as its integ-test distribution, which
# lacks the analysis-common module (ngram and edge_ngram): Wagtail's default
# index settings would be refused, so the test index swaps those for the
# standard tokenizer. A full Elasticsearch needs no such override.
ES_INTEG_TEST_ANALYSIS = {
    "settings": {
        "analysis": {
            "analyzer": {"ngram_analyzer": {"filter": ["lowercase"]}, "edgengram_analyzer": {"filter": ["lowercase"]}},
            "tokenizer": {"ngram_tokenizer": {"type": "standard"}, "edgengram_tokenizer": {"type": "standard"}},
            "filter": {
                "ngram": {"type": "stop", "stopwords": "_none_"},
                "edgengram": {"type": "stop", "stopwords": "_none_"},
            },
        }
    }
}


def engine_backend(name):
    var, module = ENGINES[name]
    url = os.environ.get(var)
    if not url:
        missing(f"{var} is not set; start the engine with scripts/services.sh up")
    extra = {"INDEX_SETTINGS": ES_INTEG_TEST_ANALYSIS} if name == "elasticsearch" else {}
    return get_search_backend(module, URLS=[url], INDEX_PREFIX=f"youke_test_{name}_", TIMEOUT=10, **extra)


@pytest.fixture(params=sorted(ENGINES))
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
