"""The ffmpeg runner: progress, clamping, time limits and error tails, on real ffmpeg."""

import os
import random
import time

import pytest

from core.media.runner import STDERR_TAIL_LINES, FfmpegError, progress_percent, run

from .clips import processes_in

FFMPEG = "ffmpeg"


def test_progress_percent_is_clamped_and_tolerates_nonsense():
    assert progress_percent("5000000", 10) == 50.0
    assert progress_percent("-120000", 10) == 0.0  # ffmpeg's start with B-frames
    assert progress_percent("99000000", 10) == 100.0  # a header that understated the length
    assert progress_percent("N/A", 10) is None
    assert progress_percent("5000000", 0) is None
    assert progress_percent("5000000", None) is None


@pytest.mark.service("ffmpeg")
def test_progress_callback_is_called_clamped_and_rate_limited(tmp_path):
    """Real time input (-re) for 3 s, but a duration of 1.5 s: raw figures would pass 100 %."""
    calls = []
    args = [FFMPEG, "-re", "-f", "lavfi", "-i", "testsrc=duration=3:size=64x64:rate=10", "-f", "null", "-"]
    run(args, duration=1.5, progress=lambda percent: calls.append((time.monotonic(), percent)), interval=1.0)
    percents = [percent for _, percent in calls]
    assert len(calls) >= 3
    assert all(0.0 <= percent <= 100.0 for percent in percents)
    assert percents[-1] == 100.0
    assert percents == sorted(percents)
    gaps = [later - earlier for (earlier, _), (later, _) in zip(calls[:-2], calls[1:-1], strict=True)]
    assert all(gap >= 0.95 for gap in gaps), gaps  # at most once a second (the final 100 % aside)


@pytest.mark.service("ffmpeg")
def test_timeout_kills_an_ffmpeg_waiting_on_a_fifo_that_never_gets_data(tmp_path):
    fifo = tmp_path / "never.yuv"
    os.mkfifo(fifo)
    work = tmp_path / "work"
    work.mkdir()
    args = [FFMPEG, "-f", "rawvideo", "-video_size", "16x16", "-pix_fmt", "gray", "-i", str(fifo), "-f", "null", "-"]
    started = time.monotonic()
    with pytest.raises(FfmpegError, match="转码超时") as caught:
        run(args, duration=1, timeout=1.0, cwd=work)
    assert caught.value.reason == "timeout"
    assert time.monotonic() - started < 10
    assert processes_in(work) == []


@pytest.mark.service("ffmpeg")
def test_stall_timeout_kills_when_output_time_stops_advancing(tmp_path):
    fifo = tmp_path / "never.yuv"
    os.mkfifo(fifo)
    work = tmp_path / "work"
    work.mkdir()
    args = [FFMPEG, "-f", "rawvideo", "-video_size", "16x16", "-pix_fmt", "gray", "-i", str(fifo), "-f", "null", "-"]
    with pytest.raises(FfmpegError, match="转码停滞") as caught:
        run(args, duration=1, timeout=60, stall_timeout=1.0, cwd=work)
    assert caught.value.reason == "stalled"
    assert processes_in(work) == []


@pytest.mark.service("ffmpeg")
def test_a_raising_progress_callback_kills_ffmpeg_and_propagates(tmp_path):
    class Cancelled(Exception):
        pass

    def cancel(percent):
        raise Cancelled

    work = tmp_path / "work"
    work.mkdir()
    args = [FFMPEG, "-re", "-f", "lavfi", "-i", "testsrc=duration=30:size=64x64:rate=10", "-f", "null", "-"]
    started = time.monotonic()
    with pytest.raises(Cancelled):
        run(args, duration=30, progress=cancel, cwd=work)
    assert time.monotonic() - started < 10
    assert processes_in(work) == []


def corrupt_h264(path):
    """A valid H.264 stream followed by slices of noise: with -xerror, ffmpeg fails after ~90 frames."""
    clean = path.with_suffix(".clean.h264")
    run([FFMPEG, "-f", "lavfi", "-i", "testsrc=duration=3:size=64x64:rate=30", "-c:v", "libx264", "-f", "h264",
         str(clean)])  # fmt: skip
    noise = random.Random(1)  # noqa: S311 - test noise, not a secret
    slices = b"".join(b"\x00\x00\x01\x65" + bytes(noise.randrange(1, 256) for _ in range(3000)) for _ in range(5))
    path.write_bytes(clean.read_bytes() + slices)
    return path


@pytest.mark.service("ffmpeg")
def test_failure_raises_a_chinese_message_with_only_the_last_lines_of_stderr(tmp_path):
    """showinfo logs a line per frame (hundreds), then decoding fails: the error keeps the tail."""
    bad = corrupt_h264(tmp_path / "bad.h264")
    args = [FFMPEG, "-xerror", "-i", str(bad), "-vf", "showinfo", "-f", "null", "-"]
    with pytest.raises(FfmpegError) as caught:
        run(args, duration=3)
    error = caught.value
    assert error.reason == "failed" and error.returncode == 1
    assert error.summary.startswith("转码失败")
    assert len(error.tail) == STDERR_TAIL_LINES
    assert "Conversion failed!" in error.tail[-1]
    assert str(error).startswith("转码失败") and "Conversion failed!" in str(error)


@pytest.mark.service("ffmpeg")
def test_megabytes_of_stderr_do_not_deadlock(tmp_path):
    """2000 showinfo lines (~600 kB) would fill a pipe nobody reads 10 times over."""
    args = [FFMPEG, "-loglevel", "info", "-f", "lavfi", "-i", "testsrc=duration=20:size=16x16:rate=100,showinfo",
            "-f", "null", "-"]  # fmt: skip
    run(args, duration=20, timeout=60)
