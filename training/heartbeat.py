"""Video watch time from the player's heartbeats.

The player posts, every few seconds and at play/pause/seek/end:
`{lesson, session, seq, start, position}` - "in player session `session`,
heartbeat number `seq`, I played continuously from `start` to `position`".
The server believes none of it beyond what is physically possible:

- a new session only starts a chain (credits nothing): the time before its
  first heartbeat is unknown;
- a heartbeat credits at most the real time since the previous accepted one
  of its session, and since the last credit of any session (two tabs share
  one clock), plus a small slack; never outside the video;
- a duplicated or out-of-order heartbeat (seq not above the last accepted)
  changes nothing, and what is credited is stored as merged intervals, so a
  stretch reported twice counts once.
"""

import datetime
import math
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import intervals
from .models import VideoProgress

SESSION_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_SESSIONS = 5  # sessions remembered per teacher and video; older ones start afresh
MAX_SEQ = 10**9


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


def record(user, lesson, beat, duration, now=None):
    """Apply one heartbeat; return (VideoProgress, outcome) with outcome started/accepted/ignored.

    Runs in its own transaction with the row locked, so concurrent heartbeats
    of one teacher are applied one after another.
    """
    now = now or timezone.now()
    with transaction.atomic():
        row = _progress_row(user, lesson)
        row.duration = duration
        sessions = dict(row.sessions)
        previous = sessions.get(beat.session)
        if previous is not None and beat.seq <= previous[0]:
            return row, "ignored"
        outcome = "started"
        if previous is not None:
            elapsed = (now - datetime.datetime.fromisoformat(previous[1])).total_seconds()
            if row.last_credit_at is not None:
                elapsed = min(elapsed, (now - row.last_credit_at).total_seconds())
            stretch = intervals.creditable(beat.start, beat.position, elapsed, duration)
            outcome = "accepted"
            if stretch is not None:
                row.segments = intervals.add(row.segments, *stretch)
                row.watched_seconds = round(intervals.covered(row.segments), 3)
                row.last_credit_at = now
        sessions[beat.session] = [beat.seq, now.isoformat()]
        if len(sessions) > MAX_SESSIONS:
            newest = sorted(sessions.items(), key=lambda item: item[1][1])[-MAX_SESSIONS:]
            sessions = dict(newest)
        row.sessions = sessions
        row.last_position = min(max(beat.position, 0.0), duration)
        row.save()
    return row, outcome
