"""Admin: the teacher's 上传课堂实录 page, in the menu for those who may upload."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views  # noqa: F401 - registers the 视频转码 viewset
from .uploads import service
from .uploads.views import UploadPageView


class UploadMenuItem(MenuItem):
    def is_shown(self, request):
        return service.can_upload(request.user)


@hooks.register("register_admin_urls")
def upload_admin_urls():
    return [path("video-upload/", UploadPageView.as_view(), name="media_pipeline_upload")]


@hooks.register("register_admin_menu_item")
def upload_menu_item():
    return UploadMenuItem(_("上传课堂实录"), reverse("media_pipeline_upload"), icon_name="upload", order=150)
