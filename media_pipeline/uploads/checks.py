"""Is the uploaded file a whole video? Decided by its content, never its name.

Three looks, cheapest first, each with a message a teacher can act on:
the first bytes (empty, text such as a renamed document or a playlist, a
well-known non-video format), the box structure of MP4/MOV files (a file cut
off while recording or copying claims more bytes than it has), and ffprobe
(is there a picture, and does it last). The first bytes only give a better
message: what keeps playlists away from ffprobe is its container allow-list
(formats.py), which also refuses a playlist hidden behind an ID3 tag.
"""

import struct

from core.media.probe import ProbeError, probe

HEAD_BYTES = 4096
# Top-level boxes of an MP4 are few (ftyp, moov, mdat, free...). Fragmented
# files have one pair per fragment; past this many, ffprobe alone decides (each look is a request on S3).
MAX_TOP_LEVEL_BOXES = 64

EMPTY = "文件是空的（0 字节），请选择录好的课堂实录视频。"
TEXT = "文件内容是文字，不是视频（可能是改了扩展名的文档或播放列表）。"
TRUNCATED = "视频文件不完整：文件在结尾处被截断（录制或拷贝时可能中断了），请用完整的原文件重新上传。"
AUDIO_ONLY = "这个文件只有声音，没有画面。课堂实录需要视频，请上传录像文件。"
IMAGE = "这是一张图片，不是视频。"
NO_DURATION = "视频时长为 0，文件可能已损坏，请重新导出后上传。"

# First bytes of formats teachers most often upload by mistake.
KNOWN_NOT_VIDEO = [
    (b"%PDF", "这是 PDF 文档，不是视频。"),
    (b"PK\x03\x04", "这是压缩包或 Office 文档（如 Word、PPT），不是视频。"),
    (b"\xd0\xcf\x11\xe0", "这是旧版 Office 文档（如 .doc、.ppt），不是视频。"),
    (b"Rar!", "这是 RAR 压缩包，不是视频；请解压后上传其中的视频。"),
    (b"7z\xbc\xaf\x27\x1c", "这是 7z 压缩包，不是视频；请解压后上传其中的视频。"),
    (b"\xff\xd8\xff", IMAGE),
    (b"\x89PNG", IMAGE),
    (b"GIF8", IMAGE),
    # Playlists and manifests name other files or URLs for ffmpeg to open; refused even with
    # a stray binary byte that would get them past the text check.
    (b"#EXTM3U", TEXT),
    (b"ffconcat", TEXT),
    (b"<?xml", TEXT),
    (b"<MPD", TEXT),
    (b"v=0", TEXT),
]
# Control characters that never occur in text; every video container has some in its first bytes.
BINARY_BYTES = frozenset(range(0x00, 0x09)) | frozenset(range(0x0E, 0x1B)) | {0x1C, 0x1D, 0x1E, 0x1F, 0x7F}


class NotAVideo(Exception):
    """`str()` is the Chinese message for the teacher."""


def check_head(head):
    """Message for first bytes that already tell the file is no video, else None."""
    if not head:
        return EMPTY
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()  # a BOM or blank lines before a playlist
    for magic, message in KNOWN_NOT_VIDEO:
        if start.startswith(magic):
            return message
    if not BINARY_BYTES.intersection(head):
        return TEXT
    return None


def is_iso_bmff(head):
    """MP4, MOV, 3GP and M4A all begin with an `ftyp` box (QuickTime may open with others)."""
    return len(head) >= 8 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")


def check_boxes(size, read):
    """TRUNCATED when a top-level box of an MP4/MOV claims bytes past the end of the file.

    `read(offset, length)` returns bytes of the file; only box headers are read.
    """
    offset = 0
    for _ in range(MAX_TOP_LEVEL_BOXES):
        if offset == size:
            return None
        header = read(offset, 16)
        if len(header) < 8:
            return TRUNCATED
        box_size = struct.unpack(">I", header[:4])[0]
        if box_size == 1:  # a 64-bit size follows the type
            if len(header) < 16:
                return TRUNCATED
            box_size = struct.unpack(">Q", header[8:16])[0]
        elif box_size == 0:  # "to the end of the file"
            return None
        if box_size < 8:
            return None  # not a box structure we can judge; ffprobe decides
        offset += box_size
        if offset > size:
            return TRUNCATED
    return None


def judge(result):
    """Message when ffprobe found media that is not a usable lesson video, else None."""
    if not result.has_video:
        return AUDIO_ONLY
    if result.format_name == "image2" or result.format_name.endswith("_pipe"):
        return IMAGE
    if not result.duration or result.duration <= 0:
        return NO_DURATION
    return None


def check(source):
    """Return ffprobe's ProbeResult for a whole video, or raise NotAVideo with the reason.

    `source` has `size`, `read(offset, length)` and `local()`, a context manager giving
    a local file for ffprobe (never a URL: see formats.py).
    """
    head = source.read(0, HEAD_BYTES) if source.size else b""
    message = check_head(head)
    if message is None and is_iso_bmff(head):
        message = check_boxes(source.size, source.read)
    if message:
        raise NotAVideo(message)
    try:
        with source.local() as path:
            result = probe(path)
    except ProbeError as error:
        raise NotAVideo(str(error)) from error
    message = judge(result)
    if message:
        raise NotAVideo(message)
    return result
