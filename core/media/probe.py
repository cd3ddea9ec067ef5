"""What a media file really is, asked of ffprobe - never of its extension."""

import json
import os
import subprocess
from dataclasses import dataclass
from fractions import Fraction

from core.media import formats

# A truncated or hostile file can make ffprobe read for a long time.
PROBE_TIMEOUT_SECONDS = 60


class ProbeError(Exception):
    """The file is not a usable media file; `str()` is a message for the uploader."""


@dataclass(frozen=True)
class ProbeResult:
    duration: float
    width: int | None
    height: int | None
    rotation: int
    video_codec: str | None
    audio_codec: str | None
    frame_rate: float | None
    format_name: str
    # Pixel shape: 720x576 classroom cameras often store 16:9 as 64:45 pixels. 1 when square or unknown.
    sample_aspect_ratio: Fraction = Fraction(1)
    # The video stream's own length when the container states it (MP4 does, MKV does not);
    # `duration` is the longest stream's, and audio often runs a little longer.
    video_duration: float | None = None

    @property
    def has_video(self):
        return self.video_codec is not None

    @property
    def has_audio(self):
        return self.audio_codec is not None

    @property
    def display_size(self):
        """Width and height as shown to the viewer, after the rotation a phone recorded."""
        if self.width is None or self.height is None:
            return None
        if self.rotation % 180:
            return self.height, self.width
        return self.width, self.height


def _rotation(stream):
    for side_data in stream.get("side_data_list", []):
        if "rotation" in side_data:
            return int(side_data["rotation"]) % 360
    return int(stream.get("tags", {}).get("rotate", 0)) % 360


def _frame_rate(stream):
    rate = stream.get("avg_frame_rate") or stream.get("r_frame_rate") or "0/0"
    try:
        value = Fraction(rate)
    except (ValueError, ZeroDivisionError):
        return None
    return round(float(value), 3) if value else None


def _sample_aspect_ratio(stream):
    # ffprobe writes "64:45", or "0:1"/"N/A" when the file does not say.
    try:
        value = Fraction(stream.get("sample_aspect_ratio", "1:1").replace(":", "/"))
    except (ValueError, ZeroDivisionError):
        return Fraction(1)
    return value if value > 0 else Fraction(1)


def _stream_duration(stream):
    try:
        value = float(stream.get("duration", ""))
    except ValueError:
        return None
    return value if value > 0 else None


# Text formats that make ffmpeg open OTHER files or URLs: named plainly by their first bytes
# for a clearer message. Not the guard itself - that is the allow-list (a playlist behind an
# ID3 tag starts with other bytes).
_REFERENCING_TEXT = (b"#EXTM3U", b"#EXT-X", b"ffconcat", b"file ", b"<?xml", b"<MPD", b"<smil")


def _refuse_before_ffprobe(target, own_playlist):
    """ProbeError for what ffprobe must never be given: a URL, a missing file, a playlist or list file."""
    if "://" in target or target.startswith(("http:", "https:")):
        # ffmpeg never gets a URL: a playlist behind it could make it fetch internal addresses.
        raise ProbeError("文件无法读取。")
    if not os.path.isfile(target):
        raise ProbeError("文件无法读取。")
    if own_playlist:
        return
    try:
        with open(target, "rb") as handle:
            head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as exc:
        raise ProbeError("文件无法读取。") from exc
    if head.startswith(_REFERENCING_TEXT):
        raise ProbeError("这是播放列表或文本文件，不是视频文件。")


def probe(path, *, ffprobe="ffprobe", own_playlist=False):
    """Probe a local file. Raises ProbeError with a Chinese message when it is not allowed media.

    Never by the first bytes alone: ffprobe runs with the container allow-list of
    `formats` (and only the file protocol), and its answer is checked against it.
    own_playlist: the path is a playlist this pipeline wrote (read back to check outputs).
    """
    target = str(path)
    _refuse_before_ffprobe(target, own_playlist)
    # "file:" so a name with a colon ("第1课:分数.mp4") is not read as a protocol.
    command = [
        ffprobe, "-v", "error", *formats.input_args(own_output=own_playlist),
        "-print_format", "json", "-show_format", "-show_streams", f"file:{os.path.abspath(target)}",
    ]  # fmt: skip
    try:
        result = subprocess.run(command, capture_output=True, timeout=PROBE_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ProbeError("文件无法在规定时间内解析，可能已损坏。") from exc
    if result.returncode != 0:
        if b"whitelist" in result.stderr:  # detected as a format (or protocol) not on the list
            raise ProbeError(formats.NOT_ALLOWED)
        raise ProbeError("无法识别的文件：不是有效的音视频文件，或文件已损坏。")
    try:
        info = json.loads(result.stdout or b"{}")
    except ValueError as exc:
        raise ProbeError("无法识别的文件：不是有效的音视频文件，或文件已损坏。") from exc
    format_name = info.get("format", {}).get("format_name", "")
    allowed = formats.OWN_OUTPUT_WHITELIST.split(",") if own_playlist else formats.ALLOWED_DEMUXERS
    if not formats.is_allowed(format_name, allowed):
        raise ProbeError(formats.NOT_ALLOWED)
    streams = info.get("streams", [])
    # Cover art in an MP3 shows up as a one-frame "video" stream; it is not video.
    video = next(
        (s for s in streams if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")),
        None,
    )
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None and audio is None:
        raise ProbeError("文件中没有音频或视频内容。")
    try:
        duration = float(info.get("format", {}).get("duration") or 0)
    except ValueError:
        duration = 0.0
    return ProbeResult(
        duration=duration,
        width=video.get("width") if video else None,
        height=video.get("height") if video else None,
        rotation=_rotation(video) if video else 0,
        video_codec=video.get("codec_name") if video else None,
        audio_codec=audio.get("codec_name") if audio else None,
        frame_rate=_frame_rate(video) if video else None,
        format_name=format_name,
        sample_aspect_ratio=_sample_aspect_ratio(video) if video else Fraction(1),
        video_duration=_stream_duration(video) if video else None,
    )
