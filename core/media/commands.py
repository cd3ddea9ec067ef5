"""One ffmpeg argument list for a whole `Ladder`, built with ffmpeg-python.

One process decodes the source once; a filter graph makes the frame rate
constant, splits the picture and scales one branch per rung (plus two cheap
branches that pick the poster and thumbnail frames). Each rung is encoded once
and written by the `tee` muxer to two places: the HLS muxer (every rung and the
audio, fMP4 segments, `var_stream_map`) and, for the download rung, a plain MP4.
So the download costs no second encode and no second process.

Sound is muxed into every video rung's segments (`var_stream_map` pairs
`v:i,a:i`), plus one audio-only variant: a player starting at 144p then needs one
init segment and one media segment for its first picture, not two of each.

Why fMP4 segments rather than MPEG-TS: a player starting at 240p needs fewer
bytes. On the benchmark clip (first 12 s) master, playlists, init segments and the
first 240p and audio segments weigh 113,780 bytes as fMP4 and 131,607 as TS (+16 %):
TS wraps every frame in 188-byte packets with PES headers and pads each frame's last
packet (docs/benchmarks.md, "Transcoding benchmark"). Every current browser plays fMP4 HLS
(hls.js through MSE, Safari natively since iOS 10).

The command is run in an empty working folder (the runner's `cwd`), and every
output name in it is relative: the tee muxer's own syntax treats `:`, `|`, `[`
and `\\` specially, and the caller's folder names are not ours to escape.
"""

import ffmpeg

from core.media import formats

# The output layout, relative to the working folder.
MASTER_PLAYLIST = "master.m3u8"
VARIANT_PLAYLIST = "index.m3u8"  # in a folder named after the rung: 240p/index.m3u8
INIT_SEGMENT = "init_{name}.mp4"  # in the rung's folder; ffmpeg names it from %v
SEGMENT_PATTERN = "seg_%04d.m4s"
DOWNLOAD = "download.mp4"
POSTER = "poster.jpg"
# The poster the player shows: a few kB of WebP at the smallest picture size
# that still reads on a phone, where the JPEG at 360p weighs 25-40 kB.
POSTER_WEBP = "poster.webp"
WEBP_QUALITY = 45
THUMBNAIL_PATTERN = "thumb_%02d.jpg"
# JPEG quality on ffmpeg's 2 (best) to 31 scale: a 640x360 poster of ~25-40 KB, light
# enough for a list page on a 256 kbit/s link.
JPEG_QUALITY = 5


def build_command(input_path, ladder, *, ffmpeg_binary="ffmpeg"):
    """The argument list (binary first) that writes `ladder` into the current folder.

    Args:
        input_path: the source, an absolute local path.
        ladder: a `core.media.ladder.Ladder`.
    Returns:
        list of str, ready for `core.media.runner.run(..., cwd=work_dir)`.
    """
    # "file:" so a teacher's "第1课:分数.mp4" is not read as a protocol named "第1课".
    # Only listed containers, only local files (formats.py): never a playlist that opens others.
    source = ffmpeg.input(f"file:{input_path}", **formats.input_options())
    # The first real video stream (V skips cover art) and the first audio stream.
    picture = source["V:0"].filter("fps", fps=str(ladder.frame_rate))
    count = len(ladder.video)
    branches = picture.filter_multi_output("split", count + 3)
    rungs = [_scale(branches[i], rung.width, rung.height, rung.box) for i, rung in enumerate(ladder.video)]
    streams = list(rungs)
    if ladder.audio:
        # One copy of the sound per video rung (muxed into its segments) and one on its own.
        sound = source["a:0"].filter_multi_output("asplit", count + 1)
        streams += [sound[i] for i in range(count + 1)]

    hls_and_download = ffmpeg.output(*streams, _tee_target(ladder), format="tee", **_encoder_options(ladder))
    poster = _image_output(branches[count], ladder.poster, POSTER, update=1)
    poster_webp = _image_output(
        branches[count + 1], ladder.poster_small, POSTER_WEBP, update=1, quality=WEBP_QUALITY, **{"c:v": "libwebp"}
    )
    thumbnails = _image_output(branches[count + 2], ladder.thumbnails, THUMBNAIL_PATTERN, start_number=1)
    args = ffmpeg.merge_outputs(hls_and_download, poster, poster_webp, thumbnails).compile(cmd=ffmpeg_binary)
    # Global options up front (ffmpeg-python appends them after the outputs).
    return [args[0], "-hide_banner", "-loglevel", "error", "-y", *args[1:]]


def _scale(stream, width, height, box):
    if width and height:
        scaled = stream.filter("scale", width, height)
    else:
        # Unknown source size: fit into the box turned to the picture's orientation,
        # never upscale, even dimensions.
        factor = f"min(1,min({max(box)}/max(iw,ih),{min(box)}/min(iw,ih)))"
        scaled = stream.filter("scale", w=f"trunc(iw*{factor}/2)*2", h=f"trunc(ih*{factor}/2)*2")
    # Square pixels: the planned size already carries the display aspect ratio.
    return scaled.filter("setsar", 1)


