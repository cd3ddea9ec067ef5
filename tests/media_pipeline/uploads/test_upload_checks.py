"""The content gate of uploads: what a file is, decided by its bytes and ffprobe, never by its name."""

import struct

import pytest

from core.media.probe import ProbeResult
from media_pipeline.uploads import checks
from media_pipeline.uploads.local import LocalSource


def box(kind, payload=b"", size=None):
    return struct.pack(">I", len(payload) + 8 if size is None else size) + kind + payload


def result(**fields):
    base = {
        "duration": 3.0,
        "width": 320,
        "height": 240,
        "rotation": 0,
        "video_codec": "h264",
        "audio_codec": "aac",
        "frame_rate": 25.0,
        "format_name": "mov,mp4,m4a,3gp,3g2,mj2",
    }
    return ProbeResult(**{**base, **fields})


def test_first_bytes_name_common_mistakes():
    assert checks.check_head(b"") == checks.EMPTY
    assert checks.check_head(b"%PDF-1.7 ...") == "这是 PDF 文档，不是视频。"
    assert "压缩包或 Office 文档" in checks.check_head(b"PK\x03\x04rest")
    assert checks.check_head(b"\xff\xd8\xff\xe0JFIF") == checks.IMAGE
    assert checks.check_head(b"#EXTM3U\n#EXTINF:10,\nhttp://example.invalid/a.ts\n") == checks.TEXT
    assert checks.check_head("教学设计：分数的初步认识\r\n".encode()) == checks.TEXT
    playlist_with_a_binary_byte = b"\xef\xbb\xbf#EXTM3U\n\x01#EXTINF:1,\nfile:///etc/passwd\n"
    assert checks.check_head(playlist_with_a_binary_byte) == checks.TEXT
    assert checks.check_head(box(b"ftyp", b"isom\x00\x00\x02\x00")) is None


def test_box_walk_finds_a_cut_off_mp4():
    whole = box(b"ftyp", b"isom\x00\x00\x02\x00") + box(b"moov", b"m" * 40) + box(b"mdat", b"d" * 100)
    read = lambda data: lambda offset, length: data[offset : offset + length]  # noqa: E731
    assert checks.check_boxes(len(whole), read(whole)) is None
    cut = whole[:-30]
    assert checks.check_boxes(len(cut), read(cut)) == checks.TRUNCATED
    header_cut = whole[: len(whole) - 104]  # ends inside the mdat header
    assert checks.check_boxes(len(header_cut), read(header_cut)) == checks.TRUNCATED
    to_end = box(b"ftyp", b"isom") + box(b"mdat", b"d" * 10, size=0)  # size 0: "runs to the end"
    assert checks.check_boxes(len(to_end), read(to_end)) is None
    large = box(b"ftyp", b"isom") + struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", 16 + 50) + b"d" * 20
    assert checks.check_boxes(len(large), read(large)) == checks.TRUNCATED


def test_probe_results_that_are_no_lesson_video():
    assert checks.judge(result()) is None
    assert checks.judge(result(video_codec=None, width=None, height=None)) == checks.AUDIO_ONLY
    assert checks.judge(result(format_name="png_pipe", video_codec="png", duration=0.0)) == checks.IMAGE
    assert checks.judge(result(format_name="image2", video_codec="mjpeg")) == checks.IMAGE
    assert checks.judge(result(duration=0.0)) == checks.NO_DURATION


EXPECTED = {
    "truncated": checks.TRUNCATED,
    "truncated_faststart": checks.TRUNCATED,
    "text": checks.TEXT,
    "pdf": "这是 PDF 文档，不是视频。",
    "audio": checks.AUDIO_ONLY,
    "random": "无法识别的文件：不是有效的音视频文件，或文件已损坏。",
}


@pytest.mark.service("ffmpeg")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_files_are_judged_by_content(clips, name):
    with open(clips[name], "rb") as handle:
        with pytest.raises(checks.NotAVideo) as refusal:
            checks.check(LocalSource(handle, clips[name]))
    assert str(refusal.value) == EXPECTED[name]


@pytest.mark.service("ffmpeg")
def test_a_real_video_passes_with_its_probe(clips):
    with open(clips["video"], "rb") as handle:
        probed = checks.check(LocalSource(handle, clips["video"]))
    assert probed.has_video and probed.has_audio
    assert probed.duration == pytest.approx(3.0, abs=0.1)
