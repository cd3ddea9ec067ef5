"""Per-user daily upload quota: bytes of a teacher's uploads started today (Asia/Shanghai).

Uploads still under way and finished ones count; cancelled, rejected and
abandoned ones do not (their storage is released). Checked when an upload
session is created, before anything is stored.
"""

from datetime import datetime, time

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Upload, UploadStatus
from .service import UploadError

COUNTED = (UploadStatus.ACTIVE, UploadStatus.COMPLETE)


def used_today(user):
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    uploads = Upload.objects.filter(owner=user, status__in=COUNTED, created_at__gte=start)
    return uploads.aggregate(total=Sum("size"))["total"] or 0


def check(user, size):
    """Raise UploadError (429) if an upload of `size` bytes would pass the user's daily quota."""
    quota = settings.UPLOAD_DAILY_QUOTA
    if not quota or not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        return  # no quota, or a size service.create refuses with its own message
    used = used_today(user)
    if used + size > quota:
        raise UploadError(
            _("已超过每日上传限额：每人每天最多 %(quota)s MB，今天已上传 %(used)s MB，请明天再试或联系管理员。")
            % {"quota": quota // (1024 * 1024), "used": used // (1024 * 1024)},
            429,
        )
