"""The transcode job end to end in this process: real ffmpeg, real storage (S3Proxy in the suite).

The Celery task is called with .apply() here - same code, run in the test's
process so the database rows are visible; the worker-process path is in
test_video_worker.py.
"""

import subprocess

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from media_pipeline import jobs, store
from media_pipeline.models import Video, VideoStatus
from media_pipeline.tasks import transcode_video

from .clips import make_clip

pytestmark = [pytest.mark.service("ffmpeg"), pytest.mark.service("s3"), pytest.mark.django_db]


@pytest.fixture
def stored_clip(tmp_path):
    def make(name="lesson.mp4", **clip):
        path = make_clip(tmp_path / name, **clip)
        video = Video.objects.create(original_filename=name, original="", size=path.stat().st_size)
        video.original = default_storage.save(Video.original_name_for(video.pk), ContentFile(path.read_bytes()))
        video.save()
        return video

    return make


def run_job(video):
    token = jobs.enqueue(video)
    return transcode_video.apply(args=[str(video.pk), token]).get()


def stored_bytes(name):
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def test_a_job_stores_every_output_and_marks_ready_in_one_step(stored_clip):
    video = stored_clip(size="640x360", seconds=3)
    original = stored_bytes(video.original)

    assert run_job(video)["status"] == "ready"

    video.refresh_from_db()
    assert video.status == VideoStatus.READY and video.progress == 100
    assert video.output_prefix.startswith(f"videos/{video.pk}/r1-")
    files = video.outputs["files"]
    assert "master.m3u8" in files and "download.mp4" in files and "poster.jpg" in files
    for name in files:
        assert default_storage.exists(video.output_name(name)), name
    assert [rung["name"] for rung in video.outputs["rungs"]] == ["360p", "240p", "144p", "audio"]
    assert video.duration == pytest.approx(3, abs=0.2)
    assert stored_bytes(video.original) == original, "the original is never touched"


def test_retranscode_replaces_outputs_whole_and_removes_the_old_run(stored_clip, django_capture_on_commit_callbacks):
    video = stored_clip(seconds=2)
    run_job(video)
    video.refresh_from_db()
    first = video.output_prefix

    # Old runs are deleted after the commit that makes the new one live.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retranscode", str(video.pk), "--now")

    video.refresh_from_db()
    assert video.status == VideoStatus.READY and video.output_prefix != first
    assert store.prefixes(video.pk) == [video.output_prefix], "the earlier run is deleted once the new one is live"
    assert video.attempts == 2


def test_retranscode_does_not_queue_a_video_twice(stored_clip, capsys):
    video = stored_clip(seconds=1)
    token = jobs.enqueue(video)
    call_command("retranscode", str(video.pk))
    video.refresh_from_db()
    assert video.task_id == token, "already queued: the command leaves the job alone"
    assert "未重复提交" in capsys.readouterr().out
    with pytest.raises(CommandError, match="找不到视频"):
        call_command("retranscode", "not-a-uuid")


def test_a_corrupt_upload_fails_with_a_chinese_message_and_keeps_the_original(stored_clip, tmp_path):
    video = stored_clip(seconds=2)
    broken = stored_bytes(video.original)[:2000]  # cut short: a link dropped mid-upload
    default_storage.delete(video.original)
    default_storage.save(video.original, ContentFile(broken))

    outcome = run_job(video)

    video.refresh_from_db()
    assert outcome["status"] == "failed" and video.status == VideoStatus.FAILED
    assert any("\u4e00" <= char <= "\u9fff" for char in video.error), video.error
    assert not video.output_prefix and store.prefixes(video.pk) == []
    assert stored_bytes(video.original) == broken


def test_a_text_file_named_mp4_is_refused_by_content(stored_clip):
    video = stored_clip(seconds=1)
    default_storage.delete(video.original)
    default_storage.save(video.original, ContentFile("第一课 教案".encode() * 200))
    run_job(video)
    video.refresh_from_db()
    assert video.status == VideoStatus.FAILED and video.error


def test_a_superseded_job_does_nothing(stored_clip):
    video = stored_clip(seconds=1)
    old = jobs.enqueue(video)
    jobs.enqueue(video)  # re-queued meanwhile: the first message is now stale
    assert transcode_video.apply(args=[str(video.pk), old]).get()["status"] == "superseded"
    video.refresh_from_db()
    assert video.status == VideoStatus.QUEUED and video.attempts == 0


def test_a_failed_retranscode_keeps_the_ready_outputs_playable(stored_clip):
    video = stored_clip(seconds=2)
    run_job(video)
    video.refresh_from_db()
    ready = video.output_prefix
    default_storage.delete(video.original)  # the original went missing on the storage

    outcome = run_job(video)

    video.refresh_from_db()
    assert outcome["status"] == "failed" and video.status == VideoStatus.FAILED, video.error
    assert video.output_prefix == ready and default_storage.exists(video.output_name("master.m3u8"))


def test_stuck_jobs_are_found_and_requeued(stored_clip):
    import datetime

    from django.utils import timezone

    video = stored_clip(seconds=1)
    token = jobs.enqueue(video)
    Video.objects.filter(pk=video.pk).update(
        status=VideoStatus.PROCESSING, heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert list(jobs.stuck()) == [Video.objects.get(pk=video.pk)]
    call_command("requeue_stuck")
    video.refresh_from_db()
    assert video.status == VideoStatus.QUEUED and video.task_id != token


def test_master_playlist_is_valid_for_ffprobe(stored_clip, tmp_path):
    video = stored_clip(size="426x240", seconds=2)
    run_job(video)
    video.refresh_from_db()
    # Copy the stored run out as a player would see it and let ffprobe follow the playlists.
    for name in video.outputs["files"]:
        target = tmp_path / "out" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(stored_bytes(video.output_name(name)))
    result = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type",
            "-of",
            "csv=p=0",
            tmp_path / "out/master.m3u8",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert {"video", "audio"} <= set(result.stdout.split())


def test_object_storage_down_is_retried_then_reported_and_nothing_is_lost(stored_clip, settings, monkeypatch):
    video = stored_clip(seconds=1)
    original = stored_bytes(video.original)
    real = settings.STORAGES
    # The same bucket behind a port nobody listens on: S3 is unreachable for the job.
    down = {**real["default"], "OPTIONS": {**real["default"]["OPTIONS"], "endpoint_url": "http://127.0.0.1:9"}}
    settings.STORAGES = {**real, "default": down}
    monkeypatch.setattr(transcode_video, "max_retries", 1)

    token = jobs.enqueue(video)
    result = transcode_video.apply(args=[str(video.pk), token])

    assert result.failed(), "after the last retry the error is raised for Celery to record"
    video.refresh_from_db()
    assert video.status == VideoStatus.FAILED and "对象存储" in video.error and video.attempts == 2
    settings.STORAGES = real
    assert stored_bytes(video.original) == original and not video.output_prefix


def test_a_playlist_disguised_as_a_video_is_refused_before_ffmpeg_reads_anything(stored_clip):
    video = stored_clip(seconds=1)
    default_storage.delete(video.original)
    # An HLS playlist pointing at a server file: ffmpeg would follow it if asked to read it.
    default_storage.save(video.original, ContentFile(b"#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"))
    run_job(video)
    video.refresh_from_db()
    assert video.status == VideoStatus.FAILED and "播放列表" in video.error
