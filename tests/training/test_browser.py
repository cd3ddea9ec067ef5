"""In Chromium: a teacher enrols, watches a real video (heartbeats), passes the quiz and gets the certificate."""

import subprocess

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from media_pipeline import jobs
from media_pipeline.models import Video, VideoStatus
from media_pipeline.tasks import transcode_video
from training.models import Certificate, StudyHoursEntry, VideoProgress

from .helpers import RIGHT, course, school, user

pytestmark = [
    pytest.mark.service("ffmpeg"),
    pytest.mark.service("s3"),
    pytest.mark.service("chromium"),
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def transcoded_clip(tmp_path, seconds=4):
    """A real clip, run through the real media pipeline into the real storage."""
    path = tmp_path / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size=640x360:rate=25:duration={seconds}",
         "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", str(path)],
        check=True,
        timeout=60,
    )  # fmt: skip
    video = Video.objects.create(original_filename="clip.mp4", original="", size=path.stat().st_size)
    video.original = default_storage.save(Video.original_name_for(video.pk), ContentFile(path.read_bytes()))
    video.save()
    transcode_video.apply(args=[str(video.pk), jobs.enqueue(video)])
    video.refresh_from_db()
    assert video.status == VideoStatus.READY, video.error
    return video


def signed_in(browser_page, live_server, account):
    client = Client()
    client.force_login(account)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    browser_page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_teacher_enrols_watches_passes_and_downloads_the_certificate(page, live_server, demo_site, tmp_path):
    from training.models import VideoLessonPage

    school()
    training_course = course("课堂视频剪辑入门", kinds=("video", "quiz"))
    video_lesson = VideoLessonPage.objects.descendant_of(training_course).get()
    video_lesson.video = transcoded_clip(tmp_path)
    video_lesson.save_revision().publish()
    teacher = user("t_browser", school_code="CGYX", name=("孙", "悦"))
    signed_in(page, live_server, teacher)

    page.goto(live_server.url + "/training/")
    page.get_by_role("link", name="课堂视频剪辑入门").click()
    page.get_by_role("button", name="报名参加").click()
    page.get_by_text("报名成功，开始学习吧。").wait_for()

    page.get_by_role("link", name="视频一").click()
    page.click(".yk-play")
    # The status line is the server's answer to the last heartbeat.
    page.get_by_text("已达到完成要求").wait_for(timeout=30000)
    watched = VideoProgress.objects.get(user=teacher)
    assert watched.duration == pytest.approx(4, abs=0.2)
    # Played once at normal speed: at least the course's 90 %, at most what the clock allowed.
    assert 90 <= watched.percent <= 100 and len(watched.segments) == 1

    page.goto(live_server.url + training_course.url)
    page.get_by_role("link", name="测验一").click()
    for number, picks in enumerate(RIGHT):
        fieldset = page.locator("form.quiz fieldset").nth(number)
        for index in picks:
            fieldset.locator("input").nth(index).check()
    page.get_by_role("button", name="提交答卷").click()
    page.get_by_text("第 1 次作答：100 分，通过。").wait_for()
    # Passed: the right answers are shown now, and the quiz takes no further attempt.
    page.get_by_text("正确答案：提炼关键词，配合图示").wait_for()
    assert page.locator("form.quiz").count() == 0

    page.get_by_role("link", name="我的学习").click()
    assert "12.5 学时" in page.locator("body").inner_text()
    link = page.get_by_role("link", name="下载证书")
    pdf = page.request.get(live_server.url + link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    certificate = Certificate.objects.get(user=teacher)
    assert StudyHoursEntry.objects.filter(user=teacher).count() == 1
    page.context.clear_cookies()  # the verification page is public
    page.goto(f"{live_server.url}/training/certificates/verify/{certificate.code}/")
    text = page.locator("body").inner_text()
    assert "有效证书" in text and "孙悦" in text and "课堂视频剪辑入门" in text and "城关第一小学" in text
