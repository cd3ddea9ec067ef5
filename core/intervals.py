"""Watched parts of a video as merged intervals, and how much a heartbeat may credit. Pure functions.

Storing what was covered (not a running total) is what makes heartbeats
idempotent: the same stretch reported twice, or late, merges into what is
already there and adds nothing.
"""

# Player and network jitter between two heartbeats; a few seconds, far below
# the 10 s the player waits between heartbeats, so skipping ahead gains nothing.
SLACK_SECONDS = 2.0
# Stretches shorter than this are rounding noise, not watching.
MIN_SEGMENT = 0.05


def merge(segments):
    """Sorted, non-overlapping [start, end] pairs; touching ones joined."""
    merged = []
    for start, end in sorted((float(s), float(e)) for s, e in segments if e > s):
        if merged and start <= merged[-1][1] + 1e-6:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [[round(s, 3), round(e, 3)] for s, e in merged]


def covered(segments):
    return sum(end - start for start, end in segments)


def add(segments, start, end):
    return merge([*segments, [start, end]])


def creditable(start, end, elapsed, duration, slack=SLACK_SECONDS):
    """The part of a claimed stretch [start, end] that may be credited, or None.

    At most the real time that passed (`elapsed` seconds, measured by the
    server) plus `slack`, and never outside the video: a player reporting an
    hour of a 10-minute video, or a minute watched in a second, gets only
    what was physically possible.
    """
    if duration <= 0 or elapsed is None:
        return None
    start = min(max(float(start), 0.0), duration)
    end = min(max(float(end), 0.0), duration)
    end = min(end, start + max(float(elapsed), 0.0) + slack)
    if end - start < MIN_SEGMENT:
        return None
    return start, end
