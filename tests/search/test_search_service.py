"""One-stop search: Chinese inside longer titles, pinyin, synonyms, facets, permissions.

Runs on the database backend (the embedded default's) and on the real engine.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from resources.models import Licence
from search import service
from tests.resources.helpers import package
from tests.search.conftest import DATABASE_ONLY, refresh

pytestmark = pytest.mark.django_db


def run(q="", user=None, **params):
    return service.search(service.SearchRequest.from_params({"q": q, **params}), user or AnonymousUser())


def titles(answer):
    return [result["title"] for result in answer["results"]]


@pytest.fixture
def corpus(library):
    return {
        "fraction": package("小学数学 分数的初步认识", licence=Licence.PUBLIC, description="借助分月饼认识几分之一"),
        "motion": package("运动的快慢", licence=Licence.PUBLIC, lesson="运动的快慢", school_code="QSCZ"),
        "private": package("仅限登录的分数课", licence=Licence.SIGNED_IN, lesson="几分之几"),
        "draft": package("草稿分数课", live=False, lesson="分数的简单计算"),
    }


def test_chinese_word_inside_a_longer_title_is_found(corpus, backend):
    refresh(backend)
    assert "小学数学 分数的初步认识" in titles(run("数学"))
    assert titles(run("分数"))[0] == "小学数学 分数的初步认识"


def test_pinyin_and_initials(corpus, backend):
    refresh(backend)
    assert "小学数学 分数的初步认识" in titles(run("fenshu"))
    assert "运动的快慢" in titles(run("kuaiman"))


def test_colloquial_grade_finds_the_grade(corpus, backend):
    refresh(backend)
    assert titles(run("初二 物理"))[:1] == ["运动的快慢"]


def test_drafts_and_private_lessons_never_appear_to_those_who_cannot_open_them(corpus, backend):
    refresh(backend)
    anonymous = titles(run("分数"))
    assert "草稿分数课" not in anonymous and "仅限登录的分数课" not in anonymous
    teacher = get_user_model().objects.get(username="teacher2")
    signed_in = titles(run("分数", user=teacher))
    assert "仅限登录的分数课" in signed_in and "草稿分数课" not in signed_in


def test_facets_count_and_filters_combine_with_the_query(corpus, backend):
    refresh(backend)
    answer = run("", stage="初中")
    assert titles(answer) == ["运动的快慢"]
    everything = run("")
    assert everything["facets"]["stage"] == {"小学": 1, "初中": 1}
    assert everything["facets"]["area"] == {"urban": 1, "rural": 1}
    assert run("分数", stage="初中")["count"] == 0


@pytest.mark.parametrize("odd", ["", "😀😀", '"AND OR * : ()', "分" * 10_000, "\x00"])
def test_odd_queries_get_an_answer(corpus, backend, odd):
    refresh(backend)
    answer = run(odd)
    assert isinstance(answer["count"], int)


def test_page_out_of_range_and_unknown_facet_value(corpus, backend):
    refresh(backend)
    assert run("分数", page="999")["page"] == 1
    assert run("分数", page="abc")["page"] == 1
    assert run("分数", subject="不存在的学科")["count"] == 0


def test_engine_down_falls_back_to_the_database_with_a_notice(corpus, settings):
    broken = {
        "default": {"BACKEND": "modelsearch.backends.opensearch3", "URLS": ["http://127.0.0.1:1"], "TIMEOUT": 1},
        "database": {"BACKEND": "wagtail.search.backends.database"},
    }
    with override_settings(WAGTAILSEARCH_BACKENDS=broken):
        answer = run("分数")
    assert "小学数学 分数的初步认识" in titles(answer)
    assert "搜索引擎暂时不可用" in answer["notice"]


def test_api_shape(corpus, client):
    with override_settings(WAGTAILSEARCH_BACKENDS=DATABASE_ONLY):
        body = client.get("/api/search", {"q": "分数", "stage": "小学"}).json()
    assert set(body) >= {"count", "results", "facets"}
    first = body["results"][0]
    assert set(first) >= {"id", "external_id", "type", "title", "url", "highlight"}
    assert "<mark>分数</mark>" in first["highlight"]


def test_search_page_renders_results_with_highlight(corpus, client):
    with override_settings(WAGTAILSEARCH_BACKENDS=DATABASE_ONLY):
        html = client.get("/search/", {"q": "分数"}).content.decode()
    assert "<mark>分数</mark>" in html and "共找到" in html


def test_autocomplete_suggests_visible_titles_and_knowledge_points(corpus, client):
    body = client.get("/api/search/autocomplete", {"q": "分数"}).json()
    texts = [item["text"] for item in body["suggestions"]]
    assert "小学数学 分数的初步认识" in texts
    assert "分数的简单计算" in texts, "a knowledge point from the curriculum"
    assert "草稿分数课" not in texts and "仅限登录的分数课" not in texts
    assert len(client.get("/api/search/autocomplete", {"q": "分数"}).content) < 2000, "small for slow links"

    client.force_login(get_user_model().objects.get(username="teacher2"))
    texts = [item["text"] for item in client.get("/api/search/autocomplete", {"q": "分数"}).json()["suggestions"]]
    assert "仅限登录的分数课" in texts and "草稿分数课" not in texts


def test_autocomplete_odd_input(corpus, client):
    for odd in ["", "😀", "%", "分" * 5000]:
        response = client.get("/api/search/autocomplete", {"q": odd})
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, max-age=60"


def test_facet_values_accept_colloquial_names_and_unknown_ones_match_nothing(corpus, backend):
    from resources.models import LessonPackagePage

    refresh(backend)
    assert titles(run("", grade="初二")) == ["运动的快慢"]
    # A page with no edition must not match an edition nobody has heard of.
    LessonPackagePage.objects.filter(pk=corpus["motion"].pk).update(edition=None)
    assert run("", edition="不存在的版本")["count"] == 0
