"""Uploads on the embedded default: chunks PUT to the site, joined into the original on completion."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from media_pipeline.models import Upload, UploadStatus, Video, VideoStatus
from media_pipeline.uploads import checks
from tests.media_pipeline.uploads.helpers import BASE, LOCAL_PART, Api

pytestmark = [pytest.mark.django_db, pytest.mark.service("ffmpeg")]


@pytest.fixture
def api(teachers, local_uploads):
    return Api(user=teachers[0])


def original_path(local_uploads, video_id):
    return local_uploads / "media" / "videos" / str(video_id) / "original"


def test_interrupted_upload_sends_only_the_missing_parts_then_queues_the_video(api, clips, local_uploads):
    data = clips["video"].read_bytes()
    info = api.start(clips["video"])
    assert info["backend"] == "local" and info["part_size"] == LOCAL_PART
    assert info["parts_total"] == -(-len(data) // LOCAL_PART) >= 3
    video = Video.objects.get(pk=info["video_id"])
    assert video.status == VideoStatus.UPLOADING and video.original == f"videos/{video.pk}/original"

    api.send(info, data, [1, 3])  # the link drops after two parts

    status = api.status(info["id"]).json()  # a reload later: what arrived?
    assert [p["number"] for p in status["parts"]] == [1, 3]
    assert status["received_bytes"] == 2 * LOCAL_PART
    assert status["status"] == "active"
    rest = [n for n in range(1, info["parts_total"] + 1) if n not in (1, 3)]
    api.send(info, data, rest)

    response = api.complete(info["id"])
    assert response.status_code == 200, response.content.decode()
    assert response.json()["status"] == VideoStatus.QUEUED
    video.refresh_from_db()
    assert video.status == VideoStatus.QUEUED
    assert video.duration == pytest.approx(3.0, abs=0.1)
    assert original_path(local_uploads, video.pk).read_bytes() == data
    assert not (local_uploads / "chunks" / info["id"]).exists(), "chunks go once the original is whole"
    assert Upload.objects.get(pk=info["id"]).status == UploadStatus.COMPLETE
    # A second click answers the same and changes nothing.
    again = api.complete(info["id"])
    assert again.status_code == 200 and again.json()["video_id"] == info["video_id"]


def test_completing_with_parts_missing_lists_them_and_keeps_everything(api, clips, local_uploads):
    data = clips["video"].read_bytes()
    info = api.start(clips["video"])
    api.send(info, data, [1])
    response = api.complete(info["id"])
    assert response.status_code == 409
    body = response.json()
    assert body["missing"] == list(range(2, info["parts_total"] + 1))
    assert body["error"] == f"还有 {info['parts_total'] - 1} 个分片没有收到，请继续上传。"
    assert Video.objects.get(pk=info["video_id"]).status == VideoStatus.UPLOADING
    assert not original_path(local_uploads, info["video_id"]).exists(), "nothing half-made"
    assert (local_uploads / "chunks" / info["id"] / "00001").stat().st_size == LOCAL_PART


def test_a_part_sent_again_replaces_it_and_a_wrong_size_is_refused(api, clips):
    data = clips["video"].read_bytes()
    info = api.start(clips["video"])
    short = api.chunk(info["id"], 1, data[:100])
    assert short.status_code == 400
    assert short.json()["error"] == f"第 1 块大小不对：应为 {LOCAL_PART} 字节，收到 100 字节。请重试。"
    assert api.status(info["id"]).json()["parts"] == []
    api.send(info, b"x" * LOCAL_PART, [1])  # a garbled first try...
    api.send(info, data, range(1, info["parts_total"] + 1))  # ...replaced when sent again
    assert api.complete(info["id"]).status_code == 200
    assert Video.objects.get(pk=info["video_id"]).status == VideoStatus.QUEUED
    assert api.chunk(info["id"], info["parts_total"] + 1, b"x").status_code in (400, 409)


def test_empty_and_too_large_files_are_refused_before_any_byte(api, settings):
    response = api.create("空文件.mp4", 0)
    assert response.status_code == 400
    assert response.json()["error"] == "文件是空的（0 字节），请选择录好的课堂实录视频。"

    settings.VIDEO_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
    response = api.create("很长的课.mp4", 10 * 1024 * 1024 + 1)
    assert response.status_code == 413
    assert response.json()["error"] == "文件太大：最大 10 MB，这个文件有 10.0 MB。"
    assert api.create("正好.mp4", 10 * 1024 * 1024).status_code == 201
    assert api.create("", 100).status_code == 400
    assert api.create("x.mp4", "100").status_code == 400
    assert Video.objects.count() == 1


REFUSED = ["truncated", "truncated_faststart", "text", "pdf", "audio", "random"]


@pytest.mark.parametrize("name", REFUSED)
def test_files_that_are_no_video_end_failed_with_the_reason_and_the_original_kept(api, clips, local_uploads, name):
    info, response = api.upload(clips[name])
    assert response.status_code == 422
    message = response.json()["error"]
    assert any("\u4e00" <= c <= "\u9fff" for c in message), "a Chinese message"
    if name in ("truncated", "truncated_faststart"):
        assert message == checks.TRUNCATED
    if name == "audio":
        assert message == checks.AUDIO_ONLY
    video = Video.objects.get(pk=info["video_id"])
    assert video.status == VideoStatus.FAILED and video.error == message
    assert original_path(local_uploads, video.pk).read_bytes() == clips[name].read_bytes(), "nothing lost"
    upload = Upload.objects.get(pk=info["id"])
    assert upload.status == UploadStatus.REJECTED and upload.message == message
    assert api.complete(info["id"]).status_code == 422, "asking again gives the same answer"
    assert api.delete(info["id"]).status_code == 409, "a rejected original is kept, not deleted"


def test_cancelling_removes_the_unfinished_video_and_its_chunks(api, clips, local_uploads):
    info = api.start(clips["video"])
    api.send(info, clips["video"].read_bytes(), [1, 2])
    assert api.delete(info["id"]).status_code == 200
    assert not Video.objects.filter(pk=info["video_id"]).exists()
    assert not Upload.objects.filter(pk=info["id"]).exists()
    assert not (local_uploads / "chunks" / info["id"]).exists()
    assert api.status(info["id"]).status_code == 404


def test_a_completed_upload_cannot_be_cancelled(api, clips, local_uploads):
    info, response = api.upload(clips["video"])
    assert response.status_code == 200
    assert api.delete(info["id"]).status_code == 409
    assert original_path(local_uploads, info["video_id"]).exists()


def test_nobody_else_may_touch_an_upload(teachers, clips, local_uploads):
    owner, other = Api(user=teachers[0]), Api(user=teachers[1])
    data = clips["video"].read_bytes()
    info = owner.start(clips["video"])
    owner.send(info, data, [1])

    assert other.status(info["id"]).status_code == 404
    assert other.chunk(info["id"], 2, data[LOCAL_PART : 2 * LOCAL_PART]).status_code == 404
    assert other.complete(info["id"]).status_code == 404
    assert other.delete(info["id"]).status_code == 404
    assert other.sign(info["id"], [2]).status_code == 404
    assert [p["number"] for p in owner.status(info["id"]).json()["parts"]] == [1]
    assert Video.objects.get(pk=info["video_id"]).status == VideoStatus.UPLOADING


def test_anonymous_visitors_are_sent_to_login_and_reviewers_may_not_upload(teachers, local_uploads):
    anonymous = Api()
    response = anonymous.create("课.mp4", 100)
    assert response.status_code == 401
    assert response.json()["error"] == "登录已失效，请重新登录后继续上传。"
    assert response.json()["login_url"].startswith("/sso/login/?next=")
    reviewer = Api(user=get_user_model().objects.get(username="district_reviewer1"))
    response = reviewer.create("课.mp4", 100)
    assert response.status_code == 403
    assert response.json()["error"] == "您没有上传课堂实录的权限。"
    assert not Video.objects.exists()


def test_requests_without_the_csrf_token_are_refused(teachers, local_uploads):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teachers[0])
    body = json.dumps({"filename": "课.mp4", "size": 100})
    assert client.post(BASE, body, content_type="application/json").status_code == 403
    client.get("/admin/video-upload/")  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(BASE, body, content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_upload_page_in_the_admin_is_for_teachers(teachers, local_uploads, settings):
    settings.KEYCLOAK = None
    client = Client()
    assert client.get("/admin/video-upload/").status_code == 302
    client.force_login(teachers[0])
    page = client.get("/admin/video-upload/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "上传课堂实录" in html and "data-youke-uploader" in html and 'role="progressbar"' in html
    assert '"/admin/video-upload/"' in client.get("/admin/").content.decode(), "in the teacher's menu"
    reviewer = Client()
    reviewer.force_login(get_user_model().objects.get(username="district_reviewer1"))
    refused = reviewer.get("/admin/video-upload/")  # Wagtail answers PermissionDenied with a trip home
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    assert '"/admin/video-upload/"' not in reviewer.get("/admin/").content.decode()


def test_parts_bigger_than_djangos_memory_limit_stream_to_disk(api, clips, settings):
    settings.UPLOAD_PART_SIZE = 8 * 1024 * 1024  # the default, above DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)
    assert settings.UPLOAD_PART_SIZE > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    info, response = api.upload(clips["big"])
    assert info["parts_total"] == 2
    assert response.status_code == 200, response.content.decode()
    assert Video.objects.get(pk=info["video_id"]).status == VideoStatus.QUEUED
