"""Uploads straight to the real S3 server (S3Proxy checks every signature) on presigned part URLs."""

from urllib.parse import urlsplit

import pytest
import requests
from botocore.exceptions import ClientError

from media_pipeline.models import Upload, UploadStatus, Video, VideoStatus
from media_pipeline.uploads import checks
from tests.media_pipeline.uploads.helpers import S3_PART, Api

pytestmark = [pytest.mark.django_db, pytest.mark.service("s3"), pytest.mark.service("ffmpeg")]


@pytest.fixture
def api(teachers, s3_uploads):
    return Api(user=teachers[0])


def test_interrupted_multipart_upload_resumes_from_s3s_own_list_and_queues_the_video(api, clips, s3_uploads):
    data = clips["big"].read_bytes()
    info = api.start(clips["big"])
    assert info["backend"] == "s3" and info["part_size"] == S3_PART and info["parts_total"] == 3
    key = s3_uploads.key(f"videos/{info['video_id']}/original")
    assert [u["Key"] for u in s3_uploads.pending()] == [key]

    api.send(info, data, [2])  # the browser got one part through, then the tab was closed

    status = api.status(info["id"]).json()
    assert [(p["number"], p["size"]) for p in status["parts"]] == [(2, S3_PART)]
    assert status["parts"][0]["etag"].strip('"')
    assert status["received_bytes"] == S3_PART
    refused = api.complete(info["id"])
    assert refused.status_code == 409 and refused.json()["missing"] == [1, 3]

    api.send(info, data, [1, 3])
    response = api.complete(info["id"])
    assert response.status_code == 200, response.content.decode()
    assert response.json()["status"] == VideoStatus.QUEUED
    assert Video.objects.get(pk=info["video_id"]).status == VideoStatus.QUEUED
    stored = s3_uploads.client.get_object(Bucket=s3_uploads.bucket, Key=key)["Body"].read()
    assert stored == data
    assert s3_uploads.pending() == [], "the multipart upload is closed"
    assert api.complete(info["id"]).status_code == 200, "a second click answers the same"


def test_part_urls_are_signed_for_the_browsers_endpoint_and_for_one_part_only(api, clips, settings):
    settings.S3_PUBLIC_ENDPOINT_URL = "http://localhost:8280"  # as if the browser reached S3 by another name
    data = clips["big"].read_bytes()
    info = api.start(clips["big"])
    urls = api.sign(info["id"], [1, 2]).json()["urls"]
    assert urlsplit(urls["1"]).netloc == "localhost:8280"
    assert "X-Amz-Signature" in urls["1"] and "partNumber=1" in urls["1"]
    # The signature covers the part number: part 1's URL cannot be used for part 2.
    forged = urls["1"].replace("partNumber=1", "partNumber=2")
    assert requests.put(forged, data=data[S3_PART : 2 * S3_PART], timeout=30).status_code == 403
    assert requests.put(urls["1"], data=data[:S3_PART], timeout=30).status_code == 200
    assert [p["number"] for p in api.status(info["id"]).json()["parts"]] == [1]
    assert api.sign(info["id"], [0]).status_code == 400
    assert api.sign(info["id"], [4]).status_code == 400


@pytest.mark.parametrize("name", ["text", "truncated", "audio"])
def test_no_video_in_s3_fails_with_the_reason_and_the_object_kept(api, clips, s3_uploads, name):
    info, response = api.upload(clips[name])
    assert response.status_code == 422
    expected = {"text": checks.TEXT, "truncated": checks.TRUNCATED, "audio": checks.AUDIO_ONLY}[name]
    assert response.json()["error"] == expected
    video = Video.objects.get(pk=info["video_id"])
    assert video.status == VideoStatus.FAILED and video.error == expected
    key = s3_uploads.key(f"videos/{video.pk}/original")
    assert s3_uploads.client.get_object(Bucket=s3_uploads.bucket, Key=key)["Body"].read() == clips[name].read_bytes()
    assert Upload.objects.get(pk=info["id"]).status == UploadStatus.REJECTED


def test_another_teacher_cannot_sign_parts_of_my_upload(teachers, clips, s3_uploads):
    info = Api(user=teachers[0]).start(clips["big"])
    other = Api(user=teachers[1])
    assert other.sign(info["id"], [1]).status_code == 404
    assert other.status(info["id"]).status_code == 404
    assert other.complete(info["id"]).status_code == 404


def test_cancelling_aborts_the_multipart_upload(api, clips, s3_uploads):
    info = api.start(clips["big"])
    api.send(info, clips["big"].read_bytes(), [1])
    assert api.delete(info["id"]).status_code == 200
    assert s3_uploads.pending() == []
    assert not Video.objects.filter(pk=info["video_id"]).exists()
    with pytest.raises(ClientError):
        s3_uploads.client.head_object(
            Bucket=s3_uploads.bucket, Key=s3_uploads.key(f"videos/{info['video_id']}/original")
        )


def test_s3_out_of_reach_is_a_503_that_says_wait_and_nothing_is_lost(api, clips, s3_uploads, settings):
    """S3 refusing connections (here: the site pointed at a closed port) is a clear 503, not a 500 page;
    when it answers again the upload goes on from the parts it holds."""
    data = clips["big"].read_bytes()
    info = api.start(clips["big"])
    api.send(info, data, [1])
    reachable = settings.STORAGES
    default = reachable["default"]
    settings.STORAGES = {
        **reachable,
        "default": {**default, "OPTIONS": {**default["OPTIONS"], "endpoint_url": "http://127.0.0.1:1"}},
    }
    for response in (api.status(info["id"]), api.complete(info["id"])):
        assert response.status_code == 503, response.content.decode()[:300]
        assert "视频存储暂时连不上" in response.json()["error"] and response.json()["retry"] is True
    assert Upload.objects.get(pk=info["id"]).status == UploadStatus.ACTIVE

    settings.STORAGES = reachable
    assert [p["number"] for p in api.status(info["id"]).json()["parts"]] == [1]
    api.send(info, data, [2, 3])
    assert api.complete(info["id"]).status_code == 200
