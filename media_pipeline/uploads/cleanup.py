"""Abandoned uploads: parts that will never become a video, removed after a while.

An upload with no request about it for UPLOAD_ABANDON_HOURS is aborted (S3
drops its parts, the local chunk folder is deleted), marked abandoned, and its
video marked failed with the reason, so the teacher sees what happened. S3
multipart uploads and chunk folders that no active upload owns (a crash
between storage and database) go too, once as old. Completed originals are
never touched: only unfinished parts are removed here.
"""

import datetime
import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Upload, UploadStatus, VideoStatus
from .backends import default_backend_name, get_backend

log = logging.getLogger(__name__)
STORAGE_ERRORS = (BotoCoreError, ClientError, OSError)


def cleanup_abandoned(now=None, hours=None):
    """Remove what was abandoned before `now - hours`; returns counts of what was done."""
    now = now or timezone.now()
    hours = settings.UPLOAD_ABANDON_HOURS if hours is None else hours
    cutoff = now - datetime.timedelta(hours=hours)
    summary = {"abandoned": 0, "s3_orphans": 0, "local_orphans": 0, "errors": 0}

    stale = Upload.objects.filter(status=UploadStatus.ACTIVE, last_activity_at__lt=cutoff).values_list("pk", flat=True)
    for pk in list(stale):
        try:
            summary["abandoned"] += _abandon(pk, cutoff, hours)
        except STORAGE_ERRORS:
            log.exception("cleanup: could not abort upload %s", pk)
            summary["errors"] += 1

    active = Upload.objects.filter(status=UploadStatus.ACTIVE)
    if default_backend_name() == "s3":
        known = set(active.exclude(s3_upload_id="").values_list("s3_upload_id", flat=True))
        backend = get_backend("s3")
        try:
            for key, upload_id, started in list(backend.pending()):
                if upload_id not in known and started < cutoff:
                    backend.abort_key(key, upload_id)
                    summary["s3_orphans"] += 1
        except STORAGE_ERRORS:
            log.exception("cleanup: could not list or abort multipart uploads")
            summary["errors"] += 1

    # Chunk folders may be left from a time the site ran on local files, so always look.
    local = get_backend("local")
    known = {str(pk) for pk in active.values_list("pk", flat=True)}
    for name, changed in list(local.pending()):
        if name not in known and changed < cutoff.timestamp():
            local.remove(name)
            summary["local_orphans"] += 1
    return summary


def _abandon(pk, cutoff, hours):
    with transaction.atomic():
        # skip_locked: an upload being completed right now is not abandoned.
        upload = (
            Upload.objects.select_for_update(skip_locked=True)
            .select_related("video")
            .filter(pk=pk, status=UploadStatus.ACTIVE, last_activity_at__lt=cutoff)
            .first()
        )
        if upload is None:
            return 0
        get_backend(upload.backend).abort(upload)
        message = f"上传超过 {hours:g} 小时没有进展，未传完的部分已清理；请重新选择文件上传。"
        upload.status, upload.message, upload.finished_at = UploadStatus.ABANDONED, message, timezone.now()
        upload.save(update_fields=["status", "message", "finished_at"])
        video = upload.video
        if video.status == VideoStatus.UPLOADING:
            video.status, video.error = VideoStatus.FAILED, message
            video.save(update_fields=["status", "error", "updated_at"])
        return 1
