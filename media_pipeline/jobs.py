"""Queueing transcode jobs: the only way a video gets (re)made.

Every enqueue gives the video a new job token and sends a task carrying it.
A task runs only while its token is the video's current one, so a message
that comes back late (a broker redelivering after a worker died, a duplicate
from `requeue_stuck`) finds itself superseded and does nothing.
"""

import datetime
import uuid

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Video, VideoStatus
from .tasks import transcode_video

# No heartbeat for this long: the worker is gone (killed, machine rebooted). TRANSCODE_STUCK_SECONDS.
STUCK_AFTER = datetime.timedelta(seconds=settings.TRANSCODE_STUCK_SECONDS)
# Queued this long without a worker starting: the message was lost (broker down
# when it was sent, broker data wiped). Long, since a busy queue is normal.
QUEUED_TOO_LONG = datetime.timedelta(hours=6)


def enqueue(video, *, countdown=None, send=True):
    """Mark `video` queued and send its transcode task once the transaction commits.

    A ready video keeps its outputs (and stays playable) while it is re-made.
    send=False only takes the token, for a caller that runs the job itself.
    Returns the job token.
    """
    token = uuid.uuid4().hex
    fields = {"status": VideoStatus.QUEUED, "progress": 0, "error": "", "task_id": token, "heartbeat_at": None}
    # One UPDATE of the job's fields only: a stale instance must not overwrite anything else.
    Video.objects.filter(pk=video.pk).update(**fields, updated_at=timezone.now())
    for name, value in fields.items():
        setattr(video, name, value)
    if send:
        transaction.on_commit(
            lambda: transcode_video.apply_async(args=[str(video.pk), token], countdown=countdown), robust=True
        )
    return token


def stuck(now=None, stuck_after=STUCK_AFTER, queued_too_long=QUEUED_TOO_LONG):
    """Videos whose job stopped without a word: a stale heartbeat, or queued for too long."""
    now = now or timezone.now()
    return Video.objects.filter(
        Q(status=VideoStatus.PROCESSING, heartbeat_at__lt=now - stuck_after)
        | Q(status=VideoStatus.QUEUED, updated_at__lt=now - queued_too_long)
    )


def requeue_stuck(stuck_after=STUCK_AFTER, queued_too_long=QUEUED_TOO_LONG):
    """Queue every stuck video again; returns them."""
    videos = list(stuck(stuck_after=stuck_after, queued_too_long=queued_too_long))
    with transaction.atomic():
        for video in videos:
            enqueue(video)
    return videos


# Here rather than in tasks.py so that tasks never import jobs (jobs sends
# tasks); AppConfig.ready() imports this module (through .documents), so every
# worker knows the task beat sends by name.
@shared_task(name="media_pipeline.requeue_stuck")
def requeue_stuck_task():
    """Beat: send again the jobs a dead worker or a lost message left behind."""
    return [str(video.pk) for video in requeue_stuck()]
