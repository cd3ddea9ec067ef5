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
- a session as a whole never credits more than the real time since its chain
  started plus ONE slack (the slack is not a per-request allowance: many
  tiny heartbeats earn nothing extra), and a silence longer than MAX_GAP
  restarts the chain instead of crediting the whole gap at once;
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
# The player beats every 10 s while playing; a longer silence (paused, tab
# asleep, connection lost) restarts the chain rather than being credited.
MAX_GAP_SECONDS = 45


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
        chain_start, credited = now, 0.0
        if previous is not None:
            last = datetime.datetime.fromisoformat(previous[1])
            # Older rows hold [seq, last]; their chain starts at the last beat.
            chain_start = datetime.datetime.fromisoformat(previous[2]) if len(previous) > 2 else last
            credited = float(previous[3]) if len(previous) > 3 else 0.0
            elapsed = (now - last).total_seconds()
            if elapsed > MAX_GAP_SECONDS:
                chain_start, credited = now, 0.0  # a new chain: the gap itself is not credited
            else:
                if row.last_credit_at is not None:
                    elapsed = min(elapsed, (now - row.last_credit_at).total_seconds())
                budget = (now - chain_start).total_seconds() + intervals.SLACK_SECONDS - credited
                allowed = max(0.0, min(elapsed + intervals.SLACK_SECONDS, budget))
                stretch = intervals.creditable(beat.start, beat.position, allowed, duration, slack=0.0)
                outcome = "accepted"
                if stretch is not None:
                    row.segments = intervals.add(row.segments, *stretch)
                    row.watched_seconds = round(intervals.covered(row.segments), 3)
                    row.last_credit_at = now
                    credited += stretch[1] - stretch[0]
        sessions[beat.session] = [beat.seq, now.isoformat(), chain_start.isoformat(), round(credited, 3)]
        if len(sessions) > MAX_SESSIONS:
            newest = sorted(sessions.items(), key=lambda item: item[1][1])[-MAX_SESSIONS:]
            sessions = dict(newest)
        row.sessions = sessions
        row.last_position = min(max(beat.position, 0.0), duration)
        row.save()
    return row, outcome
