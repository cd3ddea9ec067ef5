"""{% video_max_upload_mb %}: the size limit the upload widget announces (the server enforces it)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def video_max_upload_mb():
    return settings.VIDEO_MAX_UPLOAD_SIZE // (1024 * 1024)
