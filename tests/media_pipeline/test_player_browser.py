"""In Chromium: the lesson video really plays from the lowest rung, and 省流量 keeps it at 144p."""

import pytest
from django.conf import settings
from django.test import Client

from media_pipeline.tasks import transcode_video
from media_pipeline.video_documents import video_for_document
from resources.models import PackagePart
from tests.resources.helpers import document, package

from .clips import make_clip

pytestmark = [
    pytest.mark.service("ffmpeg"),
    pytest.mark.service("s3"),
    pytest.mark.service("chromium"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def lesson(library, tmp_path, django_user_model):
    teacher = django_user_model.objects.get(username="teacher1")
    page = package("认识钟表", owner=teacher, teacher=teacher, parts=False)
    clip = make_clip(tmp_path / "lesson.mp4", size="854x480", seconds=12).read_bytes()
    part = PackagePart.objects.create(
        package=page, kind="video", document=document("认识钟表-课堂实录.mp4", clip, user=teacher)
    )
    video = video_for_document(part.document)
    transcode_video.apply(args=[str(video.pk), video.task_id]).get()
    video.refresh_from_db()
    assert [rung["name"] for rung in video.outputs["rungs"]] == ["480p", "360p", "240p", "144p", "audio"]
    return page, video


def signed_in(page, live_server, django_user_model, username):
    client = Client()
    client.force_login(django_user_model.objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def playlists_requested(page):
    requested = []
    page.on("request", lambda request: "/hls/" in request.url and requested.append(request.url.split("/hls/")[1]))
    return requested


def test_the_video_plays_from_the_lowest_rung(page, live_server, lesson, django_user_model):
    lesson_page, video = lesson
    signed_in(page, live_server, django_user_model, "teacher2")
    requested = playlists_requested(page)
    page.goto(live_server.url + lesson_page.url)
    assert "/poster.webp?v=" in page.locator("video").get_attribute("poster")
    page.click(".yk-play")
    page.wait_for_function("document.querySelector('video').currentTime > 1.5", timeout=30000)
    first_variant = next(name for name in requested if name != "master.m3u8" and not name.startswith("audio"))
    assert first_variant == "144p/index.m3u8", requested
    # Loopback is fast: with enough buffered, the player climbs on its own, one rung at a time.
    page.wait_for_function("document.querySelector('.yk-player').dataset.level !== '144p'", timeout=30000)
    climbed = [name.split("/")[0] for name in requested if name.endswith("index.m3u8") and name != "master.m3u8"]
    assert climbed[:2] == ["144p", "240p"], requested


def test_data_saver_caps_at_144p_and_audio_only_plays_sound(page, live_server, lesson, django_user_model):
    lesson_page, video = lesson
    signed_in(page, live_server, django_user_model, "teacher2")
    requested = playlists_requested(page)
    page.goto(live_server.url + lesson_page.url)
    page.check(".yk-saver")
    page.select_option(".yk-quality", "480")  # asking for more than the saver allows
    page.click(".yk-play")
    page.wait_for_function("document.querySelector('video').currentTime > 2", timeout=30000)
    assert page.locator(".yk-player").get_attribute("data-level") == "144p"
    videos = {name.split("/")[0] for name in requested if name.endswith("index.m3u8") and "audio" not in name}
    assert videos == {"144p"}, requested
    assert page.evaluate("localStorage.getItem('yk-data-saver')") == "1", "the choice is remembered"

    page.select_option(".yk-quality", "audio")
    page.wait_for_function(
        "(() => { const p = document.querySelector('.yk-player').ykPlayer;"
        " return p.mode === 'audio' && p.video.currentTime > 3 && !p.video.paused; })()",
        timeout=30000,
    )
    assert "audio/index.m3u8" in requested


def test_a_stranger_gets_no_player_data(page, live_server, lesson):
    lesson_page, video = lesson
    answer = page.goto(f"{live_server.url}/media-pipeline/videos/{video.pk}/hls/master.m3u8")
    assert answer.status == 404
