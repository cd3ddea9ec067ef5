"""视频管理 in the Wagtail admin: every video's status, progress and failure reason, and re-transcoding.

For district administrators (the change_video permission); teachers follow
their own uploads in the upload page and on their lesson.
"""

from django import forms
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from .jobs import enqueue
from .models import Video
from .usage import users_of


class VideoForm(WagtailAdminModelForm):
    retranscode = forms.BooleanField(
        label=_("保存后重新转码"),
        required=False,
        help_text=_("原始文件不变；新的转码全部完成前，观众继续看到现有版本。"),
    )

    def save(self, commit=True):
        video = super().save(commit=commit)
        if commit and self.cleaned_data.get("retranscode"):
            with transaction.atomic():
                enqueue(video)
        return video


def _uploader(video):
    return (video.owner.get_full_name() or video.owner.get_username()) if video.owner else "—"


def _file_and_size(video):
    return f"{video.original_filename}（{filesizeformat(video.size)}）" if video.size else video.original_filename


def _used_by(video):
    """Links to the lessons that use the video, so a failed upload leads to the lesson to fix."""
    links = users_of(video)
    if not links:
        return "—"
    return format_html_join("、", '<a href="{}">{}</a>', ((url, title) for title, url in links))


class VideoViewSet(ModelViewSet):
    model = Video
    icon = "media"
    menu_label = _("视频转码")
    menu_order = 900
    add_to_admin_menu = True
    inspect_view_enabled = True
    list_display = [
        "__str__",
        Column("original_filename", label=_("原文件"), accessor=_file_and_size),
        "status",
        "progress",
        # The uploader as people know them (「王芳」), not the account name.
        Column("owner", label=_("上传者"), accessor=_uploader, sort_key="owner"),
        Column("used_by", label=_("所属课例"), accessor=_used_by),
        "created_at",
        "error",
    ]
    list_filter = ["status"]
    search_fields = ["title", "original_filename"]
    inspect_view_fields = [
        "title", "original_filename", "status", "progress", "error", "attempts", "duration", "size",
        "original", "output_prefix", "owner", "created_at", "ready_at",
    ]  # fmt: skip
    edit_handler = ObjectList([FieldPanel("title"), FieldPanel("retranscode")], base_form_class=VideoForm)


@hooks.register("register_admin_viewset")
def register_video_viewset():
    return VideoViewSet("videos")
