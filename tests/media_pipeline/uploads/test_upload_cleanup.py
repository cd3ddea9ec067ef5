"""Abandoned uploads are removed after UPLOAD_ABANDON_HOURS; completed originals never are."""

import datetime
import os
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from media_pipeline.models import Upload, UploadStatus, Video, VideoStatus
from media_pipeline.uploads.cleanup import cleanup_abandoned
from tests.media_pipeline.uploads.helpers import Api

pytestmark = [pytest.mark.django_db, pytest.mark.service("ffmpeg")]
ABANDONED = "上传超过 48 小时没有进展，未传完的部分已清理；请重新选择文件上传。"


def idle_for(upload_id, hours):
    Upload.objects.filter(pk=upload_id).update(last_activity_at=timezone.now() - datetime.timedelta(hours=hours))


def three_uploads(api, clip):
    """One finished, one left two days ago, one still going."""
    data = clip.read_bytes()
    done, response = api.upload(clip)
    assert response.status_code == 200
    left = api.start(clip)
    api.send(left, data, [1])
    going = api.start(clip)
    api.send(going, data, [1])
    idle_for(done["id"], 100)
    idle_for(left["id"], 49)
    idle_for(going["id"], 47)
    return done, left, going


def assert_abandoned(api, info):
    upload = Upload.objects.get(pk=info["id"])
    assert upload.status == UploadStatus.ABANDONED and upload.message == ABANDONED
    video = Video.objects.get(pk=info["video_id"])
    assert video.status == VideoStatus.FAILED and video.error == ABANDONED
    assert api.status(info["id"]).json()["status"] == "abandoned"
    assert api.complete(info["id"]).status_code == 410


def test_local_cleanup_removes_abandoned_chunks_and_keeps_the_rest(teachers, clips, local_uploads, settings):
    settings.UPLOAD_ABANDON_HOURS = 48
    api = Api(user=teachers[0])
    done, left, going = three_uploads(api, clips["video"])
    orphan = local_uploads / "chunks" / str(uuid.uuid4())  # a folder no upload row owns (a crash)
    orphan.mkdir()
    (orphan / "00001").write_bytes(b"x")
    two_days_ago = (timezone.now() - datetime.timedelta(hours=49)).timestamp()
    os.utime(orphan, (two_days_ago, two_days_ago))

    assert cleanup_abandoned() == {"abandoned": 1, "s3_orphans": 0, "local_orphans": 1, "errors": 0}

    assert_abandoned(api, left)
    assert not (local_uploads / "chunks" / left["id"]).exists()
    assert not orphan.exists()
    assert (local_uploads / "chunks" / going["id"] / "00001").exists(), "a recent upload may still resume"
    assert Upload.objects.get(pk=going["id"]).status == UploadStatus.ACTIVE
    original = local_uploads / "media" / "videos" / done["video_id"] / "original"
    assert original.read_bytes() == clips["video"].read_bytes()
    assert Video.objects.get(pk=done["video_id"]).status == VideoStatus.QUEUED


@pytest.mark.service("s3")
def test_s3_cleanup_aborts_abandoned_and_orphaned_multipart_uploads(teachers, clips, s3_uploads, settings):
    settings.UPLOAD_ABANDON_HOURS = 48
    api = Api(user=teachers[0])
    done, left, going = three_uploads(api, clips["big"])
    # A multipart upload S3 holds but no row knows (the site died right after creating it).
    orphan_key = s3_uploads.key(f"videos/{uuid.uuid4()}/original")
    s3_uploads.client.create_multipart_upload(Bucket=s3_uploads.bucket, Key=orphan_key)
    keys = {u["Key"] for u in s3_uploads.pending()}
    assert orphan_key in keys and len(keys) == 3

    # Nothing of S3's is two days old yet: only the row that says so is abandoned.
    assert cleanup_abandoned()["abandoned"] == 1
    assert orphan_key in {u["Key"] for u in s3_uploads.pending()}
    assert_abandoned(api, left)

    # Two days on, the orphan goes; the upload still going is kept (it is known), and so is the original.
    later = timezone.now() + datetime.timedelta(hours=49)
    Upload.objects.filter(pk=going["id"]).update(last_activity_at=later - datetime.timedelta(hours=1))
    summary = cleanup_abandoned(now=later)
    assert summary["abandoned"] == 0 and summary["errors"] == 0
    assert [u["Key"] for u in s3_uploads.pending()] == [s3_uploads.key(f"videos/{going['video_id']}/original")]
    original = s3_uploads.key(f"videos/{done['video_id']}/original")
    body = s3_uploads.client.get_object(Bucket=s3_uploads.bucket, Key=original)["Body"].read()
    assert body == clips["big"].read_bytes()
    assert Upload.objects.get(pk=going["id"]).status == UploadStatus.ACTIVE


def test_command_reports_what_it_removed(teachers, clips, local_uploads, settings, capsys):
    settings.UPLOAD_ABANDON_HOURS = 48
    api = Api(user=teachers[0])
    info = api.start(clips["video"])
    idle_for(info["id"], 3)
    call_command("cleanup_uploads")
    assert Upload.objects.get(pk=info["id"]).status == UploadStatus.ACTIVE
    call_command("cleanup_uploads", hours=2)
    assert Upload.objects.get(pk=info["id"]).status == UploadStatus.ABANDONED
    assert "已清理 1 个超时上传" in capsys.readouterr().out


def test_beat_runs_the_cleanup_on_the_default_queue(settings, local_uploads):
    from media_pipeline.upload_tasks import cleanup_uploads
    from youke.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["media-pipeline-cleanup-uploads"]
    app.loader.import_default_modules()  # what a worker does at start: CELERY_IMPORTS included
    assert entry["task"] in app.tasks
    assert app.amqp.router.route({}, entry["task"])["queue"].name == "default", "not behind long transcodes"
    assert cleanup_uploads.apply().get() == {"abandoned": 0, "s3_orphans": 0, "local_orphans": 0, "errors": 0}
