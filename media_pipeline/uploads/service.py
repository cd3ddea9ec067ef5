"""The upload flow, whatever the backend: create, report, sign or store parts, complete, cancel.

Views call these with the signed-in user's own Upload; every refusal is an
UploadError carrying the HTTP status and a Chinese message for the teacher.
"""

import math
import posixpath

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.permission_policies.pages import PagePermissionPolicy

from ..jobs import enqueue
from ..models import Upload, UploadStatus, Video, VideoStatus
from . import checks
from .backends import default_backend_name, get_backend
from .local import ChunkSizeError
from .parts import Part, UploadGone

MAX_FILENAME = 255
# Part URLs asked for at once: the widget sends two or three parts at a time.
MAX_SIGN_BATCH = 20


class UploadError(Exception):
    def __init__(self, message, http_status=400, **extra):
        super().__init__(message)
        self.message, self.http_status, self.extra = message, http_status, extra


def can_upload(user):
    """Teachers: whoever may add lesson packages (a Wagtail "add" page permission)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or PagePermissionPolicy().user_has_permission(user, "add")


def megabytes(size):
    return f"{size / (1024 * 1024):.1f} MB"


def clean_filename(name):
    """The file's own name (no folders), at most 255 characters, its extension kept."""
    name = posixpath.basename(str(name or "").replace("\\", "/")).strip()
    if len(name) > MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        extension = extension[:16] if dot else ""
        name = (stem if dot else name)[: MAX_FILENAME - len(extension) - 1] + ("." + extension if extension else "")
    return name


def choose_part_size(size, backend):
    """The configured part size, raised to the service's floor and to fit S3's 10 000-part limit."""
    part_size = max(settings.UPLOAD_PART_SIZE, backend.min_part_size, math.ceil(size / backend.max_parts))
    return part_size


def create(user, filename, size, content_type=""):
    filename = clean_filename(filename)
    if not filename:
        raise UploadError("请选择要上传的视频文件。")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise UploadError("文件大小无效。")
    if size == 0:
        raise UploadError(checks.EMPTY)
    limit = settings.VIDEO_MAX_UPLOAD_SIZE
    if size > limit:
        raise UploadError(f"文件太大：最大 {limit // (1024 * 1024)} MB，这个文件有 {megabytes(size)}。", 413)

    backend = get_backend(default_backend_name())
    part_size = choose_part_size(size, backend)
    video = Video(owner=user, title=posixpath.splitext(filename)[0][:255], original_filename=filename, size=size)
    video.original = Video.original_name_for(video.id)
    upload = Upload(
        video=video,
        owner=user,
        backend=backend.name,
        filename=filename,
        size=size,
        content_type=str(content_type or "")[:100],
        part_size=part_size,
        parts_total=math.ceil(size / part_size),
    )
    with transaction.atomic():
        video.save()
        backend.start(upload)
        upload.save()
    return upload


def touch(upload):
    upload.last_activity_at = timezone.now()
    Upload.objects.filter(pk=upload.pk).update(last_activity_at=upload.last_activity_at)


def received(upload):
    """{number: Part} the storage holds; empty once the upload is over."""
    if not upload.is_active:
        return {}
    backend = get_backend(upload.backend)
    try:
        return backend.received(upload)
    except UploadGone:
        # Joined already (a completion cut short before its commit): every part is there.
        if backend.is_finished(upload):
            return {n: Part(n, upload.expected_part_size(n)) for n in range(1, upload.parts_total + 1)}
        return {}


def describe(upload, parts=None):
    """The JSON the widget resumes from."""
    parts = received(upload) if parts is None else parts
    return {
        "id": str(upload.id),
        "video_id": str(upload.video_id),
        "backend": upload.backend,
        "status": upload.status,
        "message": upload.message,
        "video_status": upload.video.status,
        "video_status_label": upload.video.get_status_display(),
        "filename": upload.filename,
        "size": upload.size,
        "part_size": upload.part_size,
        "parts_total": upload.parts_total,
        "parts": [{"number": p.number, "size": p.size, "etag": p.etag} for p in sorted(parts.values(), key=_number)],
        "received_bytes": sum(p.size for p in parts.values() if _whole(upload, p)),
    }


def _number(part):
    return part.number


def _whole(upload, part):
    return 1 <= part.number <= upload.parts_total and part.size == upload.expected_part_size(part.number)


