"""Which renditions to make of a lesson video: pure planning from what ffprobe found.

Nothing here starts a process. `plan_ladder()` takes a `ProbeResult` and returns a
`Ladder`; `commands.py` turns that into one ffmpeg argument list.

Where the numbers come from:

- Rungs and bitrates: issue 4 (720p ≈1.5 Mbit/s, 480p ≈800 kbit/s, 360p ≈450 kbit/s,
  240p ≈200 kbit/s). Apple's HLS authoring specification starts its ladder at
  145 kbit/s for 416x234; Kolibri caps lessons at 720p and recommends 480p for most
  (docs/domain.md, "Low bandwidth facts"). Issue 14 adds 144p for a rural line of
  256 kbit/s that two teachers share: 128 kbit/s each, so picture and sound
  together must peak below that (56 + 32 kbit/s nominal, ≈105 kbit/s peak).
- Sound is muxed into every video rung (and is a variant of its own): one request
  per segment instead of two, so the first picture needs one init segment and one
  media segment, and a rung's cost is what its segments weigh.
- Keyframes every 2 s, segments 4–6 s: Apple, "HLS Authoring Specification for Apple
  Devices" (developer.apple.com/documentation/http-live-streaming/
  hls-authoring-specification-for-apple-devices), sections on video encoding and
  segment duration. We take 2 s segments, one GOP each (below the spec's 6 s): a
  rural viewer on 256 kbit/s waits for one segment before the first picture.
"""

import math
from dataclasses import dataclass
from fractions import Fraction

# Apple HLS authoring spec: "Key frames SHOULD be present every 2 seconds" - faster
# seeking and rung switching, and every segment starts on one.
KEYFRAME_SECONDS = 2
# One GOP per segment (Apple's authoring spec asks for 6 s; we take 2 s): the first
# picture on a 256 kbit/s line waits for one whole segment, and a 2 s segment at
# 144p weighs ~25 kB (~0.8 s) where 4 s weighed twice that. ffmpeg's hls_init_time
# cannot make only the first segment short in a VOD playlist (it applies to every
# segment until the list starts dropping entries, which VOD never does). The cost:
# twice the playlist lines and requests, ~4 % of a segment in headers at 144p.
# Must be a multiple of KEYFRAME_SECONDS.
SEGMENT_SECONDS = 2

# Above 30 frames/s a lesson gains nothing (a teacher and a blackboard) and the
# bits are better spent on sharpness; 50/60 fps phone clips are halved exactly.
MAX_FRAME_RATE = 30
# China's cameras and TV heritage are PAL: 25 fps when the file does not say.
DEFAULT_FRAME_RATE = Fraction(25)
# Rates we snap to when the probed average is within 2 % (a VFR phone clip that
# averaged 29.4 fps was recorded at 30).
STANDARD_FRAME_RATES = (Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30))
FRAME_RATE_SNAP = Fraction(2, 100)

# x264 constant-quality factor, capped by maxrate ("capped CRF"): a still slide or
# a quiet blackboard costs a fraction of the cap, a busy scene gets the cap. 23 is
# x264's default; PeerTube users complain about fixed bitrates wasting space on
# slide-heavy lectures, which capped CRF avoids.
CRF = 23
# veryfast: on a 2-core transcoder a 45-minute lesson must finish in well under
# its own length. On the benchmark clip, faster/medium at 240p made 4 % larger files
# at the same CRF for +0.0003/+0.0005 SSIM and 1.5-2x the CPU (docs/benchmarks.md, "Transcoding
# benchmark"): capped CRF, not the preset, is what keeps the low rungs small.
X264_PRESET = "veryfast"


@dataclass(frozen=True)
class RungSpec:
    """One rung of the fixed ladder: the largest picture it may have and its bitrate cap."""

    name: str
    short_side: int  # the box is short_side x 16:9 of it, turned to the picture's orientation
    bitrate: int  # bit/s: x264 maxrate, the cap of capped CRF
    buffer_seconds: float  # bufsize = bitrate x this: how far a peak may exceed the cap
    profile: str  # H.264 profile
    level: str  # H.264 level: 3.0 fits 720x576@25 (and 640x360@30); 3.1 fits 1280x720@30
    audio_bitrate: int = 48_000  # bit/s of the sound muxed into this rung

    @property
    def long_side(self):
        # 16:9 boxes (1280, 854, 640, 427): phones and classroom cameras record 16:9.
        return math.ceil(self.short_side * 16 / 9)

    @property
    def bufsize(self):
        return int(self.bitrate * self.buffer_seconds)


