"""ffprobe tells what a file is from its content, on clips real ffmpeg makes."""

import subprocess

import pytest

from core.media.probe import ProbeError, probe

pytestmark = pytest.mark.service("ffmpeg")


def make_clip(path, *extra, size="320x240", audio=True, seconds=1):
    inputs = ["-f", "lavfi", "-i", f"testsrc=size={size}:rate=25:duration={seconds}"]
    if audio:
        inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    command = ["ffmpeg", "-v", "error", "-y", *inputs, "-c:v", "libx264", "-pix_fmt", "yuv420p", *extra]
    if audio:
        command += ["-c:a", "aac", "-shortest"]
    subprocess.run([*command, str(path)], check=True, timeout=60)
    return path


def test_probe_reads_a_landscape_clip(tmp_path):
    result = probe(make_clip(tmp_path / "lesson.mp4"))
    assert (result.width, result.height) == (320, 240)
    assert result.display_size == (320, 240)
    assert result.video_codec == "h264"
    assert result.audio_codec == "aac"
    assert result.frame_rate == 25
    assert 0.9 < result.duration < 1.2


def test_phone_rotation_is_honoured(tmp_path):
    clip = make_clip(tmp_path / "landscape.mp4", audio=False)
    rotated = tmp_path / "portrait.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(clip), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(rotated)],
        check=True,
        timeout=60,
    )
    result = probe(rotated)
    assert result.rotation in {90, 270}
    assert result.display_size == (240, 320)
    assert not result.has_audio


def test_text_renamed_to_mp4_is_refused_with_a_chinese_message(tmp_path):
    fake = tmp_path / "lesson.mp4"
    fake.write_text("这不是视频", encoding="utf-8")
    with pytest.raises(ProbeError, match="不是有效的音视频文件"):
        probe(fake)


def test_zero_byte_and_truncated_files_are_refused(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(ProbeError):
        probe(empty)
    clip = make_clip(tmp_path / "whole.mp4", seconds=2).read_bytes()
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(clip[: len(clip) // 3])  # moov atom at the end is lost
    with pytest.raises(ProbeError):
        probe(truncated)
