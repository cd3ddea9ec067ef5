"""A teacher prepares a complete 晒课 package, saves it twice, submits it and watches it get ready.

Everything through the screen: the site's 登录, 工作台 → 我的课例 → 新建晒课课例,
the title typed, the 课 found by typing pinyin into the lesson picker, the
video through the resumable uploader (its progress bar), the three documents
through the document chooser's own upload form, 保存草稿, a reload, a second
edit and save, 提交审核, the transcoding percentage in 我的课例 until
可以播放, and the preview with its player. The teacher is teacher2 of
青山乡中心小学, a rural school; the same journey runs at a phone's size.
"""

import pytest

from tests.journeys.conftest import JOURNEY_MARKS
from tests.journeys.steps import (
    TRANSCODE_WAIT_MS,
    add_part,
    attach_document,
    checklist,
    choose_lesson,
    save_draft,
    submit_for_review,
    upload_video,
)

pytestmark = JOURNEY_MARKS


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_teacher_builds_saves_submits_and_previews_a_package(person, files, phone):
    teacher = person("teacher", phone=phone)
    page = teacher.go("/")
    teacher.sign_in("teacher2")
    page.get_by_role("link", name="工作台").click()
    if phone:  # the admin's menu is folded away: the dashboard's 我的课例 panel
        page.get_by_role("region", name="我的课例").get_by_role("link", name="查看全部").click()
    else:
        page.get_by_role("navigation").get_by_role("link", name="我的课例").click()
    teacher.shoot("01-my-lessons")
    page.get_by_role("link", name="新建晒课课例").first.click()

    title = "分数的初步认识" + ("（手机）" if phone else "")
    page.locator("#id_title").fill(title)
    choose_lesson(page, "fenshu", "三年级上册 · 8 分数的初步认识 · 分数的初步认识")
    upload_video(page, add_part(page, "课堂实录"), files / "课堂实录.mp4")
    attach_document(page, add_part(page, "教学设计"), f"{title} 教学设计", files / "教学设计.pdf")
    attach_document(page, add_part(page, "课件及资源"), f"{title} 课件", files / "课件.pptx")
    attach_document(page, add_part(page, "评测练习"), f"{title} 练习", files / "评测练习.docx")
    teacher.shoot("02-package-filled")
    save_draft(page)

    page.reload()
    assert set(checklist(page).values()) == {"true"}, checklist(page)
    assert page.locator("#id_knowledge_node-chooser").inner_text().strip().endswith("分数的初步认识")
    assert "课堂实录.mp4" in page.locator(".yk-part-video").first.inner_text(), "the video stays after a reload"
    teacher.shoot("03-saved-and-reloaded")

    # Back later: edit again, save again.
    page.get_by_role("textbox", name="简介").fill("通过分蛋糕认识几分之一，适合乡村小学三年级。")
    save_draft(page)
    page.reload()
    assert page.get_by_role("textbox", name="简介").input_value().startswith("通过分蛋糕")
    assert set(checklist(page).values()) == {"true"}
    assert "课堂实录.mp4" in page.locator(".yk-part-video").first.inner_text()

    submit_for_review(page)
    page.wait_for_url("**/admin/my-lessons/")  # back in 我的课例, not in everyone's explorer
    page.locator(".messages").wait_for()
    teacher.shoot("04-submitted")
    row = page.locator("tr", has_text=title).first
    assert "校级审核中" in row.inner_text()
    row.get_by_text("可以播放").wait_for(timeout=TRANSCODE_WAIT_MS)  # refreshed by the page, not reloaded
    teacher.shoot("05-transcoded")

    with page.context.expect_page() as preview_opened:
        row.get_by_role("link", name="预览").click()
    preview = preview_opened.value
    preview.wait_for_load_state()
    assert title in preview.title()
    preview.get_by_role("button", name="播放").first.wait_for()
    preview.screenshot(path=str(teacher.folder() / f"06-preview-{teacher.size}.png"), full_page=True)