# High profile where bits matter most; Main for the rungs old phones on slow links
# pick (every H.264 decoder since ~2010 has Main). A 1 s buffer on the low rungs
# keeps a segment's peak within 1.25x the cap (cap + bufsize / 4 s) so a 256 kbit/s
# link really sustains its rung; 2 s (the usual VOD choice) above. 144p carries
# 32 kbit/s sound: one voice in mono stays clear, and the rung fits half of 256 kbit/s.
RUNG_SPECS = (
    RungSpec("720p", 720, 1_500_000, 2.0, "high", "3.1"),
    RungSpec("480p", 480, 800_000, 2.0, "high", "3.1"),
    RungSpec("360p", 360, 450_000, 1.0, "main", "3.0"),
    RungSpec("240p", 240, 200_000, 1.0, "main", "3.0"),
    RungSpec("144p", 144, 56_000, 1.0, "main", "3.0", audio_bitrate=32_000),
)
# The rung for a shared rural line: 省流量 caps here.
SHARED_LINE_RUNG = "144p"
# The small MP4 for download is the 360p rung written a second time (same encode).
DOWNLOAD_RUNG = "360p"
# The poster matches the download rung; the player's WebP poster 240p; thumbnails the smallest rung.
SMALL_POSTER_RUNG = "240p"
THUMBNAIL_COUNT = 5
# National 晒课 guidance: a title card of at most 5 s opens the recording. The
# poster is taken after it (10 % into the lesson, at least 6 s), but never past
# 40 % of a short clip.
POSTER_MIN_SECONDS = 6
POSTER_FRACTION = 0.10
POSTER_MAX_FRACTION = 0.40


@dataclass(frozen=True)
class VideoRung:
    """A video rendition. width/height are None when the source size is unknown:
    ffmpeg then fits the picture into the box itself (see commands.py)."""

    name: str
    width: int | None
    height: int | None
    box: tuple[int, int]  # (width, height) limit in the picture's orientation
    bitrate: int  # bit/s cap (maxrate); the nominal bitrate of the rung
    bufsize: int  # bits
    crf: int
    preset: str
    profile: str
    level: str
    audio_bitrate: int  # bit/s of its muxed sound (when the source has sound)


@dataclass(frozen=True)
class AudioRung:
    """The sound on its own (仅声音): a variant for links too slow for any picture.
    Every video rung carries its own copy of the sound (`VideoRung.audio_bitrate`)."""

    name: str = "audio"
    # Debian's ffmpeg has no libfdk_aac, so no HE-AAC: its native encoder does
    # AAC-LC, which at 32 kbit/s mono keeps one speaking voice (a teacher on one
    # microphone) clear; stereo would halve the bits per channel.
    bitrate: int = 32_000
    channels: int = 1
    # Normalises 8/16/22.05/96 kHz recorders; every AAC-LC decoder plays 44.1 kHz.
    sample_rate: int = 44_100
    codec: str = "aac"
    codecs_attribute: str = "mp4a.40.2"  # RFC 6381: MPEG-4 audio, object type 2 = AAC-LC


@dataclass(frozen=True)
class ImageSpec:
    """Poster or thumbnails: frame numbers in the constant-rate output, and a size."""

    width: int | None
    height: int | None
    box: tuple[int, int]
    first_frame: int
    step_frames: int = 0  # thumbnails: every step_frames after first_frame
    count: int = 1


@dataclass(frozen=True)
class Ladder:
    """Everything one transcode of one source makes."""

    duration: float  # seconds, the longest stream: for the progress percentage
    video_duration: float  # seconds of picture expected: for frame numbers and the completeness check
    frame_rate: Fraction
    gop: int  # frames between keyframes
    segment_seconds: int
    video: tuple[VideoRung, ...]
    audio: AudioRung | None
    download: str  # name of the video rung also written as the download MP4
    poster: ImageSpec
    poster_small: ImageSpec  # the WebP the player shows before play
    thumbnails: ImageSpec


def output_frame_rate(rate):
    """A constant output rate from a probed (maybe variable, maybe missing) average rate.

    >>> output_frame_rate(59.94), output_frame_rate(50), output_frame_rate(24.6), output_frame_rate(None)
    (Fraction(30000, 1001), Fraction(25, 1), Fraction(25, 1), Fraction(25, 1))
    """
    if not rate or rate <= 0:
        return DEFAULT_FRAME_RATE
    value = Fraction(rate).limit_denominator(1001)
    # 50 -> 25, 60 -> 30, 120 -> 30: whole divisions keep motion even.
    divisor = max(1, math.ceil(value / (MAX_FRAME_RATE * (1 + FRAME_RATE_SNAP))))
    value /= divisor
    nearest = min(STANDARD_FRAME_RATES, key=lambda standard: abs(value - standard))
    if abs(value - nearest) <= nearest * FRAME_RATE_SNAP:
        return nearest
    return Fraction(max(1, min(MAX_FRAME_RATE, round(value))))


