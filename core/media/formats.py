"""The one list of container formats the pipeline reads, and the ffmpeg options that enforce it.

Used by every ffprobe and ffmpeg run on an upload (the completion check, the
transcoder, the lesson checklist through `probe()`). A format ffmpeg detects
by content but that is not listed here is refused: HLS/DASH playlists, concat
lists and image sequences make ffmpeg open OTHER files or URLs, so a 161-byte
"video" could read another teacher's file or reach internal addresses.
"""

# ffmpeg demuxer names, as `-format_whitelist` matches them: a demuxer is allowed
# when any comma-separated part of its name is listed ("mov" lets in
# "mov,mp4,m4a,3gp,3g2,mj2", "matroska" lets in "matroska,webm").
ALLOWED_DEMUXERS = (
    "mov",  # MP4, MOV, M4V, 3GP: phones, cameras, screen recorders
    "mp4",
    "3gp",
    "matroska",  # MKV and WebM: browsers' MediaRecorder, OBS
    "webm",
    "avi",
    "asf",  # WMV from older Windows tools
    "mpegts",  # .ts / .mts / .m2ts from camcorders and broadcast recorders
    "flv",
    "mpeg",  # MPEG-PS: .mpg / .vob from DVD cameras
)
FORMAT_WHITELIST = ",".join(ALLOWED_DEMUXERS)
# Only local files: a source never makes ffmpeg open a network address.
PROTOCOL_WHITELIST = "file"
# What our own output playlists are read back with (hls + its fMP4 segments), never an upload.
OWN_OUTPUT_WHITELIST = "hls,mov"

NOT_ALLOWED = "不支持的文件格式：请上传 MP4、MOV、MKV、WebM、AVI、WMV、TS 或 FLV 格式的视频。"


def is_allowed(format_name, allowed=ALLOWED_DEMUXERS):
    """Whether ffprobe's `format_name` (e.g. "mov,mp4,m4a,3gp,3g2,mj2") is a listed container."""
    parts = [part.strip() for part in (format_name or "").split(",") if part.strip()]
    return bool(parts) and any(part in allowed for part in parts)


def input_options(*, own_output=False):
    """ffmpeg/ffprobe input options that enforce the list (ffmpeg-python keyword form)."""
    return {
        "protocol_whitelist": PROTOCOL_WHITELIST,
        "format_whitelist": OWN_OUTPUT_WHITELIST if own_output else FORMAT_WHITELIST,
    }


def input_args(*, own_output=False):
    """The same as command-line arguments, to put before `-i` (or the ffprobe input)."""
    args = []
    for key, value in input_options(own_output=own_output).items():
        args += [f"-{key}", value]
    return args
