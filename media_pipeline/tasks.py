"""The transcode job, run by Celery workers on the `transcode` queue.

Order of work, chosen so nothing half-made is ever visible and nothing is lost:
claim the job (its token must still be current) → copy the original to a
scratch folder → one ffmpeg run → store every output under a fresh prefix →
in ONE transaction point the video at that prefix and mark it ready → delete
older prefixes. A worker killed anywhere before the transaction leaves the
previous state (and at worst an orphan prefix, removed by the next success).
The original is never modified or deleted here.
"""

import logging
import tempfile
import time
import uuid
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from celery import shared_task
from django.db import transaction
from django.utils import timezone

from core.media.probe import ProbeError
from core.media.runner import FfmpegError
from core.media.transcode import transcode

from . import store
from .models import Video, VideoStatus

# A worker refreshes heartbeat_at at least this often while ffmpeg runs (jobs.STUCK_AFTER is far longer).
HEARTBEAT_SECONDS = 15

log = logging.getLogger(__name__)

# Storage trouble (S3 down, a network blip) is worth waiting for; bad input is not.
TRANSIENT = (BotoCoreError, ClientError, ConnectionError, TimeoutError, OSError)
MAX_RETRIES = 5
RETRY_BASE_SECONDS = 30


class Superseded(Exception):
    """A newer job owns the video (re-queued or re-transcoded meanwhile)."""


@shared_task(bind=True, name="media_pipeline.tasks.transcode_video", max_retries=MAX_RETRIES, acks_late=True)
def transcode_video(self, video_id, token):
    try:
        video = _claim(video_id, token)
    except Superseded:
        log.info("transcode %s: job %s superseded, nothing to do", video_id, token)
        return {"video": video_id, "status": "superseded"}
    if video is None:
        return {"video": video_id, "status": "missing"}
    try:
        _make(video, token)
    except Superseded:
        return {"video": video_id, "status": "superseded"}
    except (ProbeError, FfmpegError, FileNotFoundError) as exc:
        # The teacher reads video.error: ffmpeg's own lines (server paths) go to the log only.
        message = exc.summary if isinstance(exc, FfmpegError) else str(exc)
        log.warning("transcode %s failed: %s", video_id, exc)
        _fail(video_id, token, message)
        return {"video": video_id, "status": "failed", "error": message}
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            log.error("transcode %s: storage kept failing: %s", video_id, exc)
            _fail(video_id, token, "对象存储或文件系统多次出错，已停止重试。")
            raise
        log.warning("transcode %s: transient error, retrying: %s", video_id, exc)
        _note(video_id, token, status=VideoStatus.QUEUED, error="暂时出错，稍后自动重试。")
        raise self.retry(exc=exc, countdown=RETRY_BASE_SECONDS * 2**self.request.retries) from exc
    return {"video": video_id, "status": "ready"}


def _claim(video_id, token):
    with transaction.atomic():
        video = Video.objects.select_for_update().filter(pk=video_id).first()
        if video is None:
            return None
        if video.task_id != token:
            raise Superseded
        if video.status == VideoStatus.READY:
            raise Superseded  # this very job already finished (a redelivered message)
        video.status, video.progress, video.heartbeat_at = VideoStatus.PROCESSING, 0, timezone.now()
        video.attempts += 1
        video.save(update_fields=["status", "progress", "heartbeat_at", "attempts", "updated_at"])
    # Which host took which job, in that host's own log (an operator after a crash, tests/integration/test_prodlike.py).
    log.info("transcode %s: started, attempt %d", video.pk, video.attempts)
    return video


def _make(video, token):
    run = f"videos/{video.pk}/r{video.attempts}-{uuid.uuid4().hex[:6]}"
    reporter = _Reporter(video.pk, token)
    with tempfile.TemporaryDirectory(prefix="youke-transcode-") as scratch:
        with store.local_copy(video.original, scratch) as source:
            result = transcode(source, Path(scratch) / "out", progress=reporter)
        reporter.check()
        try:
            stored = store.save_outputs(result.out_dir, run, result.files)
        except BaseException:
            store.delete_prefix(run)
            raise
        summary = result.as_dict()
        summary.pop("out_dir")
        summary["files"] = stored
        summary["download_bytes"] = result.download.stat().st_size
    with transaction.atomic():
        current = Video.objects.select_for_update().get(pk=video.pk)
        if current.task_id != token:
            store.delete_prefix(run)
            raise Superseded
        old = current.output_prefix
        current.output_prefix, current.outputs = run, summary
        current.duration, current.status, current.progress = result.duration, VideoStatus.READY, 100
        current.error, current.ready_at, current.heartbeat_at = "", timezone.now(), None
        current.save()
        # Older runs (the previous ready one, a killed run's leftovers) go once this is committed.
        leftovers = [prefix for prefix in store.prefixes(video.pk) if prefix != run]
        transaction.on_commit(lambda: [store.delete_prefix(prefix) for prefix in leftovers])
    log.info("transcode %s: ready under %s (previous: %s)", video.pk, run, old or "-")


def _fail(video_id, token, message):
    _note(video_id, token, status=VideoStatus.FAILED, error=message, heartbeat_at=None)


def _note(video_id, token, **fields):
    Video.objects.filter(pk=video_id, task_id=token).update(updated_at=timezone.now(), **fields)


class _Reporter:
    """ffmpeg's progress → the video row (throttled), and a way to notice being superseded."""

    def __init__(self, video_id, token):
        self.video_id, self.token = video_id, token
        self.last = 0.0

    def __call__(self, percent):
        now = time.monotonic()
        if now - self.last < min(HEARTBEAT_SECONDS, 2):
            return
        self.last = now
        updated = Video.objects.filter(pk=self.video_id, task_id=self.token).update(
            progress=min(99, int(percent)), heartbeat_at=timezone.now()
        )
        if not updated:
            raise Superseded  # raising cancels ffmpeg (see transcode())

    def check(self):
        if not Video.objects.filter(pk=self.video_id, task_id=self.token).exists():
            raise Superseded
