"""What one search costs does not grow with the library, and the vocabulary is read once until it changes."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resources.models import Grade, Licence
from search import backends, engine, service
from tests.resources.helpers import package
from tests.search.conftest import refresh

pytestmark = pytest.mark.django_db


def run(q="", **params):
    return service.search(service.SearchRequest.from_params({"q": q, **params}), AnonymousUser())


def queries_for(q, **params):
    with CaptureQueriesContext(connection) as captured:
        run(q, **params)
    return [query["sql"] for query in captured.captured_queries]


def test_query_count_does_not_grow_with_the_library(library, backend, monkeypatch):
    monkeypatch.setenv("SEARCH_CACHE_SECONDS", "0")  # every search computed in full
    for number in range(3):
        package(f"分数的初步认识 第{number}课", licence=Licence.PUBLIC, parts=False)
    refresh(backend)
    run("分数")  # caches warm
    few = len(queries_for("分数"))
    for number in range(3, 15):
        package(f"分数的初步认识 第{number}课", licence=Licence.PUBLIC, parts=False)
    refresh(backend)
    many = queries_for("分数")
    assert run("分数")["count"] == 15
    assert len(many) == few, "one query per kind of work, not per page found"
    assert not any(sql.count("%s") > 50 or sql.count(",") > 200 for sql in many), "no list of every visible id"


def test_a_repeated_question_is_answered_from_the_cache_until_the_library_changes(library, backend):
    package("分数的初步认识", licence=Licence.PUBLIC, parts=False)
    refresh(backend)
    first = run("分数")
    repeated = queries_for("分数")
    assert run("分数") == first
    assert len(repeated) <= 2, "only the results' own rows are read again (through resources.api)"
    package("分数的简单计算", licence=Licence.PUBLIC, lesson="分数的简单计算", parts=False)
    refresh(backend)
    assert run("分数")["count"] == 2, "a new lesson is found at once"


def test_vocabulary_and_facet_labels_are_read_once_until_they_change(library, backend):
    package("分数的初步认识", licence=Licence.PUBLIC, parts=False)
    refresh(backend)
    run("初二 分数")
    again = " ".join(queries_for("初二 分数"))
    # Joined to read the results, yes; read on their own (aliases, labels), no.
    assert 'FROM "resources_grade"' not in again and 'FROM "resources_edition"' not in again

    Grade.objects.filter(name="八年级").first().save()  # an administrator edits the taxonomy
    assert 'FROM "resources_grade"' in " ".join(queries_for("初二 分数"))


@pytest.mark.service("search")
def test_the_engine_is_sent_filters_not_ids(library):
    for number in range(5):
        package(f"分数 第{number}课", licence=Licence.PUBLIC, parts=False)
    request = service.SearchRequest.from_params({"q": "分数", "stage": "小学", "area": "urban"})
    body = json.dumps(engine.body(backends.get("default"), service.plan(request, AnonymousUser())))
    assert '"pk"' not in body.split('"aggs"')[0].replace('"stored_fields": ["pk"]', "")
    assert "live_filter" in body and "licence_filter" in body
