"""Lesson forms: a lesson may show only media its author is entitled to hand out.

The choosers would otherwise accept any video or document id, and the
lesson would then serve it to every enrolled teacher - another teacher's
private upload, or a file of an unpublished library package.
"""

from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminPageForm


class LessonMediaForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        user = self.for_user
        from .permissions import is_district_admin

        if user is None or is_district_admin(user):
            return cleaned
        errors = []
        video = cleaned.get("video")
        if video is not None and video.pk != getattr(self.instance, "video_id", None) and video.owner_id != user.pk:
            errors.append("只能使用自己上传的视频。")
        document = cleaned.get("document")
        if document is not None and document.pk != getattr(self.instance, "document_id", None):
            from resources.api import can_download

            if document.uploaded_by_user_id != user.pk and not can_download(document, user):
                errors.append("只能使用自己上传的文档，或资源库中已发布的文档。")
        if errors:
            raise ValidationError(errors)
        return cleaned
