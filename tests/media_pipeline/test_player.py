"""A lesson's video on its page: the player, the authorising playlist proxy and signed segment URLs."""

import re

import pytest
import requests
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.test import Client

from media_pipeline import jobs
from media_pipeline.models import VideoStatus
from media_pipeline.tasks import transcode_video
from media_pipeline.video_documents import video_for_document
from resources.models import PackagePart
from tests.resources.helpers import document, package

from .clips import make_clip

pytestmark = [pytest.mark.service("ffmpeg"), pytest.mark.service("s3"), pytest.mark.django_db]


@pytest.fixture
def lesson(library, tmp_path, django_user_model):
    """A published package whose 课堂实录 is a real clip, transcoded."""
    teacher = django_user_model.objects.get(username="teacher1")
    page = package("分数的初步认识", owner=teacher, teacher=teacher)
    clip = make_clip(tmp_path / "lesson.mp4", size="640x360", seconds=3).read_bytes()
    part = page.parts.get(kind="video")
    part.document = document("课堂实录.mp4", clip, user=teacher)
    part.save()
    video = video_for_document(part.document)
    assert video.status == VideoStatus.QUEUED, "saving a video document queues it"
    transcode_video.apply(args=[str(video.pk), video.task_id]).get()
    video.refresh_from_db()
    assert video.status == VideoStatus.READY, video.error
    return page, video


def place_at_school(username, code):
    from resources.models import School
    from sso.models import SsoProfile

    user = get_user_model().objects.get(username=username)
    SsoProfile.objects.update_or_create(
        user=user, defaults={"sub": f"test-{username}", "school": School.objects.get(code=code)}
    )


def client_for(django_user_model, username=None):
    client = Client()
    if username:
        client.force_login(django_user_model.objects.get(username=username))
    return client


def test_the_lesson_page_shows_the_player_and_fetches_playlists_only_on_demand(lesson, django_user_model):
    page, video = lesson
    html = client_for(django_user_model, "teacher2").get(page.url).content.decode()
    assert 'class="yk-player"' in html and f"/media-pipeline/videos/{video.pk}/hls/master.m3u8" in html
    assert "media_pipeline/js/player.js" in html
    assert "省流量" in html and "下载课堂用小视频" in html
    # No HLS library: the player is our own few kB, and the poster is the small WebP.
    assert "hls.js" not in html and "hls.min" not in html
    assert f"/media-pipeline/videos/{video.pk}/poster.webp?v=" in html


def test_pages_without_video_do_not_load_the_player(library, django_user_model):
    page = package("没有视频的课", parts=False)
    html = client_for(django_user_model, "teacher1").get(page.url).content.decode()
    assert "player.js" not in html and "yk-player" not in html


def test_variant_playlists_list_signed_urls_that_s3_honours(lesson, django_user_model):
    page, video = lesson
    client = client_for(django_user_model, "teacher2")
    master = client.get(f"/media-pipeline/videos/{video.pk}/hls/master.m3u8")
    assert master.status_code == 200 and master["Content-Type"] == "application/vnd.apple.mpegurl"
    assert "private" in master["Cache-Control"]
    variant_uri = next(line for line in master.content.decode().splitlines() if line and not line.startswith("#"))
    variant = client.get(f"/media-pipeline/videos/{video.pk}/hls/{variant_uri}").content.decode()
    init = re.search(r'#EXT-X-MAP:URI="([^"]+)"', variant).group(1)
    segment = next(line for line in variant.splitlines() if line and not line.startswith("#"))
    for url in (init, segment):
        assert "X-Amz-Signature=" in url and "X-Amz-Expires=" in url, url
        assert requests.get(url, timeout=10).status_code == 200
    tampered = segment.replace("seg_0000", "seg_0001") if "seg_0000" in segment else segment + "x"
    assert requests.get(tampered, timeout=10).status_code == 403, "a signature covers exactly one file"
    # The bucket path itself is private.
    bare = segment.split("?", 1)[0]
    assert requests.get(bare, timeout=10).status_code == 403


def test_who_may_fetch_the_playlists(lesson, django_user_model):
    page, video = lesson
    master = f"/media-pipeline/videos/{video.pk}/hls/master.m3u8"
    assert Client().get(master).status_code == 404, "a signed-in-only lesson is not for anonymous visitors"
    assert client_for(django_user_model, "teacher2").get(master).status_code == 200
    # Unpublished: only its author and the reviewers of the author's school and the district.
    page.unpublish()
    place_at_school("teacher1", "CGYX")
    place_at_school("school_reviewer1", "QSZX")
    assert client_for(django_user_model, "teacher2").get(master).status_code == 404
    assert client_for(django_user_model, "teacher1").get(master).status_code == 200
    assert client_for(django_user_model, "school_reviewer1").get(master).status_code == 404
    place_at_school("school_reviewer1", "CGYX")
    assert client_for(django_user_model, "school_reviewer1").get(master).status_code == 200
    assert client_for(django_user_model, "district_reviewer1").get(master).status_code == 200
    # Names outside the stored outputs are refused, not looked up.
    assert client_for(django_user_model, "teacher1").get(master.replace("master", "../original")).status_code == 404


