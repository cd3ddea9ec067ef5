"""The 课 chooser's filter: words, full pinyin and initials; the 学段 → … → 单元 cascade."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from resources import taxonomy_loader
from resources.lesson_picker import LessonFilterForm
from resources.models import KnowledgeNode, Stage, Textbook, Unit

pytestmark = pytest.mark.django_db


def chosen(**params):
    form = LessonFilterForm(params)
    assert form.is_valid(), form.errors
    return [node.title for node in form.filter(KnowledgeNode.objects.all())]


def third_grade_maths():
    return Textbook.objects.get(edition__name="人教版", subject__name="数学", grade__name="三年级", volume="上册")


def test_chinese_words_match_the_title_first_then_the_unit(curriculum):
    titles = chosen(q="分数")
    # Its own title says 分数; the others sit in the units 「8 分数的初步认识」 and 「六 认识分数」.
    assert titles[0] == "分数的简单计算"
    assert set(titles) == {"分数的简单计算", "几分之一", "几分之几", "分一分（一）", "分一分（二）"}


def test_full_pinyin_and_initials_find_the_same_lessons(curriculum):
    assert chosen(q="fenshu")[0] == "分数的简单计算"
    assert set(chosen(q="fenshu")) == set(chosen(q="分数"))
    assert chosen(q="fs")[0] == "分数的简单计算"
    assert chosen(q="jfzy") == ["几分之一"]  # the initials of the whole title
    assert chosen(q="yundongdekuaiman") == ["运动的快慢"]


def test_initials_match_the_start_of_a_term_not_its_middle(curriculum):
    # 「ss」 would be inside many syllable runs; no lesson's words start with it.
    assert chosen(q="ss") == []


def test_textbook_and_edition_names_narrow_a_search(curriculum):
    assert set(chosen(q="北师大 fenshu")) == {"分一分（一）", "分一分（二）"}
    # Every lesson of 「第一章 机械运动」 says 运动 in its unit; those that say it in their title come first.
    assert chosen(q="物理 yundong")[:2] == ["运动的描述", "运动的快慢"]
    assert chosen(q="初二 测量") == ["长度和时间的测量", "测量平均速度"]  # 初二 is an alias of 八年级


def test_the_cascade_narrows_by_each_level(curriculum):
    junior = Stage.objects.get(name="初中")
    assert chosen(stage=str(junior.pk)) == ["长度和时间的测量", "运动的描述", "运动的快慢", "测量平均速度"]
    book = third_grade_maths()
    assert chosen(textbook=str(book.pk)) == ["几分之一", "几分之几", "分数的简单计算", "口算乘法", "笔算乘法"]
    unit = Unit.objects.get(textbook=book, title="6 多位数乘一位数")
    assert chosen(textbook=str(book.pk), unit=str(unit.pk)) == ["口算乘法", "笔算乘法"]
    assert chosen(subject=str(book.subject_id), grade=str(book.grade_id), q="fenshu")[0] == "分数的简单计算"


def test_a_finer_choice_that_does_not_fit_the_coarser_one_is_dropped(curriculum):
    """A 单元 left over from another 册 (or a 年级 without books) does not empty the list."""
    book = third_grade_maths()
    other_unit = Unit.objects.get(title="六 认识分数")
    assert chosen(textbook=str(book.pk), unit=str(other_unit.pk)) == chosen(textbook=str(book.pk))
    assert chosen(grade="999", q="jfzy") == ["几分之一"]


def test_renaming_a_unit_updates_what_its_lessons_match(curriculum):
    unit = Unit.objects.get(title="6 多位数乘一位数")
    assert chosen(q="chengfa") == ["口算乘法", "笔算乘法"]
    unit.title = "6 乘法练习"
    unit.save()
    assert chosen(q="lianxi") == ["口算乘法", "笔算乘法"]
    assert chosen(q="多位数") == []


def test_the_options_name_the_coarser_values_they_go_with(curriculum):
    form = LessonFilterForm({})
    html = str(form["unit"])
    book = third_grade_maths()
    unit = Unit.objects.get(textbook=book, title="8 分数的初步认识")
    assert f'value="{unit.pk}" data-stage="{book.grade.stage_id}"' in html
    assert f'data-textbook="{book.pk}"' in html
    assert "data-chooser-modal-search-filter" in html


@pytest.fixture
def admin_client(client, curriculum):
    user = get_user_model().objects.create_superuser("curriculum-admin", "a@example.com", "x")
    client.force_login(user)
    return client


def test_the_chooser_searches_all_677_lessons_in_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    """All 677 lessons, as in production: 「fenshu」 puts 分数的初步认识 first, with its full path."""
    taxonomy_loader.load_all()
    url = reverse("wagtailsnippetchoosers_resources_knowledgenode:choose_results")
    with django_assert_max_num_queries(12):
        response = admin_client.get(url, {"q": "fenshu"})
    html = response.content.decode()
    first = html.index("人教版 数学 三年级上册 · 8 分数的初步认识 · 分数的初步认识")
    assert first < html.index("分数的简单计算")
    with django_assert_max_num_queries(12):
        response = admin_client.get(url, {"q": "fs", "textbook": str(third_grade_maths().pk)})
    assert "分数的初步认识" in response.content.decode()


def test_the_modal_opens_with_the_linked_textbook_chosen(admin_client):
    book = third_grade_maths()
    url = reverse("wagtailsnippetchoosers_resources_knowledgenode:choose")
    data = json.loads(admin_client.get(url, {"textbook": str(book.pk)}).content)
    assert f'<option value="{book.pk}" selected data-stage="{book.grade.stage_id}"' in data["html"]
    assert 'id="id_lesson_textbook"' in data["html"] and 'id="id_textbook"' not in data["html"]
    assert "口算乘法" in data["html"] and "运动的快慢" not in data["html"]
