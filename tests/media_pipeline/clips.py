"""Short clips made by real ffmpeg for the media pipeline's tests, and ways to look at outputs."""

import json
import os
import subprocess
from pathlib import Path


def make_clip(path, *, size="320x240", seconds=2, rate=25, audio=True, extra=(), video_filter=None, codec=None):
    """A test picture (testsrc2: moving, so encoders have work) and, optionally, a tone."""
    source = f"testsrc2=size={size}:rate={rate}:duration={seconds}"
    if video_filter:
        source += f",{video_filter}"
    inputs = ["-f", "lavfi", "-i", source]
    if audio:
        inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    codec = codec or ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    command = ["ffmpeg", "-v", "error", "-y", *inputs, *codec, *extra]
    if audio:
        command += ["-c:a", "aac"]
    subprocess.run([*command, str(path)], check=True, timeout=60)
    return Path(path)


def rotate(source, target, degrees=90):
    """The same stream with a phone's rotation in the metadata (display matrix)."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(source), "-c", "copy", "-metadata:s:v:0", f"rotate={degrees}",
         str(target)],
        check=True,
        timeout=60,
    )  # fmt: skip
    return Path(target)


def ffprobe_json(path, *args):
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", *args, str(path)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)


def keyframe_times(playlist):
    """Presentation times of the keyframes of a variant (read through its playlist)."""
    frames = ffprobe_json(
        playlist, "-select_streams", "v:0", "-skip_frame", "nokey", "-show_entries", "frame=pts_time"
    )["frames"]
    return [float(frame["pts_time"]) for frame in frames]


def frame_times(playlist):
    frames = ffprobe_json(playlist, "-select_streams", "v:0", "-show_entries", "frame=pts_time")["frames"]
    return [float(frame["pts_time"]) for frame in frames]


def snapshot(folder):
    """{relative path: bytes} of every file under folder: to prove it was not touched."""
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def processes_in(folder):
    """Process ids whose working folder is inside `folder` (an ffmpeg started there)."""
    folder = str(Path(folder).resolve())
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{entry}/cwd")
        except OSError:
            continue
        cwd = cwd.removesuffix(" (deleted)")
        if cwd == folder or cwd.startswith(folder + "/"):
            found.append(int(entry))
    return found
