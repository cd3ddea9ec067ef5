"""Video watch time from the player's heartbeats.

The player posts, every few seconds and at play/pause/seek/end:
`{lesson, session, seq, start, position}` - "in player session `session`,
heartbeat number `seq`, I played continuously from `start` to `position`".
The server believes none of it beyond what is physically possible.

At the root is one credit clock per enrolment (`Enrollment.credit_clock`,
read and moved under a row lock): every second of video credited in a course
must be a real second that passed after the clock, and crediting moves the
clock past it, so no other session, tab or video of the course can claim that
second again. Hence, across all sessions together, what an enrolment is
credited never exceeds the wall-clock time that really passed:

- a new session only starts a chain (credits nothing, earns no slack): the
  time before its first heartbeat is unknown;
- a heartbeat credits at most the real time between its chain's own clock
  (the chain's start, moved on by what it was credited) and now, and never
  anything before the enrolment's credit clock; never outside the video;
- parallel tabs share the one clock, so they cannot watch faster than time;
- a silence longer than MAX_GAP restarts the chain instead of crediting the
  whole gap at once;
- at most TRAINING_MAX_PLAYER_SESSIONS sessions of one enrolment are live at
  a time (a heartbeat within MAX_GAP); another new one is refused;
- a duplicated or out-of-order heartbeat (seq not above the last accepted)
  changes nothing, and what is credited is stored as merged intervals, so a
  stretch reported twice counts once.
"""

import datetime
import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import intervals

from .models import Enrollment, VideoProgress

SESSION_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_SESSIONS = 20  # sessions remembered per teacher and video (for their seq); older ones start afresh
DEFAULT_MAX_PLAYER_SESSIONS = 3  # live player sessions per enrolment, unless settings say otherwise
MAX_SEQ = 10**9
# The player beats every 10 s while playing; a longer silence (paused, tab
# asleep, connection lost) restarts the chain rather than being credited.
MAX_GAP_SECONDS = 45


class Refused(Exception):
    """A heartbeat that may not even start a chain; the message is for the teacher."""


def max_player_sessions():
    """How many player sessions of one enrolment may be live at once (setting TRAINING_MAX_PLAYER_SESSIONS)."""
    return max(1, int(getattr(settings, "TRAINING_MAX_PLAYER_SESSIONS", DEFAULT_MAX_PLAYER_SESSIONS)))


@dataclass(frozen=True)
class Heartbeat:
    lesson_id: int
    session: str
    seq: int
    start: float
    position: float


def _number(data, name, cast):
    value = data.get(name)
    try:
        number = cast(value)
    except (TypeError, ValueError):
        raise ValidationError(f"心跳数据中的 {name} 不是有效数字。") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise ValidationError(f"心跳数据中的 {name} 不是有效数字。")
    return number


def parse(data):
    """A Heartbeat from posted JSON or form data; ValidationError (in Chinese) for anything malformed."""
    if not isinstance(data, dict):
        raise ValidationError("心跳数据格式不正确。")
    session = str(data.get("session") or "")
    if not SESSION_RE.match(session):
        raise ValidationError("播放会话标识无效。")
    lesson_id = _number(data, "lesson", int)
    seq = _number(data, "seq", int)
    position = _number(data, "position", float)
    start = _number(data, "start", float) if data.get("start") is not None else position
    if not 0 <= seq <= MAX_SEQ:
        raise ValidationError("心跳序号无效。")
    if position < 0 or start < 0 or start > position:
        raise ValidationError("播放位置无效。")
    return Heartbeat(lesson_id, session, seq, start, position)


def _progress_row(user, lesson):
    try:
        with transaction.atomic():
            VideoProgress.objects.get_or_create(user=user, lesson_id=lesson.pk)
    except IntegrityError:  # created by a concurrent first heartbeat
        pass
    return VideoProgress.objects.select_for_update().get(user=user, lesson_id=lesson.pk)


def _enrolment_row(user, lesson, course):
    if course is None:
        from .permissions import live_course_of

        course = live_course_of(lesson)
    if course is None:
        return None
    return Enrollment.objects.select_for_update().filter(course=course, user=user, status__in=Enrollment.ACTIVE).first()


def _when(value):
    return datetime.datetime.fromisoformat(value)


def _session_state(value):
    """(seq, last beat, chain clock) of a stored session; older rows' lists start their clock at the last beat."""
    if isinstance(value, dict):
        return int(value["seq"]), _when(value["last"]), _when(value["clock"])
    last = _when(value[1])
    return int(value[0]), last, last


def _live_sessions(enrolment, now):
    live = {}
    for key, last in (enrolment.player_sessions or {}).items():
        try:
            age = (now - _when(last)).total_seconds()
        except (TypeError, ValueError):
            continue
        if age <= MAX_GAP_SECONDS:
            live[key] = last
    return live


def record(user, lesson, beat, duration, now=None, course=None):
    """Apply one heartbeat; return (VideoProgress, outcome) with outcome started/accepted/ignored.

    Runs in its own transaction with the enrolment row locked first (it holds
    the credit clock) and then the progress row, so concurrent heartbeats of
    one teacher in one course are applied one after another. Refused (in
    Chinese) when the teacher has no active enrolment in the lesson's course
    or already has as many live player sessions as allowed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        enrolment = _enrolment_row(user, lesson, course)
        if enrolment is None:
            raise Refused(_("您未报名该课程，观看不计入学习进度。"))
        row = _progress_row(user, lesson)
        sessions = dict(row.sessions)
        previous = _session_state(sessions[beat.session]) if beat.session in sessions else None
        if previous is not None and beat.seq <= previous[0]:
            return row, "ignored"
        live = _live_sessions(enrolment, now)
        key = f"{lesson.pk}:{beat.session}"
        if key not in live and len(live) >= max_player_sessions():
            raise Refused(_("同时打开的播放窗口过多，请关闭其他窗口后继续观看。"))
        row.duration = duration
        outcome, clock = "started", now
        if previous is not None and (now - previous[1]).total_seconds() <= MAX_GAP_SECONDS:
            outcome = "accepted"
            # Real time this chain may still use: from its own clock, and never before the
            # enrolment's clock (what any session already claimed), up to now. No slack.
            clock = previous[2]
            if enrolment.credit_clock is not None:
                clock = max(clock, enrolment.credit_clock)
            available = max(0.0, (now - clock).total_seconds())
            stretch = intervals.creditable(beat.start, beat.position, available, duration, slack=0.0)
            if stretch is not None:
                row.segments = intervals.add(row.segments, *stretch)
                row.watched_seconds = round(intervals.covered(row.segments), 3)
                row.last_credit_at = now
                clock = min(now, clock + datetime.timedelta(seconds=stretch[1] - stretch[0]))
                enrolment.credit_clock = clock
        # A chain that (re)starts has used no time yet: its clock is now.
        sessions[beat.session] = {"seq": beat.seq, "last": now.isoformat(), "clock": clock.isoformat()}
        if len(sessions) > MAX_SESSIONS:
            newest = sorted(sessions.items(), key=lambda item: _session_state(item[1])[1])[-MAX_SESSIONS:]
            sessions = dict(newest)
        row.sessions = sessions
        row.last_position = min(max(beat.position, 0.0), duration)
        row.save()
        live[key] = now.isoformat()
        enrolment.player_sessions = live
        enrolment.save(update_fields=["credit_clock", "player_sessions"])
    return row, outcome
