"""Transcoding in a real Celery worker process, and a worker killed in the middle of a job."""

import datetime
import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from media_pipeline import jobs, store
from media_pipeline.models import Video, VideoStatus

from .clips import make_clip

pytestmark = [
    pytest.mark.service("ffmpeg"),
    pytest.mark.service("s3"),
    pytest.mark.service("redis"),
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def start_worker(tmp_path):
    """Start `celery worker -Q transcode` on the test database; every one started is stopped at the end."""
    started = []

    def start():
        database = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "youke.settings.test",
            # The worker must see the rows this test commits: the test database, not the configured one.
            "DATABASE_URL": (
                f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{database['PORT']}"
                f"/{database['NAME']}"
            ),
        }
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "youke", "worker", "-Q", "transcode", "--pool", "solo",
             "--hostname", f"transcode-{os.getpid()}-{len(started)}@%h", "--loglevel", "INFO"],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )  # fmt: skip
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


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
