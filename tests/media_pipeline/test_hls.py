"""Measuring variants and writing the master playlist: pure logic on small files."""

import pytest

from core.media.hls import (
    MediaPlaylist,
    PlaylistError,
    Segment,
    Variant,
    avc_codecs_attribute,
    master_playlist,
    read_media_playlist,
)


def playlist(durations_and_sizes, target=4):
    segments = tuple(Segment(f"seg_{i}.m4s", d, s) for i, (d, s) in enumerate(durations_and_sizes))
    return MediaPlaylist(path=None, target_duration=target, init=None, segments=segments)


def test_average_bitrate_is_bytes_over_seconds():
    assert playlist([(4.0, 50_000), (4.0, 50_000)]).average_bitrate == 100_000


def test_peak_bitrate_follows_rfc_8216_and_ignores_a_short_tail_on_its_own():
    """A 0.1 s last segment of 10 kB is 800 kbit/s alone, but it only counts joined to
    its neighbour (windows of 0.5-1.5 target durations)."""
    measured = playlist([(4.0, 50_000), (4.0, 100_000), (0.1, 10_000)])
    assert measured.peak_bitrate == round(110_000 * 8 / 4.1)
    # A clip shorter than half a target duration: its average.
    assert playlist([(1.0, 10_000)]).peak_bitrate == 80_000


def test_a_playlist_naming_a_missing_segment_or_without_endlist_is_refused(tmp_path):
    (tmp_path / "seg_0.m4s").write_bytes(b"x" * 10)
    (tmp_path / "init.mp4").write_bytes(b"x")
    good = '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:4.0,\nseg_0.m4s\n#EXT-X-ENDLIST\n'
    (tmp_path / "index.m3u8").write_text(good)
    read = read_media_playlist(tmp_path / "index.m3u8")
    assert read.duration == 4.0 and read.segments[0].size == 10 and read.init == tmp_path / "init.mp4"
    (tmp_path / "index.m3u8").write_text(good.replace("#EXT-X-ENDLIST\n", ""))
    with pytest.raises(PlaylistError, match="没有写完"):
        read_media_playlist(tmp_path / "index.m3u8")
    (tmp_path / "index.m3u8").write_text(good.replace("seg_0", "seg_9"))
    with pytest.raises(PlaylistError, match="缺少分片"):
        read_media_playlist(tmp_path / "index.m3u8")


def test_codecs_attribute_comes_from_the_avcc_box(tmp_path):
    init = tmp_path / "init.mp4"
    # ... avcC box: version 1, profile 0x4d (Main), compatibility 0x40, level 0x1e (3.0)
    init.write_bytes(b"\x00\x00\x00\x20stsd" + b"\x00" * 8 + b"\x00\x00\x00\x10avcC\x01\x4d\x40\x1e\xff\xe1")
    assert avc_codecs_attribute(init) == "avc1.4d401e"
    init.write_bytes(b"no box here")
    with pytest.raises(PlaylistError):
        avc_codecs_attribute(init)


def test_master_playlist_lists_every_attribute_a_player_needs():
    # Sound is muxed into every rung (one request per segment, not two), so no audio group.
    text = master_playlist(
        [
            Variant("144p/index.m3u8", 104_000, 90_000, "avc1.4d401e,mp4a.40.2", 256, 144, 25.0),
            Variant("audio/index.m3u8", 36_000, 35_000, "mp4a.40.2"),
        ]
    )
    lines = text.splitlines()
    assert lines[0] == "#EXTM3U"
    assert "EXT-X-MEDIA" not in text and "AUDIO=" not in text
    assert (
        "#EXT-X-STREAM-INF:BANDWIDTH=104000,AVERAGE-BANDWIDTH=90000,RESOLUTION=256x144,FRAME-RATE=25.000,"
        'CODECS="avc1.4d401e,mp4a.40.2"' in lines
    )
    assert '#EXT-X-STREAM-INF:BANDWIDTH=36000,AVERAGE-BANDWIDTH=35000,CODECS="mp4a.40.2"' in lines
    assert lines[-1] == "audio/index.m3u8"
