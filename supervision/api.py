"""POST /supervision/api/play: the usage script's play reports (supervision.plays)."""

import json

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from resources.api import visible_packages

from . import plays
from .models import UsageKind
from .usage import record_online_use

MAX_BODY = 1024


def _error(message, status):
    return JsonResponse({"error": message}, status=status)


@require_POST
@ratelimit(key="user_or_ip", rate="30/m", method="POST", block=False)
def play_view(request):
    if getattr(request, "limited", False):
        return _error("请求过于频繁，请稍后再试。", 429)
    if not request.user.is_authenticated:
        return _error("请先登录。", 401)
    # From the header, not request.body: a form post's body has already been read
    # (CSRF's check parses request.POST), and reading it again raises.
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return _error("播放数据过大。", 400)
    try:
        is_json = request.content_type == "application/json"
        data = json.loads(request.body or b"null") if is_json else request.POST.dict()
        if isinstance(data, dict) and data.get("kind") == "video_download":
            return _download(request, int(data.get("lesson")))
        report = plays.parse(data)
    except (TypeError, ValueError, ValidationError) as exc:
        return _error(getattr(exc, "messages", ["播放数据格式不正确。"])[0], 400)
    lesson = visible_packages(request.user).filter(pk=report.lesson_id).first()
    if lesson is None:
        return _error("找不到该课例。", 404)
    return JsonResponse({"outcome": plays.report(request.user, lesson, report)})


def _download(request, lesson_id):
    """The player's 下载课堂用小视频 link was followed: a small-video download of the lesson."""
    lesson = visible_packages(request.user).filter(pk=lesson_id).first()
    if lesson is None:
        return _error("找不到该课例。", 404)
    counted = record_online_use(user=request.user, lesson=lesson, kind=UsageKind.VIDEO_DOWNLOAD)
    return JsonResponse({"outcome": "counted" if counted else "ignored"})
