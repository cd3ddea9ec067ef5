"""Whether a play qualifies (≥ 10 s of real playback), from the usage script's reports, checked on the server.

The script (static/supervision/usage.js) posts `{lesson, session, seq, played}`:
"in player session `session`, report `seq`, the video has played `played`
seconds in all". Like training's heartbeats, the server believes no more than
physically possible: what a session is credited never exceeds the real time
since its first report, a silence longer than MAX_GAP restarts the chain, and
a report whose seq is not above the last one changes nothing. The state lives
in the cache for the session's life only; a qualifying play becomes one
usage event (once per user, lesson and hour, supervision.usage).
"""

import math
import re
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError

from .models import UsageKind
from .usage import record_online_use

QUALIFYING_SECONDS = 10
MAX_GAP_SECONDS = 45
SESSION_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
STATE_TTL = 3600


@dataclass(frozen=True)
class Report:
    lesson_id: int
    session: str
    seq: int
    played: float


def parse(data):
    if not isinstance(data, dict):
        raise ValidationError("播放数据格式不正确。")
    session = str(data.get("session") or "")
    if not SESSION_RE.match(session):
        raise ValidationError("播放会话标识无效。")
    try:
        lesson_id, seq, played = int(data.get("lesson")), int(data.get("seq")), float(data.get("played"))
    except (TypeError, ValueError):
        raise ValidationError("播放数据不是有效数字。") from None
    if not math.isfinite(played) or played < 0 or not 0 <= seq <= 10**9:
        raise ValidationError("播放数据无效。")
    return Report(lesson_id, session, seq, played)


def _key(user, report):
    return f"supervision:play:{user.pk}:{report.lesson_id}:{report.session}"


def report(user, lesson, report, now=None):
    """Apply one report; return 'started', 'accepted', 'ignored' or 'counted' (this report made the play qualify)."""
    now = time.time() if now is None else now
    key = _key(user, report)
    state = cache.get(key)
    if state is not None and report.seq <= state["seq"]:
        return "ignored"
    if state is None or now - state["last"] > MAX_GAP_SECONDS or report.played < state["base"]:
        # A new chain: the time before its first report is unknown, so it earns nothing yet.
        state = {"seq": report.seq, "first": now, "last": now, "base": report.played, "counted": False}
        cache.set(key, state, STATE_TTL)
        return "started"
    credited = min(report.played - state["base"], now - state["first"])
    state.update(seq=report.seq, last=now)
    outcome = "accepted"
    if not state["counted"] and credited >= QUALIFYING_SECONDS:
        state["counted"] = True
        record_online_use(user=user, lesson=lesson, kind=UsageKind.PLAY)
        outcome = "counted"
    cache.set(key, state, STATE_TTL)
    return outcome
