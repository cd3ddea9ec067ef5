"""Periodic upload housekeeping, on the default queue (not the transcode one: see CELERY_TASK_ROUTES)."""

from celery import shared_task

from .uploads.cleanup import cleanup_abandoned


@shared_task(name="media_pipeline.cleanup_uploads")
def cleanup_uploads():
    return cleanup_abandoned()
