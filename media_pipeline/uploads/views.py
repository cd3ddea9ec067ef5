"""The upload JSON API (under /media-pipeline/uploads/) and the teacher's upload page.

Only teachers (who may add lesson packages) get in; an upload is its owner's
alone: anyone else is told it does not exist. CSRF protection is Django's
own: the widget sends the token in the X-CSRFToken header.
"""

import functools
import json
import logging

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import resolve_url
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from sso.ratelimits import limit

from ..models import Upload, Video
from . import quota, service
from .parts import StorageUnavailable
from .service import UploadError

logger = logging.getLogger(__name__)
STORAGE_DOWN = "视频存储暂时连不上，已传的部分不会丢失；恢复后会自动继续上传。"


def _error(message, http_status, **extra):
    return JsonResponse({"error": str(message), **extra}, status=http_status)


def api(*methods):
    """Signed-in teachers only, JSON errors, and the upload (if any) looked up among the user's own."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, pk=None, **kwargs):
            if request.method not in methods:
                return _error("不支持的请求方式。", 405)
            if not request.user.is_authenticated:
                login_url = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.path})}"
                return _error("登录已失效，请重新登录后继续上传。", 401, login_url=login_url)
            if not service.can_upload(request.user):
                return _error("您没有上传课堂实录的权限。", 403)
            if pk is not None:
                upload = Upload.objects.select_related("video").filter(pk=pk, owner=request.user).first()
                if upload is None:
                    return _error("找不到这次上传（可能已取消或已过期），请重新选择文件。", 404)
                kwargs["upload"] = upload
            try:
                return view(request, *args, **kwargs)
            except UploadError as error:
                return _error(error.message, error.http_status, **error.extra)
            except StorageUnavailable as error:
                logger.warning("upload storage unavailable: %s", error)
                return _error(STORAGE_DOWN, 503, retry=True)

        return wrapper

    return decorate


def _json_body(request):
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as error:
        raise UploadError("请求内容不是有效的 JSON。") from error
    if not isinstance(data, dict):
        raise UploadError("请求内容不是有效的 JSON。")
    return data


@api("POST")
@limit("upload_session", key="user", json=True)
def create(request):
    data = _json_body(request)
    quota.check(request.user, data.get("size"))
    upload = service.create(request.user, data.get("filename"), data.get("size"), data.get("content_type"))
    body = {
        "id": str(upload.id),
        "video_id": str(upload.video_id),
        "backend": upload.backend,
        "part_size": upload.part_size,
        "parts_total": upload.parts_total,
    }
    return JsonResponse(body, status=201)


@api("GET", "DELETE")
def detail(request, upload):
    if request.method == "DELETE":
        service.cancel(upload.pk, request.user)
        return JsonResponse({"id": str(upload.pk), "status": "cancelled"})
    service.touch(upload)
    return JsonResponse(service.describe(upload))


@api("POST")
@limit("upload_part", key="user", json=True)
def parts(request, upload):
    urls = service.sign(upload, _json_body(request).get("numbers"))
    return JsonResponse({"urls": {str(number): url for number, url in urls.items()}})


@api("PUT")
@limit("upload_part", key="user", json=True)
def chunk(request, upload, number):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return _error("缺少分片长度。", 411)
    service.store_chunk(upload, number, request, length)
    return JsonResponse({"number": number, "size": length})


@api("POST")
def complete(request, upload):
    upload = service.complete(upload.pk, request.user)
    video = Video.objects.get(pk=upload.video_id)
    return JsonResponse(
        {
            "id": str(upload.pk),
            "video_id": str(video.pk),
            "status": video.status,
            "status_label": video.get_status_display(),
        }
    )


class UploadPageView(WagtailAdminTemplateMixin, TemplateView):
    """上传课堂实录: the widget, and the teacher's recent videos with how each ended."""

    page_title = _("上传课堂实录")
    header_icon = "upload"
    template_name = "media_pipeline/upload_page.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not service.can_upload(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["videos"] = Video.objects.filter(owner=self.request.user).select_related("upload")[:20]
        return context