def display_size(probed):
    """(width, height) as the viewer sees it: after the phone's rotation and with square pixels.
    None when ffprobe could not tell."""
    size = probed.display_size
    if not size or not size[0] or not size[1]:
        return None
    width, height = size
    sar = probed.sample_aspect_ratio
    if sar != 1:
        # The stored width axis is stretched; after a quarter turn it is the height.
        if probed.rotation % 180:
            height = round(height * sar)
        else:
            width = round(width * sar)
    return width, height


def _even(value, limit):
    """Nearest even number, at least 2, never above `limit` rounded down to even (no upscaling)."""
    return max(2, min(int(value / 2 + 0.5) * 2, limit - limit % 2))


def fit(size, spec):
    """The rung's picture size for a source of display `size`, or None if it would upscale.

    The box is turned to the picture's orientation, so a portrait phone clip stays
    portrait and its short side (the width) is what the rung's name counts.
    """
    width, height = size
    box = _box(spec, portrait=height > width)
    scale = min(box[0] / width, box[1] / height)
    if scale > 1:
        return None
    return _even(width * scale, width), _even(height * scale, height)


def _box(spec, *, portrait):
    return (spec.short_side, spec.long_side) if portrait else (spec.long_side, spec.short_side)


def _video_rung(spec, size, box):
    return VideoRung(
        name=spec.name,
        width=size[0] if size else None,
        height=size[1] if size else None,
        box=box,
        bitrate=spec.bitrate,
        bufsize=spec.bufsize,
        crf=CRF,
        preset=X264_PRESET,
        profile=spec.profile,
        level=spec.level,
        audio_bitrate=spec.audio_bitrate,
    )


def plan_video_rungs(size):
    """Video rungs, largest first, for a source of display `size` (None: unknown)."""
    if size is None:
        # Unknown size (ffprobe saw a video stream but no dimensions): two small
        # rungs that ffmpeg fits into their boxes without upscaling, whatever comes.
        specs = [spec for spec in RUNG_SPECS if spec.name in {"360p", "240p", SHARED_LINE_RUNG}]
        return tuple(_video_rung(spec, None, _box(spec, portrait=False)) for spec in specs)
    portrait = size[1] > size[0]
    rungs = []
    for spec in RUNG_SPECS:
        fitted = fit(size, spec)
        if fitted is not None:
            rungs.append(_video_rung(spec, fitted, _box(spec, portrait=portrait)))
    own = (_even(size[0], size[0]), _even(size[1], size[1]))
    if len(rungs) <= 1 and (not rungs or own[0] > rungs[0].width):
        # Between the two smallest boxes (an old 320x180 clip) or below the smallest:
        # one rung at its own size on top, so the picture is not shrunk to 144p only.
        spec = RUNG_SPECS[-2] if rungs else RUNG_SPECS[-1]
        rungs.insert(0, _video_rung(spec, own, _box(spec, portrait=portrait)))
    return tuple(rungs)


def _image(rung, first_frame, step_frames=0, count=1):
    return ImageSpec(rung.width, rung.height, rung.box, first_frame, step_frames, count)


def plan_ladder(probed):
    """The whole plan for a probed source. The caller has checked `probed.has_video`."""
    frame_rate = output_frame_rate(probed.frame_rate)
    duration = max(0.0, probed.duration or 0.0)
    video_duration = probed.video_duration or duration
    video = plan_video_rungs(display_size(probed))
    names = [rung.name for rung in video]
    # The download is the 360p rung; a source below 360p downloads its largest rung.
    download = DOWNLOAD_RUNG if DOWNLOAD_RUNG in names else names[0]
    total_frames = int(video_duration * frame_rate)
    poster_seconds = min(
        max(POSTER_MIN_SECONDS, video_duration * POSTER_FRACTION), video_duration * POSTER_MAX_FRACTION
    )
    # Thumbnails at 0, 20, 40, 60 and 80 % of the lesson: the first shows the title
    # card (subject, grade, school, teacher), and it must be frame 0 anyway (commands.py).
    step = max(1, total_frames // THUMBNAIL_COUNT)
    # 240p is sharp enough behind a play button on a phone, and ~5 kB as WebP.
    small_poster_rung = next((r for r in video if r.name == SMALL_POSTER_RUNG), video[-1])
    return Ladder(
        duration=duration,
        video_duration=video_duration,
        frame_rate=frame_rate,
        gop=round(KEYFRAME_SECONDS * frame_rate),
        segment_seconds=SEGMENT_SECONDS,
        video=video,
        audio=AudioRung() if probed.has_audio else None,
        download=download,
        poster=_image(next(r for r in video if r.name == download), int(poster_seconds * frame_rate)),
        poster_small=_image(small_poster_rung, int(poster_seconds * frame_rate)),
        thumbnails=_image(video[-1], 0, step, THUMBNAIL_COUNT),
    )
