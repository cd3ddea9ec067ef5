"""One resumable upload of a video's original, from the teacher's browser.

The bytes go either straight to S3 as a multipart upload (the browser PUTs
each part to a presigned URL) or, on the embedded default, to this site in
numbered chunks. Either way the storage is the source of truth for which
parts have arrived; this row only remembers what was promised (name, size,
part size), who owns it and how it ended.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Video


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
