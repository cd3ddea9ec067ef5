"""What the HLS muxer wrote, measured; and the master playlist, written by us.

ffmpeg 5.1's master playlist is close but not right for a low-bandwidth player:
its BANDWIDTH is the encoder's maxrate (+ audio) x 1.1, a guess - RFC 8216
section 4.3.4.2 asks for the *peak segment bitrate*, and with capped CRF a slide
lesson stays far below the cap, so players would pick rungs too low; it writes no
AVERAGE-BANDWIDTH and no FRAME-RATE; and it writes CODECS only when the encoder's
extradata begins with a 4-byte start code and an SPS (true for libx264, not for
every encoder). So after the run we measure every variant from its segments,
read avc1.PPCCLL from the avcC box of its init segment, and write the master
playlist ourselves.
"""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Segment:
    uri: str
    duration: float
    size: int  # bytes


@dataclass(frozen=True)
class MediaPlaylist:
    """One variant's playlist as written (the files it names are checked to exist)."""

    path: Path
    target_duration: int
    init: Path | None
    segments: tuple[Segment, ...]

    @property
    def duration(self):
        return sum(segment.duration for segment in self.segments)

    @property
    def files(self):
        folder = self.path.parent
        names = [segment.uri for segment in self.segments]
        return [self.path, *([self.init] if self.init else []), *(folder / name for name in names)]

    @property
    def average_bitrate(self):
        """bit/s over the whole stream: segment bytes over their duration (AVERAGE-BANDWIDTH)."""
        duration = self.duration
        return round(sum(segment.size for segment in self.segments) * 8 / duration) if duration else 0

    @property
    def peak_bitrate(self):
        """RFC 8216 4.3.4.2 BANDWIDTH: the largest bitrate of any run of contiguous
        segments lasting 0.5 to 1.5 target durations (a short last segment alone does not count)."""
        low, high = 0.5 * self.target_duration, 1.5 * self.target_duration
        peak = 0
        for start in range(len(self.segments)):
            size = duration = 0
            for segment in self.segments[start:]:
                size += segment.size
                duration += segment.duration
                if duration > high:
                    break
                if duration >= low:
                    peak = max(peak, size * 8 / duration)
        return round(peak) if peak else self.average_bitrate


class PlaylistError(Exception):
    """A playlist the muxer should have finished is missing, unfinished or names a missing file."""


def read_media_playlist(path):
    """Parse a VOD media playlist written by ffmpeg's HLS muxer. Raises PlaylistError."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise PlaylistError(f"缺少播放列表 {path.name}") from exc
    if "#EXT-X-ENDLIST" not in lines:
        raise PlaylistError(f"播放列表 {path.parent.name}/{path.name} 没有写完")
    target, init, segments, duration = 0, None, [], None
    for line in lines:
        if line.startswith("#EXT-X-TARGETDURATION:"):
            target = int(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-MAP:"):
            init = path.parent / line.split('URI="', 1)[1].split('"', 1)[0]
        elif line.startswith("#EXTINF:"):
            duration = float(line.split(":", 1)[1].split(",", 1)[0])
        elif line and not line.startswith("#"):
            segment_path = path.parent / line
            if not segment_path.is_file() or duration is None:
                raise PlaylistError(f"缺少分片 {path.parent.name}/{line}")
            segments.append(Segment(line, duration, segment_path.stat().st_size))
            duration = None
    if init is not None and not init.is_file():
        raise PlaylistError(f"缺少初始化分片 {path.parent.name}/{init.name}")
    if not segments:
        raise PlaylistError(f"播放列表 {path.parent.name}/{path.name} 没有分片")
    return MediaPlaylist(path, target, init, tuple(segments))


def avc_codecs_attribute(init_path):
    """RFC 6381 `avc1.PPCCLL` from the avcC box of an fMP4 init segment: profile,
    constraint flags and level exactly as the encoder wrote them in the SPS."""
    data = Path(init_path).read_bytes()
    at = data.find(b"avcC")
    if at < 0 or len(data) < at + 8:
        raise PlaylistError(f"{Path(init_path).name} 里没有 H.264 参数（avcC）")
    # avcC: configurationVersion, AVCProfileIndication, profile_compatibility, AVCLevelIndication.
    return "avc1." + data[at + 5 : at + 8].hex()


@dataclass(frozen=True)
class Variant:
    """One EXT-X-STREAM-INF line: a video rung with its sound muxed in, or the sound on its own."""

    uri: str
    peak_bitrate: int
    average_bitrate: int
    codecs: str
    width: int | None = None
    height: int | None = None
    frame_rate: float | None = None


def master_playlist(variants):
    """The master playlist text. `variants` in the order the player should meet them:
    the first one is where playback starts."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for variant in variants:
        attributes = [f"BANDWIDTH={variant.peak_bitrate}", f"AVERAGE-BANDWIDTH={variant.average_bitrate}"]
        if variant.width and variant.height:
            attributes.append(f"RESOLUTION={variant.width}x{variant.height}")
        if variant.frame_rate:
            attributes.append(f"FRAME-RATE={variant.frame_rate:.3f}")
        attributes.append(f'CODECS="{variant.codecs}"')
        lines += ["#EXT-X-STREAM-INF:" + ",".join(attributes), variant.uri]
    return "\n".join(lines) + "\n"