def _encoder_options(ladder):
    options = {
        "c:v": "libx264",
        # 8-bit 4:2:0: what every hardware decoder plays (phones record 10-bit HDR now).
        "pix_fmt": "yuv420p",
        # A keyframe exactly every GOP, none at scene cuts, so every rung has its
        # keyframes at the same instants and every segment starts on one.
        "x264-params": f"keyint={ladder.gop}:min-keyint={ladder.gop}:scenecut=0",
        # The fps filter made the timing constant; nothing after it may add or drop frames.
        "fps_mode": "passthrough",
        # The tee muxer is not a format with global headers, but its MP4 and fMP4
        # slaves need the SPS/PPS out of band (avcC); ask the encoders for them.
        "flags": "+global_header",
    }
    for index, rung in enumerate(ladder.video):
        options[f"preset:v:{index}"] = rung.preset
        options[f"crf:v:{index}"] = rung.crf
        options[f"maxrate:v:{index}"] = rung.bitrate
        options[f"bufsize:v:{index}"] = rung.bufsize
        options[f"profile:v:{index}"] = rung.profile
        options[f"level:v:{index}"] = rung.level
    if ladder.audio:
        options.update({"c:a": ladder.audio.codec, "ac": ladder.audio.channels, "ar": ladder.audio.sample_rate})
        # Audio stream i goes with video rung i; the last one is the sound on its own.
        for index, rung in enumerate(ladder.video):
            options[f"b:a:{index}"] = rung.audio_bitrate
        options[f"b:a:{len(ladder.video)}"] = ladder.audio.bitrate
    return options


def _tee_target(ladder):
    """The tee muxer's output list: all streams to HLS, the download rung (+ its sound) to an MP4."""
    sound = (lambda i: f",a:{i}") if ladder.audio else (lambda i: "")
    variants = [f"v:{i}{sound(i)},name:{rung.name}" for i, rung in enumerate(ladder.video)]
    if ladder.audio:
        variants.append(f"a:{len(ladder.video)},name:{ladder.audio.name}")
    hls = {
        "f": "hls",
        "hls_time": ladder.segment_seconds,
        "hls_playlist_type": "vod",
        "hls_segment_type": "fmp4",
        "hls_flags": "independent_segments",
        "hls_segment_filename": f"%v/{SEGMENT_PATTERN}",
        "hls_fmp4_init_filename": INIT_SEGMENT.format(name="%v"),
        "master_pl_name": MASTER_PLAYLIST,
        "var_stream_map": " ".join(variants),
    }
    download_index = [rung.name for rung in ladder.video].index(ladder.download)
    mp4 = {
        "f": "mp4",
        # moov first: a browser starts playing (or a teacher's phone shows the length) at once.
        "movflags": "+faststart",
        "select": f"v:{download_index},a:{download_index}" if ladder.audio else f"v:{download_index}",
    }
    return f"[{_tee_options(hls)}]%v/{VARIANT_PLAYLIST}|[{_tee_options(mp4)}]{DOWNLOAD}"


def _tee_options(options):
    return ":".join(f"{key}={_tee_value(value)}" for key, value in options.items())


def _tee_value(value):
    """Quote a slave option value for the tee muxer.

    The tee spec is unescaped twice: once for the whole `[...]` (backslash escapes)
    and once as `key=value:key=value` (quotes). `\\'v:0,a\\'` survives both as `v:0,a`.
    """
    text = str(value)
    if "'" in text or "\\" in text:
        raise ValueError(f"tee option value may not contain quotes or backslashes: {text!r}")
    if any(char in text for char in ":|[],= "):
        return f"\\'{text}\\'"
    return text


def _image_output(stream, image, filename, **options):
    """Poster or thumbnails: a `select` that lets only the planned frames through, then scale.

    Both take frame 0 first. ffmpeg writes no progress at all until every output
    has its first frame (ffmpeg 5.1 `print_report` waits for all headers), so an
    image output whose first frame came 10 % into a 45-minute lesson would leave
    the progress bar, and the runner's stall clock, silent for minutes. The poster
    is written with `-update 1`: its planned frame overwrites frame 0, and if the
    video ends before that frame (a header that overstates the length) frame 0 stays.
    Selecting in the graph rather than with `-frames:v` keeps each branch consuming
    every frame, so it never holds up the split that feeds the rungs.
    """
    if image.count == 1:
        frames = sorted({0, image.first_frame})
        condition = "+".join(f"eq(n,{frame})" for frame in frames)
    else:
        last = image.first_frame + image.step_frames * (image.count - 1)
        condition = f"gte(n,{image.first_frame})*lte(n,{last})*not(mod(n-{image.first_frame},{image.step_frames}))"
    picked = _scale(stream.filter("select", condition), image.width, image.height, image.box)
    if "c:v" not in options:
        options["q:v"] = JPEG_QUALITY
    return ffmpeg.output(
        picked,
        filename,
        fps_mode="passthrough",  # one file per selected frame, no duplicates to fill gaps
        **options,
    )
