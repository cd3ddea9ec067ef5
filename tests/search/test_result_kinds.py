"""Schools and teachers as results, and the registry other apps (training courses) add kinds through."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from resources.models import Licence
from search import registry, service
from tests.resources.helpers import package

pytestmark = pytest.mark.django_db

DATABASE_ONLY = {"default": {"BACKEND": "wagtail.search.backends.database"},
                 "database": {"BACKEND": "wagtail.search.backends.database"}}  # fmt: skip


def run(q="", user=None, **params):
    with override_settings(WAGTAILSEARCH_BACKENDS=DATABASE_ONLY):
        return service.search(service.SearchRequest.from_params({"q": q, **params}), user or AnonymousUser())


@pytest.fixture
def lessons(library):
    return [
        package("分数的初步认识", licence=Licence.PUBLIC, teacher_name="王芳", parts=False),
        package("几分之几", licence=Licence.PUBLIC, teacher_name="王芳", lesson="几分之几", parts=False),
        package("仅登录可见", licence=Licence.SIGNED_IN, teacher_name="李强", parts=False),
        package("草稿", live=False, teacher_name="孙悦", parts=False),
    ]


def test_a_school_is_found_by_its_name_with_its_badge(lessons):
    answer = run("青山乡")
    schools = {result["title"]: result for result in answer["results"][:2]}
    assert set(schools) == {"青山乡中心小学", "青山乡初级中学"}
    primary = schools["青山乡中心小学"]
    assert (primary["type"], primary["type_label"], primary["url"]) == ("school", "学校", "/search/?school=QSZX")
    assert "<mark>青山乡</mark>" in primary["highlight"]
    assert answer["facets"]["resource_type"]["school"] == 2  # the primary and the junior school


def test_generic_words_do_not_list_every_school(lessons):
    assert not [result for result in run("小学")["results"] if result["type"] == "school"]


def test_school_link_lists_that_schools_lessons(lessons):
    assert [result["title"] for result in run("", school="CGYX")["results"]] == ["几分之几", "分数的初步认识"]
    assert run("", school="NOPE")["count"] == 0


def test_a_teacher_is_found_with_public_information_only(lessons):
    answer = run("王芳")
    first = answer["results"][0]
    assert (first["type"], first["title"], first["school"]) == ("teacher", "王芳", "城关第一小学")
    assert "2 份" in first["highlight"]
    assert set(first) >= {"id", "external_id", "type", "title", "url", "highlight"}
    assert "email" not in str(first) and "@demo" not in str(first)


def test_teachers_of_drafts_and_hidden_lessons_are_not_revealed(lessons):
    assert not [r for r in run("孙悦")["results"] if r["type"] == "teacher"], "only a draft"
    assert not [r for r in run("李强")["results"] if r["type"] == "teacher"], "signed-in only"
    teacher = get_user_model().objects.get(username="teacher2")
    assert [r["title"] for r in run("李强", user=teacher)["results"] if r["type"] == "teacher"] == ["李强"]


def test_another_app_adds_a_kind_of_result(lessons, client):
    """What training does in its AppConfig.ready(): register("course", "培训课程", find).

    Registered under another name, so the training app's own kind is left as it is."""
    courses = [{"id": 7, "title": "信息技术2.0 分数教学", "url": "/training/7/"}]

    def find(query, user, offset, limit):
        found = [dict(c, highlight=registry.highlight(c["title"], query)) for c in courses if query.topic in c["title"]]
        return len(found), found[offset : offset + limit]

    registry.register("test_course", "测试课程", find, order=30)
    try:
        mixed = run("分数")
        first = mixed["results"][0]
        assert first["type"] == "test_course" and first["type_label"] == "测试课程"
        assert mixed["facets"]["resource_type"]["test_course"] == 1
        alone = run("分数", resource_type="test_course")
        assert [result["title"] for result in alone["results"]] == ["信息技术2.0 分数教学"]
        assert alone["count"] == 1
        with override_settings(WAGTAILSEARCH_BACKENDS=DATABASE_ONLY):
            html = client.get("/search/", {"q": "分数"}).content.decode()
        assert "测试课程" in html
    finally:
        registry.unregister("test_course")


def test_a_failing_kind_never_breaks_search(lessons):
    def broken(query, user, offset, limit):
        raise RuntimeError("training is down")

    registry.register("broken", "坏的", broken)
    try:
        assert "分数的初步认识" in [result["title"] for result in run("分数")["results"]]
    finally:
        registry.unregister("broken")


def test_an_unescaped_highlight_from_a_kind_is_escaped(lessons):
    raw = {"id": 1, "title": "x", "url": "/", "highlight": "<b>分数</b>"}
    registry.register("raw", "原始", lambda query, user, offset, limit: (1, [dict(raw)]))
    try:
        result = next(r for r in run("分数")["results"] if r["type"] == "raw")
        assert result["highlight"] == "&lt;b&gt;分数&lt;/b&gt;"
    finally:
        registry.unregister("raw")
