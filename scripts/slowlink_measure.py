"""The pure half of scripts/bench_slowlink.py: what a recorded page load and playback amount to.

No browser and no network here, so tests/unit/test_slowlink_measure.py can
check the sums: which category a response's bytes belong to, how many bytes
had arrived by the first video frame, where playback stalled, which rung
played, and the side-by-side table.
"""

import math
import re
import statistics
from urllib.parse import urljoin, urlsplit

CATEGORIES = ("html", "css", "js", "hls.js", "playlists", "init", "segments", "images", "other")
MEDIA_SUFFIXES = (".m4s", ".ts", ".mp4", ".aac", ".m4a", ".m4v", ".webm")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico")


RUNG = re.compile(r"^(\d{3,4}p|audio\w*)$")


def rung_of(url):
    """The rendition a media URL belongs to, from its path ('.../240p/index.m3u8' -> '240p'), or None."""
    parts = [part for part in urlsplit(url).path.lower().split("/") if part]
    named = [part for part in parts if RUNG.match(part)]
    if named:
        return named[-1]
    return parts[-2] if len(parts) > 1 and parts[-1].endswith(".m3u8") else None


def playlist_entries(playlist_url, text):
    """{absolute URL: (rung, 'init' or 'segments', seconds)} of one media playlist; {} for a master playlist.

    Segment URLs may be opaque (signed tokens): the playlist that lists them
    is what says which rung and which kind they are.
    """
    if "#EXT-X-STREAM-INF" in text:
        return {}
    rung, entries, duration = rung_of(playlist_url), {}, 0.0
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#EXT-X-MAP:") and 'URI="' in line:
            uri = line.split('URI="', 1)[1].split('"', 1)[0]
            entries[urljoin(playlist_url, uri)] = (rung, "init", 0.0)
        elif line.startswith("#EXTINF:"):
            duration = float(line[8:].split(",", 1)[0] or 0)
        elif line and not line.startswith("#"):
            entries[urljoin(playlist_url, line)] = (rung, "segments", duration)
    return entries


def categorize(url, resource_type="", mime="", ranged=False, media=None):
    """The category of one response: what a playlist said it is, else by its path, else by its type."""
    if media and url in media:
        return media[url][1]
    path = urlsplit(url).path.lower()
    name = path.rsplit("/", 1)[-1]
    mime = (mime or "").lower()
    resource_type = (resource_type or "").lower()
    if name.endswith(".m3u8") or "mpegurl" in mime:
        return "playlists"
    if name.startswith("init") and name.endswith(MEDIA_SUFFIXES):
        return "init"
    if name.endswith(MEDIA_SUFFIXES) or ranged or resource_type == "media" or mime.startswith(("video/", "audio/")):
        return "segments"
    is_script = name.endswith((".js", ".mjs")) or resource_type == "script" or "javascript" in mime
    if is_script:
        return "hls.js" if "hls" in path else "js"
    if name.endswith(".css") or resource_type == "stylesheet" or mime == "text/css":
        return "css"
    if name.endswith(IMAGE_SUFFIXES) or resource_type == "image" or mime.startswith("image/"):
        return "images"
    if resource_type == "document" or mime == "text/html":
        return "html"
    return "other"


def bytes_by_category(requests, until=None, media=None):
    """{category: bytes} over the network for `requests`, counting only what had arrived by `until`.

    Each request is a dict: url, type, mime, ranged, start, end (monotonic
    seconds, end None while in flight), encoded (the total on the wire, from
    loadingFinished), chunks [(seconds, bytes)] from dataReceived, and
    redirects (bytes of redirect responses before it). A request finished by
    `until` counts whole; one still in flight counts the chunks received by then.
    """
    totals = dict.fromkeys(CATEGORIES, 0)
    for request in requests:
        if until is not None and request["start"] > until:
            continue
        if request.get("end") is not None and (until is None or request["end"] <= until):
            size = request.get("encoded") or sum(n for _, n in request.get("chunks", ()))
        else:
            size = sum(n for at, n in request.get("chunks", ()) if until is None or at <= until)
        size += request.get("redirects", 0)
        category = categorize(
            request["url"], request.get("type", ""), request.get("mime", ""), request.get("ranged"), media
        )
        totals[category] += size
    return totals


def stalls(samples, events, min_gap=0.5):
    """(count, seconds stalled) after playback started.

    `samples` are (seconds, currentTime, paused, ended) taken every ~100 ms;
    `events` are (seconds, type) media events. A stall is a `waiting` event
    after the start (until the next `playing` or the position moving again)
    or the position standing still for more than `min_gap` while neither
    paused nor ended; overlapping ones count once.
    """
    started = next((t for t, position, *_ in samples if position > 0), None)
    if started is None:
        return 0, 0.0
    intervals = []
    last_move, last_position = started, None
    for t, position, paused, ended in samples:
        if t < started:
            continue
        if paused or ended or last_position is None or position > last_position + 1e-3:
            # A late sample is not a stall: only wall time the position did not make up counts.
            lag = 0 if last_position is None else (t - last_move) - (position - last_position)
            if not (paused or ended) and lag > min_gap:
                intervals.append((t - lag, t))
            last_move, last_position = t, position
    if samples and not (samples[-1][2] or samples[-1][3]) and samples[-1][0] - last_move > min_gap:
        intervals.append((last_move, samples[-1][0]))
    end_of_record = samples[-1][0] if samples else started
    for index, (t, kind) in enumerate(events):
        if kind != "waiting" or t < started:
            continue
        resumed = next((u for u, k in events[index + 1 :] if k in ("playing", "ended", "pause")), end_of_record)
        moved = next((u for u, p, *_ in samples if u > t and p > _position_at(samples, t) + 1e-3), resumed)
        intervals.append((t, max(t, min(resumed, moved))))
    merged = []
    for begin, finish in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], finish)
        else:
            merged.append([begin, finish])
    return len(merged), round(sum(finish - begin for begin, finish in merged), 2)


