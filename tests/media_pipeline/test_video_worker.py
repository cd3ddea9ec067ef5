"""Transcoding in a real Celery worker process, and a worker killed in the middle of a job."""

import datetime
import os
import signal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from media_pipeline import jobs, store
from media_pipeline.models import Video, VideoStatus

from .clips import make_clip
from .conftest import wait_for

pytestmark = [
    pytest.mark.service("ffmpeg"),
    pytest.mark.service("s3"),
    pytest.mark.service("redis"),
    pytest.mark.slow,
    # Serialized like the browser tests that follow: a plain transactional flush re-runs post_migrate,
    # and the next serialized test could not restore its content types over the new ones.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def queued_video(tmp_path, **clip):
    path = make_clip(tmp_path / "lesson.mp4", **clip)
    video = Video.objects.create(original_filename="lesson.mp4", original="", size=path.stat().st_size)
    video.original = default_storage.save(Video.original_name_for(video.pk), ContentFile(path.read_bytes()))
    video.save()
    jobs.enqueue(video)  # committed at once (transactional test): the task goes to Redis now
    return video


def test_a_worker_process_transcodes_a_queued_video(tmp_path, start_worker):
    video = queued_video(tmp_path, size="640x360", seconds=4)
    start_worker()
    ready = wait_for(lambda: Video.objects.filter(pk=video.pk, status=VideoStatus.READY).first(), 240, "ready")
    assert ready.output_prefix and default_storage.exists(ready.output_name("master.m3u8"))
    assert ready.attempts == 1 and ready.progress == 100 and ready.heartbeat_at is None


def test_a_killed_worker_leaves_nothing_half_made_and_a_requeue_finishes_the_job(tmp_path, start_worker):
    # Long enough that the worker is surely mid-ffmpeg when it is killed.
    video = queued_video(tmp_path, size="1280x720", seconds=40)
    original = default_storage.open(video.original, "rb").read()
    worker = start_worker()
    wait_for(
        lambda: Video.objects.filter(pk=video.pk, status=VideoStatus.PROCESSING, progress__gt=0).exists(),
        240,
        "the job to be running",
    )
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its ffmpeg, as the OOM killer or a reboot would
    worker.wait(timeout=30)

    stale = Video.objects.get(pk=video.pk)
    assert stale.status == VideoStatus.PROCESSING and not stale.output_prefix
    assert all(not default_storage.exists(f"{prefix}/master.m3u8") for prefix in store.prefixes(video.pk))

    # The heartbeat stops; the beat task (here called directly) sees it and queues the job again.
    requeued = jobs.requeue_stuck(stuck_after=datetime.timedelta(0))
    assert [item.pk for item in requeued] == [video.pk]
    start_worker()
    ready = wait_for(lambda: Video.objects.filter(pk=video.pk, status=VideoStatus.READY).first(), 600, "ready")

    assert ready.attempts == 2
    assert store.prefixes(video.pk) == [ready.output_prefix], "no partial run left beside the ready one"
    assert default_storage.open(video.original, "rb").read() == original
    assert ready.duration == pytest.approx(40, abs=0.5)
