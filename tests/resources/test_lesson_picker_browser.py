"""A teacher places a new lesson package on the curriculum in a few keystrokes, in Chromium.

Before: the 课 chooser listed all 677 lessons on 68 pages with no search.
Each test counts what the teacher does from the open editor to the chosen 课.
"""

from pathlib import Path

import pytest
from django.conf import settings

from resources import taxonomy_loader
from resources.models import KnowledgeNode, LessonIndexPage, LessonPackagePage, Textbook
from tests.integration.test_publishing_flow import sign_in

pytestmark = [pytest.mark.service("chromium"), pytest.mark.slow]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "journeys" / "teacher"


class Actions:
    """The clicks and keystrokes a teacher makes, counted."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def click(self, locator):
        locator.click()
        self.count += 1

    def type(self, locator, text):
        locator.press_sequentially(text)
        self.count += len(text)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png")


def open_new_package(page, live_server):
    index = LessonIndexPage.objects.get()
    page.goto(f"{live_server.url}/admin/pages/add/resources/lessonpackagepage/{index.pk}/")
    return page.locator("#id_knowledge_node-chooser")


def choose_button(chooser):
    return chooser.locator("[data-chooser-action-choose]").first


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_typing_fenshu_finds_the_lesson_among_all_677(page, live_server, library):
    taxonomy_loader.load_all()  # the district's whole curriculum, as in production
    assert KnowledgeNode.objects.count() >= 677
    teacher = sign_in(page, live_server, "teacher1")
    chooser = open_new_package(page, live_server)
    actions = Actions(page)

    actions.click(choose_button(chooser))
    modal = page.locator(".modal-content")
    search = modal.locator("#id_q")
    search.wait_for()
    actions.type(search, "fenshu")
    path = "人教版 数学 三年级上册 · 8 分数的初步认识 · 分数的初步认识"
    wanted = modal.locator("a[data-chooser-modal-choice]", has_text=path)
    wanted.wait_for()
    # The lesson whose title is what was typed in pinyin, first of the list.
    assert modal.locator("a[data-chooser-modal-choice]").first.inner_text().endswith("· 分数的初步认识")
    shot(page, "lesson-picker-fenshu")
    actions.click(wanted)

    page.locator(".modal-content").wait_for(state="detached")
    node = KnowledgeNode.objects.get(title="分数的初步认识", unit__textbook__edition__name="人教版")
    assert page.locator("#id_knowledge_node").input_value() == str(node.pk)
    assert "分数的初步认识" in chooser.inner_text()
    assert actions.count == 8  # 2 clicks and 6 keystrokes, from the open editor to the chosen 课
    shot(page, "lesson-picker-chosen")

    # Saving fills in the rest of the placement from the 课, as before.
    page.locator("#id_title").fill("分数的初步认识（王老师）")
    page.get_by_role("tab", name="网址与搜索").click()
    page.locator("#id_slug").fill("fenshu-wang")
    with page.expect_navigation():
        page.locator("button.action-save").first.click()
    shot(page, "lesson-picker-saved")
    saved = LessonPackagePage.objects.get(title="分数的初步认识（王老师）")
    assert saved.owner == teacher
    textbook = node.unit.textbook
    assert (saved.knowledge_node, saved.textbook, saved.grade, saved.subject, saved.edition, saved.stage) == (
        node,
        textbook,
        textbook.grade,
        textbook.subject,
        textbook.edition,
        textbook.grade.stage,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_choosing_the_textbook_first_narrows_the_lesson_chooser(page, live_server, library):
    sign_in(page, live_server, "teacher1")
    chooser = open_new_package(page, live_server)
    book = Textbook.objects.get(edition__name="人教版", subject__name="数学", grade__name="三年级", volume="上册")
    actions = Actions(page)

    actions.click(choose_button(page.locator("#id_textbook-chooser")))
    actions.click(page.locator(".modal-content a[data-chooser-modal-choice]", has_text="人教版 数学 三年级上册"))
    page.locator(".modal-content").wait_for(state="detached")
    assert page.locator("#id_textbook").input_value() == str(book.pk)

    actions.click(choose_button(chooser))
    modal = page.locator(".modal-content")
    modal.locator("#id_q").wait_for()
    # Only that volume's lessons, and its 册 shown chosen in the cascade (the teacher can clear it).
    titles = modal.locator("a[data-chooser-modal-choice]").all_inner_texts()
    lessons = [title.rsplit(" · ", 1)[1] for title in titles]
    assert lessons == ["几分之一", "几分之几", "分数的简单计算", "口算乘法", "笔算乘法"]
    assert modal.locator("#id_lesson_textbook").input_value() == str(book.pk)
    # The cascade offers only that volume's units.
    units = modal.locator("#id_lesson_unit option:not([hidden])").all_inner_texts()
    assert units == ["全部单元", "8 分数的初步认识", "6 多位数乘一位数"]
    shot(page, "lesson-picker-narrowed")

    actions.click(modal.locator("a[data-chooser-modal-choice]", has_text="几分之几"))
    page.locator(".modal-content").wait_for(state="detached")
    assert page.locator("#id_knowledge_node").input_value() == str(KnowledgeNode.objects.get(title="几分之几").pk)
    assert actions.count == 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_cascade_narrows_step_by_step(page, live_server, library):
    sign_in(page, live_server, "teacher1")
    chooser = open_new_package(page, live_server)
    choose_button(chooser).click()
    modal = page.locator(".modal-content")
    # The first results mean the modal's script has taken over the form (a choice made before is lost).
    modal.locator("a[data-chooser-modal-choice]").first.wait_for()

    modal.locator("#id_lesson_stage").select_option(label="初中")
    # Only the junior-school grade and subject are left to choose from.
    assert modal.locator("#id_lesson_grade option:not([hidden])").all_inner_texts() == ["全部年级", "八年级"]
    assert modal.locator("#id_lesson_subject option:not([hidden])").all_inner_texts() == ["全部学科", "物理"]
    modal.locator("a[data-chooser-modal-choice]", has_text="几分之一").wait_for(state="detached")
    assert modal.locator("a[data-chooser-modal-choice]", has_text="运动的快慢").count() == 1

    modal.locator("#id_lesson_stage").select_option(label="小学")
    # As a person does: see the list follow the 学段 before choosing the 册 (an answer still on
    # its way for the 学段 alone would otherwise land after the 册's and show both).
    modal.locator("a[data-chooser-modal-choice]", has_text="几分之一").first.wait_for()
    modal.locator("#id_lesson_textbook").select_option(label="北师大版 数学 三年级下册")
    modal.locator("a[data-chooser-modal-choice]", has_text="分一分（一）").wait_for()
    modal.locator("a[data-chooser-modal-choice]", has_text="几分之一").wait_for(state="detached")
    shot(page, "lesson-picker-cascade")
    # Going back to 初中 drops the primary-school 册 instead of showing nothing.
    modal.locator("#id_lesson_stage").select_option(label="初中")
    assert modal.locator("#id_lesson_textbook").input_value() == ""
    modal.locator("a[data-chooser-modal-choice]", has_text="运动的快慢").wait_for()
