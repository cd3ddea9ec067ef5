"""POST /training/api/heartbeat: the player's reports of what was watched (see training.heartbeat)."""

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from .. import heartbeat, progress
from ..models import LessonProgress, VideoLessonPage
from ..permissions import active_enrolment, live_course_of

MAX_BODY = 2048  # a heartbeat is ~150 bytes
# The player beats every 10 s plus at play/pause/seek/end: 30 a minute leaves room for two tabs and seeking.
DEFAULT_HEARTBEAT_RATE = "30/m"


def heartbeat_rate(_group, _request):
    """Heartbeats allowed per teacher (setting TRAINING_HEARTBEAT_RATE, e.g. "30/m"), read at each request."""
    return getattr(settings, "TRAINING_HEARTBEAT_RATE", DEFAULT_HEARTBEAT_RATE)


def _error(message, status):
    return JsonResponse({"error": message}, status=status)


@require_POST
@ratelimit(key="user_or_ip", rate=heartbeat_rate, method="POST", block=False)
def heartbeat_view(request):
    if getattr(request, "limited", False):
        return _error(_("心跳请求过于频繁，请稍后再试。"), 429)
    if not request.user.is_authenticated:
        return _error("请先登录。", 401)
    if len(request.body) > MAX_BODY:
        return _error("心跳数据过大。", 400)
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"null")
        except ValueError:
            return _error("心跳数据格式不正确。", 400)
    else:
        data = request.POST.dict()
    try:
        beat = heartbeat.parse(data)
    except ValidationError as exc:
        return _error(exc.messages[0], 400)
    lesson = VideoLessonPage.objects.live().select_related("video").filter(pk=beat.lesson_id).first()
    course = live_course_of(lesson) if lesson else None
    if lesson is None or course is None:
        return _error("找不到该视频课。", 404)
    if active_enrolment(request.user, course) is None:
        return _error("您未报名该课程，观看不计入学习进度。", 403)
    video = lesson.video
    if not video.is_ready or not video.duration:
        return _error("视频尚未就绪。", 409)
    try:
        row, outcome = heartbeat.record(request.user, lesson, beat, float(video.duration), course=course)
    except heartbeat.Refused as exc:
        return _error(str(exc), 429)
    if outcome == "ignored":  # nothing changed: answer with what is stored
        standing = LessonProgress.objects.filter(user=request.user, lesson_id=lesson.pk).first()
        complete = False
    else:
        result = progress.refresh(request.user, course)
        standing, complete = result.standings.get(lesson.pk), result.complete
    return JsonResponse(
        {
            "outcome": outcome,
            "watched_percent": round(row.percent, 1),
            "position": row.last_position,
            "met": bool(standing and standing.met),
            "detail": standing.detail if standing else "",
            "course_complete": complete,
        }
    )
