"""In Chromium, the whole training journey: a trainer builds a course in the Wagtail admin, a teacher takes it
(enrols, watches with the real player's heartbeats, passes the quiz, downloads the certificate), and the
trainer filters the dashboard and exports just those rows.

Seeded, because they are not what this journey tests: the accounts and schools, and one transcoded clip
(the uploader has its own browser tests in tests/media_pipeline/uploads/test_upload_browser.py).
Screenshots of each key page go to var/screenshots/journeys/training/.
"""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from resources.models import School
from training import enrolment
from training.models import CoursePage, ModulePage, QuizLessonPage, TrainingIndexPage, VideoLessonPage
from training.provision import ensure_training

from .helpers import school, user
from .test_browser import signed_in, transcoded_clip

pytestmark = [
    pytest.mark.service("ffmpeg"),
    pytest.mark.service("s3"),
    pytest.mark.service("chromium"),
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "journeys" / "training"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


def shoot(page, name, phone=False):
    """A full-page screenshot at desktop size, and at phone size too for the teacher's pages."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=SHOTS / f"{name}-desktop.png", full_page=True)
    if phone:
        page.set_viewport_size(PHONE)
        page.screenshot(path=SHOTS / f"{name}-phone.png", full_page=True)
        page.set_viewport_size(DESKTOP)


def publish(page):
    """Press 发布 (it sits in the editor footer's dropdown) and wait for the listing the admin returns to."""
    with page.expect_navigation():
        page.evaluate("document.querySelector('button[name=\"action-publish\"]').click()")
    assert "/edit/" not in page.url and "/add/" not in page.url, [
        page.locator(".messages").inner_text(),
        page.locator(".error-message").all_inner_texts(),
        page.locator("[aria-invalid=true]").evaluate_all("els => els.map(e => e.name + '=' + e.value)"),
    ]


def add_child(page, live_server, model, parent_pk, title, slug):
    page.goto(f"{live_server.url}/admin/pages/add/training/{model}/{parent_pk}/")
    page.locator("#id_title").fill(title)
    # The admin makes no slug of a Chinese title (the field stays empty and 发布 is refused): type one.
    page.get_by_role("tab", name="推荐").click()
    page.locator("#id_slug").fill(slug)
    page.get_by_role("tab", name="内容").click()


def build_course(page, live_server, video):
    """The trainer's part in the admin: course, module, video lesson, quiz lesson, each typed in and published."""
    index = TrainingIndexPage.objects.get()
    add_child(page, live_server, "coursepage", index.pk, "微课制作实战", "micro-lessons")
    page.locator("#id_study_hours").fill("8")
    page.get_by_label("A3 演示文稿设计与制作").check()
    page.locator("#id_min_video_percent").fill("50")  # the clip is four seconds; half of it is enough here
    shoot(page, "01-admin-course")
    publish(page)
    course = CoursePage.objects.get(title="微课制作实战")

    add_child(page, live_server, "modulepage", course.pk, "模块一：拍摄与剪辑", "m1")
    publish(page)
    module = ModulePage.objects.child_of(course).get()

    add_child(page, live_server, "videolessonpage", module.pk, "微课示范片段", "demo-clip")
    # The uploader hands the new video's id to this hidden field; here the clip is already uploaded.
    page.locator("input[name=video]").evaluate("(field, id) => { field.value = id; }", str(video.pk))
    shoot(page, "02-admin-video-lesson")
    publish(page)

    add_child(page, live_server, "quizlessonpage", module.pk, "随堂测验", "quiz")
    page.locator("[data-streamfield-stream-container] button, .c-sf-add-button").first.click()
    page.locator("textarea[name='questions-0-value-text']").fill("微课的时长一般以多长为宜？")
    choices = page.locator("input[name^='questions-0-value-choices-'][name$='-value-text']")
    while choices.count() < 2:
        page.locator("button[title='新增']").last.click()  # 新增 after the last choice
    choices.nth(0).fill("5 到 10 分钟")
    choices.nth(1).fill("45 分钟以上")
    page.locator("input[name^='questions-0-value-choices-'][name$='-value-correct']").first.check()
    shoot(page, "03-admin-quiz")
    publish(page)
    return CoursePage.objects.get(pk=course.pk)


def test_trainer_builds_teacher_completes_trainer_exports(browser, page, live_server, demo_site, tmp_path):
    ensure_training()
    school("CGYX", "城关第一小学", School.Area.URBAN)
    school("QSZX", "青山乡中心小学", School.Area.RURAL)
    trainer = user("tr_journey", role="trainer", name=("周", "老师"))
    teacher = user("t_journey", school_code="QSZX", name=("孙", "悦"))
    city_teacher = user("t_city", school_code="CGYX", name=("张", "敏"))
    video = transcoded_clip(tmp_path)
    video.owner = trainer  # the trainer's own upload: a lesson may use only the editor's own videos
    video.save(update_fields=["owner"])

    signed_in(page, live_server, trainer)
    page.set_viewport_size(DESKTOP)
    course = build_course(page, live_server, video)
    assert list(course.trainers.all()) == [trainer], "a trainer who builds a course trains it"
    assert VideoLessonPage.objects.get().video_id == video.pk and QuizLessonPage.objects.get().live
    enrolment.enrol(city_teacher, course)  # a second school, for the trainer's filter to leave out

    teacher_page = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    signed_in(teacher_page, live_server, teacher)
    take_the_course(teacher_page, live_server, course)
    teacher_page.context.close()

    page.goto(live_server.url + "/training/dashboard/")
    page.get_by_role("link", name="微课制作实战").click()
    page.get_by_label("城乡").select_option(label="乡村")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**area=rural**")
    shoot(page, "08-dashboard-filtered")
    with page.expect_download() as info:
        page.get_by_role("link", name="导出 CSV").click()
    rows = list(csv.reader(io.StringIO(info.value.path().read_text(encoding="utf-8").lstrip("\ufeff"))))
    assert [(row[0], row[2], row[3], row[4]) for row in rows[1:]] == [("孙悦", "青山乡中心小学", "乡村", "已完成")]


def take_the_course(page, live_server, course):
    """The teacher's part on the site: enrol, watch, pass the quiz, download the certificate."""
    page.goto(live_server.url + "/training/")
    shoot(page, "04-catalogue", phone=True)
    page.get_by_role("link", name="微课制作实战").click()
    page.get_by_role("button", name="报名参加").click()
    page.get_by_text("报名成功，开始学习吧。").wait_for()
    shoot(page, "05-course", phone=True)

    page.get_by_role("link", name="微课示范片段").click()
    page.click(".yk-play")
    page.get_by_text("已达到完成要求").wait_for(timeout=30000)  # the server's answer to a heartbeat
    shoot(page, "06-video-lesson", phone=True)

    page.goto(live_server.url + course.url)
    page.get_by_role("link", name="随堂测验").click()
    page.get_by_label("5 到 10 分钟").check()
    page.get_by_role("button", name="提交答卷").click()
    page.get_by_text("第 1 次作答：100 分，通过。").wait_for()
    page.get_by_text("恭喜，课程已完成，可下载证书。").wait_for()
    assert "剩余作答次数" not in page.locator("main, body").first.inner_text(), "a passed quiz takes no more attempts"
    shoot(page, "07-quiz-passed", phone=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="下载证书").first.click()
    pdf = info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")  # lines wrap
    assert "孙悦（青山乡中心小学）" in text and "《微课制作实战》" in text and "计 8.0 学时" in text
    page.goto(live_server.url + "/training/my/")
    shoot(page, "09-my-learning", phone=True)
