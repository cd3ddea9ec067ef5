"""The sums of scripts/bench_slowlink.py: categories, bytes by the first frame, stalls, rungs, the table.

The benchmark's numbers are only as good as these: a segment behind a signed
URL must still count as a segment of its rung, bytes still in flight at the
first frame must count only as far as they had arrived, and a late sample
must not look like a stall.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import slowlink_measure as measure  # scripts/ is not a package: on the path above

PLAYLIST = """#EXTM3U
#EXT-X-TARGETDURATION:4
#EXT-X-MAP:URI="/media-pipeline/files/tokenI"
#EXTINF:4.000,
/media-pipeline/files/token1
#EXTINF:2.500,
/media-pipeline/files/token2
#EXT-X-ENDLIST
"""
PLAYLIST_URL = "http://127.0.0.1:18102/media-pipeline/videos/abc/hls/240p/index.m3u8"


def request(url, start, end, encoded, chunks=(), status=200, mime=""):
    return {"url": url, "type": "", "mime": mime, "ranged": False, "start": start, "end": end,
            "encoded": encoded, "chunks": list(chunks), "redirects": 0, "status": status}  # fmt: skip


def test_opaque_segment_urls_take_their_rung_and_kind_from_the_playlist():
    media = measure.playlist_entries(PLAYLIST_URL, PLAYLIST)
    base = "http://127.0.0.1:18102/media-pipeline/files/"
    assert media[base + "tokenI"] == ("240p", "init", 0.0)
    assert media[base + "token2"] == ("240p", "segments", 2.5)
    assert measure.categorize(base + "tokenI", mime="video/mp4", media=media) == "init"
    assert measure.playlist_entries(PLAYLIST_URL, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n240p/index.m3u8") == {}


def test_rung_names_come_from_the_path():
    assert measure.rung_of("http://x/v/hls/144p/seg_0001.m4s") == "144p"
    assert measure.rung_of("http://x/v/hls/audio/index.m3u8") == "audio"
    assert measure.rung_of("http://x/media-pipeline/files/token") is None


def test_categories_by_path_then_type():
    assert measure.categorize("http://x/static/vendor/hls.js/hls.min.js") == "hls.js"
    assert measure.categorize("http://x/static/media_pipeline/js/player.js") == "js"
    assert measure.categorize("http://x/v/hls/master.m3u8") == "playlists"
    assert measure.categorize("http://x/v/240p/init_240p.mp4") == "init"
    assert measure.categorize("http://x/lessons/a/", "Document", "text/html") == "html"
    assert measure.categorize("http://x/v/poster.jpg") == "images"


def test_bytes_count_what_had_arrived_by_the_first_frame():
    requests = [
        request("http://x/a.css", 0.0, 1.0, 1000),
        request("http://x/seg.m4s", 1.0, None, 0, chunks=[(1.5, 300), (2.5, 400)]),
        request("http://x/late.js", 3.0, 4.0, 5000),
    ]
    totals = measure.bytes_by_category(requests, until=2.0)
    assert totals["css"] == 1000 and totals["segments"] == 300 and totals["js"] == 0


def test_a_standing_position_is_a_stall_and_a_late_sample_is_not():
    moving = [(t / 10, max(0.0, (t - 10) / 10), 0, 0) for t in range(10, 60)]
    assert measure.stalls(moving, []) == (0, 0.0)
    late = [*moving[:20], *moving[27:]]  # 0.7 s without a sample, the position made it up
    assert measure.stalls(late, [])[0] == 0
    standing = [*moving[:20], *((t / 10, moving[19][1], 0, 0) for t in range(30, 45))]
    count, seconds = measure.stalls(standing, [])
    assert count == 1 and 1.0 < seconds < 1.6


def test_rungs_fetched_sum_the_media_seconds_of_each_rung():
    media = measure.playlist_entries(PLAYLIST_URL, PLAYLIST)
    base = "http://127.0.0.1:18102/media-pipeline/files/"
    requests = [request(base + name, 0, 1, 10) for name in ("tokenI", "token1", "token2")]
    requests.append(request("http://x/v/hls/360p/seg_0001.m4s", 0, 1, 10))
    assert measure.rungs_fetched(requests, media) == {"240p": 6.5, "360p": 0.0}


def test_the_table_puts_the_configurations_side_by_side_with_ratios():
    def load(frame):
        return {"dcl": 0.5, "first_frame": frame, "bytes": {"html": 20_000, "segments": 80_000}}

    viewer = {"first_frame": 3.0, "stalls": 1, "stalled": 0.8, "rungs": {"144p": 20.0, "audio": 20.0}}
    results = {
        label: {"256kbit": {"anonymous": [load(frame)], "two_viewers": [viewer, viewer]}}
        for label, frame in (("today", 20.0), ("yours", 3.0))
    }
    text = measure.table(results, ["today", "yours"], "256kbit", "80", 1, 20)
    assert "yours/today" in text
    assert "0.15" in text  # first frame 3.0 / 20.0
    assert "144p 20s | 144p 20s" in text
    assert "1+1" in text
