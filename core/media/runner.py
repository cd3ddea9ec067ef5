"""The project's own ffmpeg runner: progress, time limits, and errors a teacher can read.

ffmpeg-python's `run()` has no progress, no timeout and can deadlock when
ffmpeg fills the stderr pipe nobody reads (PeerTube users report transcodes
hanging for ever). Here:

- `-progress pipe:1 -nostats` makes ffmpeg write `key=value` blocks to stdout;
  `out_time_us` over the duration is the percentage, clamped to 0-100 (ffmpeg's
  figure can be negative at the start or run past a wrong duration);
- stderr is drained by a thread that keeps only the last lines, for the error;
- a wall-clock timeout and a stall timeout (output time not advancing) kill the
  whole process group, so no ffmpeg outlives its job.
"""

import collections
import math
import os
import selectors
import subprocess
import threading
import time

from core.processes import die_with_parent, kill_group

# Enough of ffmpeg's complaint to see what went wrong, small enough for a log line.
STDERR_TAIL_LINES = 50
# How often the progress callback may be called: a Celery task that stores the
# percentage in its result backend should not write ten times a second.
PROGRESS_INTERVAL_SECONDS = 1.0
# How long the loop may sleep before it looks at the clocks again.
POLL_SECONDS = 0.25


class FfmpegError(Exception):
    """ffmpeg failed, timed out or stalled. `summary` is for the teacher (Chinese),
    `str()` adds the tail of ffmpeg's stderr for the log."""

    def __init__(self, summary, *, reason, returncode=None, tail=()):
        self.summary = summary
        self.reason = reason  # "failed", "timeout" or "stalled"
        self.returncode = returncode
        self.tail = tuple(tail)
        details = "\n".join(self.tail)
        super().__init__(f"{summary}\nffmpeg 输出的最后几行：\n{details}" if details else summary)


def progress_percent(out_time_us, duration):
    """Percentage done from ffmpeg's `out_time_us` and the duration in seconds, in 0-100.

    None when ffmpeg has no time yet ("N/A") or the duration is unknown.
    """
    try:
        microseconds = int(out_time_us)
    except (TypeError, ValueError):
        return None
    if not duration or duration <= 0:
        return None
    percent = microseconds / (duration * 1_000_000) * 100
    if math.isnan(percent):
        return None
    return min(100.0, max(0.0, percent))


def run(
    args,
    *,
    duration=None,
    progress=None,
    interval=PROGRESS_INTERVAL_SECONDS,
    timeout=None,
    stall_timeout=None,
    cwd=None,
):
    """Run an ffmpeg argument list (binary first) to the end.

    Args:
        args: e.g. from `commands.build_command()`; this adds `-progress pipe:1 -nostats -nostdin`.
        duration: the source's length in seconds, for the percentage.
        progress: called as `progress(percent)` at most once per `interval` seconds,
            and once more with 100.0 when ffmpeg reports the end. If it raises,
            ffmpeg is killed and the exception propagates (a way to cancel).
        timeout: seconds of wall clock before ffmpeg is killed.
        stall_timeout: seconds without ffmpeg's output time advancing before it is killed.
        cwd: the working folder (relative output names land there).
    Raises:
        FfmpegError: non-zero exit, timeout or stall; ffmpeg's process group is dead by then.
    """
    argv = [args[0], "-nostdin", "-nostats", "-progress", "pipe:1", *args[1:]]
    # A session of its own: killpg reaches every child ffmpeg might start.
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        start_new_session=True,
        preexec_fn=_die_with_parent(),  # one prctl call between fork and exec
    )
    tail = collections.deque(maxlen=STDERR_TAIL_LINES)
    drainer = threading.Thread(target=_drain, args=(process.stderr, tail), name="ffmpeg-stderr", daemon=True)
    drainer.start()
    watch = _Watch(timeout, stall_timeout)
    try:
        _follow(process, watch, duration, progress, interval)
        if not watch.expired:
            # stdout is closed; ffmpeg is finishing its files.
            process.wait(timeout=watch.remaining())
    except subprocess.TimeoutExpired:
        watch.expired = watch.expired or "timeout"
    finally:
        # Also when the progress callback raised: no ffmpeg outlives its job.
        kill_group(process)
        returncode = process.wait()
        drainer.join(timeout=5)
        process.stdout.close()
        process.stderr.close()
    if watch.expired == "timeout":
        raise FfmpegError(f"转码超时：超过 {timeout:g} 秒仍未完成，已终止。", reason="timeout", tail=tail)
    if watch.expired == "stalled":
        raise FfmpegError(f"转码停滞：{stall_timeout:g} 秒没有任何进展，已终止。", reason="stalled", tail=tail)
    if returncode != 0:
        if returncode < 0:
            summary = f"转码中断：ffmpeg 被信号 {-returncode} 终止。"
        else:
            summary = f"转码失败（ffmpeg 退出码 {returncode}）：文件可能已损坏，或格式不受支持。"
        raise FfmpegError(summary, reason="failed", returncode=returncode, tail=tail)


class _Watch:
    """The two clocks: the wall-clock deadline and the last time output time advanced."""

    def __init__(self, timeout, stall_timeout):
        self.started = time.monotonic()
        self.timeout = timeout
        self.stall_timeout = stall_timeout
        self.last_advance = self.started
        self.out_time = None
        self.expired = None

    def advanced(self, out_time_us):
        try:
            value = int(out_time_us)
        except (TypeError, ValueError):
            return
        if self.out_time is None or value > self.out_time:
            self.out_time = value
            self.last_advance = time.monotonic()

    def remaining(self):
        """Seconds until the first clock runs out (None: no limit); sets `expired` at zero."""
        now = time.monotonic()
        limits = []
        if self.timeout is not None:
            limits.append((self.started + self.timeout - now, "timeout"))
        if self.stall_timeout is not None:
            limits.append((self.last_advance + self.stall_timeout - now, "stalled"))
        if not limits:
            return None
        left, which = min(limits)
        if left <= 0:
            self.expired = which
            return 0
        return left


def _follow(process, watch, duration, progress, interval):
    """Read the progress blocks until ffmpeg closes stdout, or a clock runs out."""
    fd = process.stdout.fileno()
    selector = selectors.DefaultSelector()
    selector.register(fd, selectors.EVENT_READ)
    pending = b""
    block = {}
    last_call = None
    try:
        while True:
            left = watch.remaining()
            if watch.expired:
                kill_group(process)
                return
            ready = selector.select(POLL_SECONDS if left is None else min(POLL_SECONDS, left))
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                key, _, value = line.decode("utf-8", "replace").strip().partition("=")
                if key != "progress":
                    block[key] = value
                    continue
                # A block ends with progress=continue or progress=end.
                watch.advanced(block.get("out_time_us"))
                if progress is None:
                    pass
                elif value == "end":
                    progress(100.0)
                else:
                    now = time.monotonic()
                    percent = progress_percent(block.get("out_time_us"), duration)
                    if percent is not None and (last_call is None or now - last_call >= interval):
                        last_call = now
                        progress(percent)
                block = {}
    finally:
        selector.close()


def _die_with_parent():
    parent = os.getpid()
    return lambda: die_with_parent(parent)


def _drain(stream, tail):
    """Read stderr to the end, keeping the last lines (a full pipe would block ffmpeg)."""
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", "replace").rstrip()
        if line:
            tail.append(line)
