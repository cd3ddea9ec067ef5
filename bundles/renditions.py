"""One playable file per lesson video for a bundle, made from the video's stored outputs.

See core.media.offline for why a bundle holds one MP4 (or M4A) per video rather
than the HLS ladder. The outputs are read through Django's default storage, so
this works on local files and on S3 alike.
"""

import shutil
import subprocess
from pathlib import Path

from django.core.files.storage import default_storage

from core.media import offline
from core.media.commands import VARIANT_PLAYLIST

# A remux copies streams (seconds); the 144p encode runs at many times real time on
# one core. Generous, so only a hung ffmpeg reaches it.
TIMEOUT_BASE_SECONDS = 300
TIMEOUT_PER_SECOND_OF_VIDEO = 2


class RenditionError(Exception):
    pass


def _local_tree(video, prefixes, scratch):
    """A folder holding the stored outputs under `prefixes` (rung folders), by their relative names."""
    names = [name for name in video.outputs.get("files", []) if name.split("/", 1)[0] in prefixes]
    try:
        return Path(default_storage.path(video.output_name(""))).resolve()
    except NotImplementedError:  # S3: copy the few files these rungs need
        root = Path(scratch) / "outputs"
        for name in names:
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with default_storage.open(video.output_name(name), "rb") as source, open(target, "wb") as handle:
                shutil.copyfileobj(source, handle, 1024 * 1024)
        return root


def _rung_for(rungs, wanted):
    """The rung named `wanted`, else the largest smaller one, else the smallest (a small source has few rungs)."""
    video_rungs = [rung["name"] for rung in rungs if rung["kind"] == "video"]
    if wanted in video_rungs:
        return wanted
    height = int(wanted.rstrip("p"))
    smaller = [name for name in video_rungs if int(name.rstrip("p")) <= height]
    return (smaller or video_rungs[-1:] or [None])[0]


def has_rung(rungs, name):
    return any(rung["name"] == name for rung in rungs)


def make(video, rendition, scratch):
    """(path, extension, media type, rendition actually made) for `video` at `rendition`."""
    if rendition not in offline.RENDITIONS:
        raise RenditionError(f"未知的清晰度：{rendition}（可选：{'、'.join(offline.RENDITIONS)}）")
    outputs = video.outputs or {}
    scratch = Path(scratch)
    if rendition == "360p" and outputs.get("download"):
        target = scratch / "download.mp4"
        with default_storage.open(video.output_name(outputs["download"]), "rb") as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
        return target, "mp4", "video/mp4", "360p"
    rungs = outputs.get("rungs", [])
    has_audio = has_rung(rungs, "audio")
    # Videos transcoded since the ladder gained its 144p rung have it: copied like the others.
    # Older ones have none, and their 144p is encoded from the 240p rung.
    encode_low = rendition == "144p" and not has_rung(rungs, "144p")
    wanted = "240p" if encode_low or rendition == "audio" else rendition
    source_rung = _rung_for(rungs, wanted)
    if rendition == "audio" and not has_audio:
        raise RenditionError("该视频没有声音，无法制作仅声音版本。")
    tree = _local_tree(video, {source_rung, "audio"}, scratch)
    audio = tree / "audio" / VARIANT_PLAYLIST if has_audio else None
    picture = tree / source_rung / VARIANT_PLAYLIST if source_rung else None
    if rendition == "audio":
        target, command, made = scratch / "audio.m4a", offline.remux(None, audio, scratch / "audio.m4a"), "audio"
        extension, media_type = "m4a", "audio/mp4"
    elif encode_low:
        target = scratch / "low.mp4"
        command = offline.encode_low(picture, audio, target, frame_rate=outputs.get("frame_rate") or 25)
        made, extension, media_type = "144p", "mp4", "video/mp4"
    else:
        target, command, made = scratch / "rung.mp4", offline.remux(picture, audio, scratch / "rung.mp4"), source_rung
        extension, media_type = "mp4", "video/mp4"
    timeout = TIMEOUT_BASE_SECONDS + TIMEOUT_PER_SECOND_OF_VIDEO * (video.duration or 0)
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        raise RenditionError(f"制作 {rendition} 失败：{detail.decode(errors='replace')[-300:] or exc}") from exc
    return target, extension, media_type, made
