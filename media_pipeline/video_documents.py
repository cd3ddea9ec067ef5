"""Video documents become streamable videos on their own.

A lesson's 课堂实录 may arrive as an ordinary Wagtail document: uploaded in
the package form, imported in bulk, or made by the demo loader. Whichever
way, once a video document is saved, a Video for it is made (once, keyed by
the document) and queued for transcoding. The Video's original IS the
document's file: nothing is copied, and the file stays exactly as uploaded.
"""

from django.db import transaction

from .jobs import enqueue
from .models import Video

VIDEO_EXTENSIONS = {"mp4", "mov", "m4v", "webm", "mkv", "avi", "flv", "3gp", "mpg", "mpeg", "ts", "wmv"}


def source_key(document):
    return f"document:{document.pk}"


def is_video_document(document):
    return (document.file_extension or "").lower() in VIDEO_EXTENSIONS


def video_for_document(document):
    """The Video made from `document`, or None (not a video, or not made yet)."""
    return Video.objects.filter(source=source_key(document)).first()


def sync_document(document):
    """Make or refresh the Video of a video document; queue it when its file is new."""
    if not is_video_document(document) or not document.file:
        return None
    with transaction.atomic():
        video, created = Video.objects.select_for_update().get_or_create(
            source=source_key(document),
            defaults={
                "owner_id": document.uploaded_by_user_id,
                "title": document.title,
                "original_filename": document.file.name.rsplit("/", 1)[-1],
                "original": document.file.name,
                "size": document.file_size or 0,
            },
        )
        if not created and video.original == document.file.name:
            return video  # same file: a title edit does not re-transcode
        if not created:
            video.original, video.size = document.file.name, document.file_size or 0
            video.save(update_fields=["original", "size", "updated_at"])
        enqueue(video)
    return video


def on_document_saved(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return  # fixtures
    sync_document(instance)