def test_download_redirects_to_a_short_lived_url_and_the_poster_is_answered_directly(lesson, django_user_model):
    page, video = lesson
    client = client_for(django_user_model, "teacher2")
    download = client.get(f"/media-pipeline/videos/{video.pk}/download")
    assert download.status_code == 302
    assert "response-content-disposition=attachment" in download["Location"]
    answer = requests.get(download["Location"], timeout=10)
    assert answer.status_code == 200 and answer.content[4:8] == b"ftyp"
    # The poster comes in the answer itself: a redirect would cost a round trip on a slow line.
    poster = client.get(f"/media-pipeline/videos/{video.pk}/poster.webp")
    body = b"".join(poster.streaming_content)
    assert poster.status_code == 200 and poster["Content-Type"] == "image/webp" and body[8:12] == b"WEBP"
    assert len(body) < 15_000
    jpeg = client.get(f"/media-pipeline/videos/{video.pk}/poster.jpg")
    assert b"".join(jpeg.streaming_content)[:2] == b"\xff\xd8"


def test_status_is_for_the_uploader_and_viewers_only(lesson, django_user_model):
    page, video = lesson
    url = f"/media-pipeline/videos/{video.pk}/status"
    assert Client().get(url).status_code == 404
    mine = client_for(django_user_model, "teacher1").get(url).json()
    assert mine["status"] == "ready" and mine["progress"] == 100 and mine["playable"] and "error" in mine
    theirs = client_for(django_user_model, "teacher2").get(url).json()
    assert theirs["playable"] and "error" not in theirs


def test_local_storage_serves_segments_through_expiring_signed_links(lesson, django_user_model, settings, tmp_path):
    page, video = lesson
    # Copy the ready outputs onto local storage, as the embedded default keeps them.
    names = [video.output_name(name) for name in video.outputs["files"]]
    contents = {name: default_storage.open(name, "rb").read() for name in names}
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")},
    }}  # fmt: skip
    for name, content in contents.items():
        target = tmp_path / "media" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)

    client = client_for(django_user_model, "teacher2")
    master = client.get(f"/media-pipeline/videos/{video.pk}/hls/master.m3u8").content.decode()
    variant_uri = next(line for line in master.splitlines() if line and not line.startswith("#"))
    variant = client.get(f"/media-pipeline/videos/{video.pk}/hls/{variant_uri}").content.decode()
    segment = next(line for line in variant.splitlines() if line and not line.startswith("#"))
    assert segment.startswith("/media-pipeline/files/")
    served = Client().get(segment)  # the link itself is the permission, for its lifetime
    assert served.status_code == 200 and b"".join(served.streaming_content)
    assert Client().get(segment[:-3] + "abc").status_code == 404


def test_expired_local_links_are_refused(lesson, settings, tmp_path, monkeypatch):
    import time

    from media_pipeline import urls_signing

    page, video = lesson
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)},
    }}  # fmt: skip
    url = urls_signing.file_url(video, video.output_name("poster.jpg"), expires=60)
    later = time.time() + 120
    monkeypatch.setattr(urls_signing.time, "time", lambda: later)
    assert Client().get(url).status_code == 404


def test_a_part_uploaded_straight_to_storage_plays_too(lesson, django_user_model):
    page, video = lesson
    part = page.parts.get(kind="video")
    part.document = None
    part.video = video
    part.save()
    assert page.videos() == [video]
    token = jobs.enqueue(video)
    assert token and client_for(django_user_model, "teacher2").get(page.url).status_code == 200
    assert PackagePart.objects.filter(video=video).exists()


def test_district_admins_follow_and_requeue_videos_in_the_admin(lesson, django_user_model):
    page, video = lesson
    admin = client_for(django_user_model, "district_admin1")
    listing = admin.get("/admin/videos/")
    assert listing.status_code == 200 and "课堂实录.mp4" in listing.content.decode()
    assert client_for(django_user_model, "teacher2").get("/admin/videos/").status_code in (302, 403)
    edit = admin.get(f"/admin/videos/edit/{video.pk}/")
    assert edit.status_code == 200 and "保存后重新转码" in edit.content.decode()
    answer = admin.post(f"/admin/videos/edit/{video.pk}/", {"title": "分数 课堂实录", "retranscode": "on"})
    assert answer.status_code == 302, answer.content[:2000]
    video.refresh_from_db()
    assert video.title == "分数 课堂实录" and video.status == VideoStatus.QUEUED
    assert video.output_prefix, "still playable while it is re-made"