def _position_at(samples, t):
    before = [position for u, position, *_ in samples if u <= t]
    return before[-1] if before else 0.0


def rungs_fetched(requests, media):
    """{rung: seconds of media fetched}, from the segment requests and what their playlists said of them."""
    fetched = {}
    for request in requests:
        url = request["url"]
        rung, kind, seconds = media.get(url) or (rung_of(url), categorize(url, mime=request.get("mime", "")), 0.0)
        if kind == "segments" and rung and request.get("status") in (200, 206):
            fetched[rung] = fetched.get(rung, 0.0) + seconds
    return {rung: round(fetched[rung], 1) for rung in sorted(fetched, key=_rung_order)}


def _rung_order(rung):
    digits = rung[:-1] if rung.endswith("p") else ""
    return (0, int(digits)) if digits.isdigit() else (1, rung)


def heights(samples):
    """{picture height: seconds played at it}, from (seconds, currentTime, paused, ended, videoHeight) samples."""
    played = {}
    for (t, _, paused, ended, height), (u, *_rest) in zip(samples, samples[1:], strict=False):
        if height and not paused and not ended:
            played[height] = played.get(height, 0.0) + (u - t)
    return {height: round(seconds, 1) for height, seconds in sorted(played.items())}


def median(values):
    """Median where None (never happened within the timeout) counts as infinitely late."""
    if not values:
        return None
    value = statistics.median([math.inf if v is None else v for v in values])
    return None if math.isinf(value) else value


def ratio(ours, theirs):
    if ours is None or theirs is None or not theirs:
        return "—"
    return f"{ours / theirs:.2f}"


def _seconds(value):
    return "—" if value is None else f"{value:.1f}"


def _loads_rows(kind, runs_by_label, labels):
    """Rows for one kind of cold load (anonymous or signed in): medians over its runs."""
    rows = []

    def medians(key):
        return [median([run[key] for run in runs_by_label[label]]) for label in labels]

    def byte_medians(category):
        return [median([run["bytes"].get(category, 0) for run in runs_by_label[label]]) for label in labels]

    rows.append((kind, "page ready (DOMContentLoaded), s", medians("dcl"), _seconds))
    rows.append(("", "first video frame, s", medians("first_frame"), _seconds))
    totals = [
        median([sum(run["bytes"].values()) for run in runs_by_label[label] if run["first_frame"] is not None])
        for label in labels
    ]
    rows.append(("", "kB before first frame", totals, _kilobytes))
    for category in CATEGORIES:
        values = byte_medians(category)
        if any(values):
            rows.append(("", f"  {category}", values, _kilobytes))
    return rows


def _kilobytes(value):
    return "—" if value is None else f"{value / 1000:.0f}"


def _rungs_text(fetched):
    """'240p 24s 360p 8s' of the picture rungs fetched (the audio rendition only if nothing else came)."""
    pictures = {rung: seconds for rung, seconds in fetched.items() if not rung.startswith("audio")} or fetched
    return " ".join(f"{rung} {seconds:.0f}s" for rung, seconds in pictures.items()) or "none"


def _viewer_rows(viewers_by_label, labels):
    """Rows for one playback test: each viewer's figures, joined with '+' (or '|' for rungs)."""

    def cell(label, show, join="+"):
        viewers = viewers_by_label.get(label)
        return join.join(show(v) for v in viewers) if viewers else "—"

    return [
        ("first video frame, s", [cell(label, lambda v: _seconds(v["first_frame"])) for label in labels]),
        ("stalls", [cell(label, lambda v: str(v["stalls"])) for label in labels]),
        ("time stalled, s", [cell(label, lambda v: f"{v['stalled']:.1f}") for label in labels]),
        ("rungs fetched (s of media)", [cell(label, lambda v: _rungs_text(v["rungs"]), " | ") for label in labels]),
    ]


def table(results, labels, rate, rtt_ms, runs, play_seconds):
    """The side-by-side text table for one rate; ratios are the last label over the first."""
    by_rate = {label: results[label][rate] for label in labels}
    rows = []  # (kind, what, cells, ratio)
    for kind, key in (("anonymous", "anonymous"), ("signed in", "signed_in")):
        if all(by_rate[label].get(key) for label in labels):
            loads = {label: by_rate[label][key] for label in labels}
            for first, what, values, show in _loads_rows(kind, loads, labels):
                rows.append((first, what, [show(v) for v in values], ratio(values[-1], values[0])))
    for key, name in (("one_viewer", "1 viewer"), ("two_viewers", "2 viewers")):
        if any(by_rate[label].get(key) for label in labels):
            viewers = {label: by_rate[label].get(key) for label in labels}
            for index, (what, cells) in enumerate(_viewer_rows(viewers, labels)):
                rows.append((name if index == 0 else "", what, cells, ""))
    compare = len(labels) > 1
    width = max([14, *(len(cell) + 2 for row in rows for cell in row[2])])
    title = f"Slow link: {rate} each way, {rtt_ms} ms round trip, cold cache, median of {runs} loads"
    title += f"; viewers play {play_seconds} s"
    header = "".join(f"{label:>{width}}" for label in labels)
    lines = [title, f"{'':<44}{header}" + (f"{labels[-1] + '/' + labels[0]:>14}" if compare else "")]
    for kind, what, cells, times in rows:
        line = f"{kind:<12}{what:<32}" + "".join(f"{c:>{width}}" for c in cells) + (f"{times:>14}" if compare else "")
        lines.append(line.rstrip())
    return "\n".join(lines)
