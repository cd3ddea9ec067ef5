"""What people do on the screen, as steps the journeys share (never the ORM)."""

from docx import Document as Docx
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from pptx import Presentation

from resources import demo_files
from tests.media_pipeline.clips import make_clip

TRANSCODE_WAIT_MS = 240_000  # a few seconds of video on a busy 2-core CI machine


def make_teaching_files(folder):
    """A short lesson video and the three documents of a 晒课 package, as a teacher has them."""
    make_clip(folder / "课堂实录.mp4", size="640x360", seconds=6)
    (folder / "教学设计.pdf").write_bytes(demo_files.pdf(["分数的初步认识 教学设计", "教学目标：认识几分之一"]))
    deck = Presentation()
    deck.slides.add_slide(deck.slide_layouts[1]).shapes.title.text = "分数的初步认识 课件"
    deck.save(folder / "课件.pptx")
    exercises = Docx()
    exercises.add_paragraph("评测练习：把一个圆平均分成 4 份，每份是它的几分之一？")
    exercises.save(folder / "评测练习.docx")
    return folder


def add_part(page, kind):
    page.get_by_role("button", name="增加 课例组成部分").click()
    part = page.locator("[id^='inline_child_parts-']").last
    part.locator("select[name$='-kind']").select_option(label=kind)
    return part


def attach_document(page, part, title, path):
    """The document chooser's 上传 tab: a title, the file from the real file input, 上传."""
    part.get_by_role("button", name="选择一个文档").click()
    modal = page.locator(".modal-content")
    modal.get_by_role("tab", name="上传").click()
    modal.get_by_label("标题*").fill(title)
    modal.locator("input[type=file]").set_input_files(str(path))
    modal.get_by_role("button", name="上传").last.click()
    modal.wait_for(state="detached")
    part.get_by_text(title).wait_for()
    # What a save will send: the chooser's own field holds the new document.
    expect(part.locator("input[type=hidden][name$='-document']")).not_to_have_value("")


def upload_video(page, part, path):
    part.get_by_label("选择课堂实录视频").set_input_files(str(path))
    bar = part.get_by_role("progressbar", name="上传进度")
    bar.wait_for()
    page.wait_for_selector(".yk-uploader__status.is-done, .yk-uploader__status.is-error", timeout=60_000)
    status = part.locator(".yk-uploader__status").inner_text()
    assert "上传成功" in status, status
    assert bar.get_attribute("aria-valuenow") == "100"


def choose_lesson(page, pinyin, path):
    page.locator("#id_knowledge_node-chooser [data-chooser-action-choose]").first.click()
    modal = page.locator(".modal-content")
    # As a person does: wait for the list, then type, and look at what was typed (a keystroke
    # made while the modal's script was still wiring the form can be lost; a person types again).
    modal.locator("a[data-chooser-modal-choice]").first.wait_for()
    search = modal.locator("#id_q")
    wanted = modal.locator("a[data-chooser-modal-choice]", has_text=path).first
    for _attempt in range(3):
        search.fill("")
        search.press_sequentially(pinyin, delay=50)
        try:
            wanted.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            continue
    wanted.click()
    modal.wait_for(state="detached")


def save_draft(page):
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state()
    message = page.locator(".messages").inner_text()
    assert "已被" in message or "已创建" in message, message


def checklist(page):
    rows = page.locator(".youke-checklist > li")
    return {row.locator("strong").first.inner_text(): row.get_attribute("data-complete") for row in rows.all()}


def submit_for_review(page):
    """The footer's action menu → 提交…; the editor must have finished loading, as for a person."""
    page.wait_for_load_state("networkidle")
    page.locator("footer [aria-label='更多动作'], footer .dropdown-toggle, footer button[aria-expanded]").last.click()
    with page.expect_navigation():
        page.locator("footer").get_by_role("button", name="提交").first.click()
    page.wait_for_load_state()
    errors = page.locator(".messages .error, .w-field__errors p")
    assert errors.count() == 0, errors.all_inner_texts()


def prepare_and_submit(teacher, files, title, *, public=False):
    """The teacher's package journey in short: sign-in done, from 工作台 to 提交审核; back in 我的课例."""
    page = teacher.page
    page.get_by_role("link", name="工作台").click()
    page.get_by_role("region", name="我的课例").get_by_role("link", name="新建晒课课例").click()
    page.locator("#id_title").fill(title)
    choose_lesson(page, "fenshu", "三年级上册 · 8 分数的初步认识 · 分数的初步认识")
    if public:
        page.locator("select[name=licence]").select_option(label="公开（任何人可看）")
    upload_video(page, add_part(page, "课堂实录"), files / "课堂实录.mp4")
    attach_document(page, add_part(page, "教学设计"), f"{title} 教学设计", files / "教学设计.pdf")
    attach_document(page, add_part(page, "课件及资源"), f"{title} 课件", files / "课件.pptx")
    attach_document(page, add_part(page, "评测练习"), f"{title} 练习", files / "评测练习.docx")
    save_draft(page)
    submit_for_review(page)
    page.wait_for_url("**/admin/my-lessons/")
