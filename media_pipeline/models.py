"""A video as the platform keeps it: the untouched original and, once ready, its outputs.

The original is stored under `videos/<id>/original` and never deleted by the
pipeline. Each transcode attempt writes its outputs under a fresh prefix
(`videos/<id>/<attempt>/`); the row points at that prefix only when every file
is stored, in the same transaction that marks the video ready. So a viewer
sees the previous complete output or the new complete one, never a half.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class VideoStatus(models.TextChoices):
    UPLOADING = "uploading", _("上传中")
    QUEUED = "queued", _("排队转码")
    PROCESSING = "processing", _("转码中")
    READY = "ready", _("可以播放")
    FAILED = "failed", _("处理失败")


class Video(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("上传者")
    )
    title = models.CharField(_("标题"), max_length=255, blank=True)
    original_filename = models.CharField(_("原文件名"), max_length=255)
    original = models.CharField(_("原始文件位置"), max_length=500, help_text=_("默认存储中的文件名"))
    size = models.BigIntegerField(_("大小（字节）"), default=0)
    # Where the original came from when not uploaded through the pipeline, e.g.
    # "document:12" for a video document attached to a lesson: reused, not re-made.
    source = models.CharField(max_length=100, blank=True, db_index=True, editable=False)

    status = models.CharField(_("状态"), max_length=20, choices=VideoStatus.choices, default=VideoStatus.UPLOADING)
    progress = models.PositiveSmallIntegerField(_("进度 %"), default=0)
    error = models.TextField(_("失败原因"), blank=True)
    attempts = models.PositiveIntegerField(_("转码次数"), default=0)
    task_id = models.CharField(max_length=255, blank=True, editable=False)
    # Set while a worker is transcoding; a stale one marks a stuck job (requeue_stuck).
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)

    # What ffprobe said of the original (duration, size, rotation, codecs...).
    probe = models.JSONField(_("探测信息"), default=dict, blank=True)
    duration = models.FloatField(_("时长（秒）"), null=True, blank=True)
    # The ready outputs: a storage prefix and the names under it.
    output_prefix = models.CharField(max_length=500, blank=True, editable=False)
    outputs = models.JSONField(default=dict, blank=True, editable=False)

    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    ready_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("视频")
        verbose_name_plural = _("视频")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self):
        return self.title or self.original_filename

    @property
    def is_ready(self):
        return self.status == VideoStatus.READY and bool(self.output_prefix)

    def output_name(self, relative):
        """Storage name of one output file (relative to the ready prefix)."""
        return f"{self.output_prefix.rstrip('/')}/{relative}"

    @staticmethod
    def original_name_for(video_id):
        return f"videos/{video_id}/original"


# --- One resumable upload of a video's original, from the teacher's browser.
#
# The bytes go either straight to S3 as a multipart upload (the browser PUTs
# each part to a presigned URL) or, on the embedded default, to this site in
# numbered chunks. Either way the storage is the source of truth for which
# parts have arrived; this row only remembers what was promised (name, size,
# part size), who owns it and how it ended.


class UploadBackend(models.TextChoices):
    S3 = "s3", _("对象存储分片直传")
    LOCAL = "local", _("本站分块上传")


class UploadStatus(models.TextChoices):
    ACTIVE = "active", _("上传中")
    COMPLETE = "complete", _("已完成")
    REJECTED = "rejected", _("内容不合格")
    CANCELLED = "cancelled", _("已取消")
    ABANDONED = "abandoned", _("超时未完成，已清理")


class Upload(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The video row exists from the first byte so the widget can hand out its id;
    # it stays "uploading" (never shown as playable) until the upload completes.
    video = models.OneToOneField(Video, on_delete=models.CASCADE, related_name="upload", verbose_name=_("视频"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("上传者")
    )
    backend = models.CharField(_("上传方式"), max_length=10, choices=UploadBackend.choices)
    filename = models.CharField(_("文件名"), max_length=255)
    size = models.BigIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("浏览器声明的类型"), max_length=100, blank=True)
    part_size = models.BigIntegerField(_("分片大小（字节）"))
    parts_total = models.PositiveIntegerField(_("分片数"))
    # S3's id for the multipart upload; empty for the local backend.
    s3_upload_id = models.CharField(max_length=1024, blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=20, choices=UploadStatus.choices, default=UploadStatus.ACTIVE)
    message = models.TextField(_("说明"), blank=True)

    created_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    # Bumped by every request about this upload; cleanup counts idleness from here.
    last_activity_at = models.DateTimeField(_("最近活动"), default=timezone.now)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("视频上传")
        verbose_name_plural = _("视频上传")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "last_activity_at"])]

    def __str__(self):
        return self.filename

    @property
    def is_active(self):
        return self.status == UploadStatus.ACTIVE

    def expected_part_size(self, number):
        """Bytes part `number` (1-based) must hold: the part size, the remainder for the last one."""
        if number < self.parts_total:
            return self.part_size
        return self.size - self.part_size * (self.parts_total - 1)