def _require_active(upload, backend_name=None):
    if upload.status == UploadStatus.COMPLETE:
        raise UploadError("这个视频已经上传完成。", 409)
    if not upload.is_active:
        raise UploadError(upload.message or "这次上传已结束，请重新选择文件上传。", 410)
    if backend_name and upload.backend != backend_name:
        raise UploadError("上传方式不符。", 400)


def _part_numbers(upload, numbers):
    if not isinstance(numbers, list) or not numbers or len(numbers) > MAX_SIGN_BATCH:
        raise UploadError(f"请一次请求 1 到 {MAX_SIGN_BATCH} 个分片。")
    if any(not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= upload.parts_total for n in numbers):
        raise UploadError(f"分片编号应在 1 到 {upload.parts_total} 之间。")
    return sorted(set(numbers))


def sign(upload, numbers):
    """{number: presigned PUT URL} for the browser to send those parts straight to S3."""
    _require_active(upload, "s3")
    numbers = _part_numbers(upload, numbers)
    touch(upload)
    return get_backend("s3").sign(upload, numbers)


def store_chunk(upload, number, stream, length):
    _require_active(upload, "local")
    if not 1 <= number <= upload.parts_total:
        raise UploadError(f"分片编号应在 1 到 {upload.parts_total} 之间。")
    touch(upload)
    try:
        get_backend("local").store(upload, number, stream, length)
    except ChunkSizeError as error:
        expected = upload.expected_part_size(number)
        raise UploadError(f"第 {number} 块大小不对：应为 {expected} 字节，收到 {length} 字节。请重试。") from error
    except UploadGone as error:
        raise UploadError("这次上传已失效，请重新选择文件上传。", 410) from error


def complete(upload_id, user):
    """Join the parts, check the content, and queue the transcode; returns the finished Upload.

    Runs under a row lock, so a double click completes once; calling it again
    after success (or after a crash between storage and database) answers the same.
    """
    with transaction.atomic():
        upload = Upload.objects.select_for_update().select_related("video").get(pk=upload_id, owner=user)
        if upload.status == UploadStatus.COMPLETE:
            return upload
        if upload.status == UploadStatus.REJECTED:
            raise UploadError(upload.message, 422, video_id=str(upload.video_id), status=upload.status)
        _require_active(upload)
        backend = get_backend(upload.backend)
        if not backend.is_finished(upload):
            _finish(upload, backend)
        upload.finished_at = timezone.now()
        try:
            with backend.source(upload) as source:
                result = checks.check(source)
        except checks.NotAVideo as refusal:
            _reject(upload, str(refusal))
        else:
            _accept(upload, result)
    if upload.status == UploadStatus.REJECTED:
        raise UploadError(upload.message, 422, video_id=str(upload.video_id), status=upload.status)
    return upload


def _finish(upload, backend):
    try:
        parts = backend.received(upload)
    except UploadGone as error:
        raise UploadError("这次上传已失效，请重新选择文件上传。", 410) from error
    missing = [n for n in range(1, upload.parts_total + 1) if n not in parts or not _whole(upload, parts[n])]
    if missing:
        raise UploadError(f"还有 {len(missing)} 个分片没有收到，请继续上传。", 409, missing=missing)
    backend.finish(upload, parts)


def _reject(upload, message):
    """Keep the original (never deleted: the teacher may need it), say why it cannot be used."""
    upload.status, upload.message = UploadStatus.REJECTED, message
    upload.save(update_fields=["status", "message", "finished_at"])
    upload.video.status, upload.video.error = VideoStatus.FAILED, message
    upload.video.save(update_fields=["status", "error", "updated_at"])


def _accept(upload, result):
    upload.status, upload.message = UploadStatus.COMPLETE, ""
    upload.save(update_fields=["status", "message", "finished_at"])
    video = upload.video
    video.duration = result.duration
    # Kept for the lesson checklist (resolution, codecs, bitrate against the national guidance).
    width, height = result.display_size or (None, None)
    video.probe = {
        "width": width,
        "height": height,
        "video_codec": result.video_codec,
        "audio_codec": result.audio_codec,
        "duration": result.duration,
        "size": upload.size,
    }
    video.save(update_fields=["duration", "probe", "updated_at"])
    enqueue(video)


def cancel(upload_id, user):
    """Abort an upload still in progress; its video, which never existed whole, goes too."""
    with transaction.atomic():
        upload = Upload.objects.select_for_update().select_related("video").get(pk=upload_id, owner=user)
        if not upload.is_active:
            raise UploadError("这次上传已经结束，不能取消。", 409)
        get_backend(upload.backend).abort(upload)
        upload.video.delete()  # the upload row goes with it (CASCADE)
