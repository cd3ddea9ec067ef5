"""`transcode()`: probe, plan, one ffmpeg run, measure, and move into place.

The Celery task (media_pipeline.tasks) fetches the original to a local file and calls
`transcode(path, out_dir, progress=callback)`; it gets a `TranscodeResult`
naming every file to upload. The run writes into a scratch folder next to
`out_dir` and only a complete, verified result is moved there - by an atomic
exchange when `out_dir` already exists - so a killed or failed run leaves
`out_dir` exactly as it was, and running again replaces it cleanly.
"""

import ctypes
import dataclasses
import fcntl
import os
import shutil
import uuid
from pathlib import Path

from core.media import hls

from .commands import DOWNLOAD, MASTER_PLAYLIST, POSTER, POSTER_WEBP, THUMBNAIL_PATTERN, VARIANT_PLAYLIST, build_command
from .ladder import plan_ladder
from .probe import ProbeError, probe
from .runner import FfmpegError, run

# A hung ffmpeg is killed: generous against a slow, shared 2-core worker (the
# benchmark ran at 1.5-2.4x realtime on one), short of "for ever".
TIMEOUT_BASE_SECONDS = 600
TIMEOUT_PER_SECOND_OF_VIDEO = 3
# ffmpeg reports its output time twice a second; 2 minutes without it advancing
# is a stuck input (a network mount, a pipe), not a slow encoder.
STALL_TIMEOUT_SECONDS = 120
# A source whose picture ends this much before its header says is truncated (an
# upload cut short with the MP4 index at the front): ffmpeg reads what is there and
# exits 0, and the teacher would get half a lesson without a word. Audio running a
# second or two past the picture is normal, hence the allowance.
MISSING_PICTURE_SECONDS = 2.0
MISSING_PICTURE_FRACTION = 0.05


@dataclasses.dataclass(frozen=True)
class Rung:
    """One rendition as written: planned cap, and what the segments really weigh."""

    name: str
    kind: str  # "video" or "audio"
    width: int | None
    height: int | None
    bitrate: int  # bit/s: the planned cap (nominal bitrate of the rung)
    measured_bitrate: int  # bit/s: average from segment sizes (AVERAGE-BANDWIDTH)
    peak_bitrate: int  # bit/s: RFC 8216 peak segment bitrate (BANDWIDTH; the sound muxed in included)
    codecs: str
    playlist: Path


@dataclasses.dataclass(frozen=True)
class TranscodeResult:
    out_dir: Path
    duration: float  # seconds, of the source
    frame_rate: float  # of every video rung
    master_playlist: Path
    rungs: tuple[Rung, ...]  # largest video rung first, audio last
    download: Path  # the small MP4
    poster: Path
    thumbnails: tuple[Path, ...]
    files: tuple[Path, ...]  # everything in out_dir

    def as_dict(self):
        """JSON-ready, paths relative to out_dir."""

        def rel(path):
            return path.relative_to(self.out_dir).as_posix()

        return {
            "out_dir": str(self.out_dir),
            "duration": round(self.duration, 3),
            "frame_rate": round(self.frame_rate, 3),
            "master_playlist": rel(self.master_playlist),
            "rungs": [
                {
                    "name": rung.name,
                    "kind": rung.kind,
                    "resolution": f"{rung.width}x{rung.height}" if rung.width else None,
                    "bitrate": rung.bitrate,
                    "measured_bitrate": rung.measured_bitrate,
                    "peak_bitrate": rung.peak_bitrate,
                    "codecs": rung.codecs,
                    "playlist": rel(rung.playlist),
                }
                for rung in self.rungs
            ],
            "download": rel(self.download),
            "poster": rel(self.poster),
            "thumbnails": [rel(path) for path in self.thumbnails],
            "files": [rel(path) for path in self.files],
        }


def default_timeout(duration):
    return TIMEOUT_BASE_SECONDS + TIMEOUT_PER_SECOND_OF_VIDEO * max(0.0, duration or 0.0)


def transcode(
    input_path,
    out_dir,
    progress=None,
    *,
    timeout=None,
    stall_timeout=STALL_TIMEOUT_SECONDS,
    ffmpeg_binary="ffmpeg",
    ffprobe_binary="ffprobe",
):
    """Make the HLS ladder, the download MP4, a poster and thumbnails of one video.

    Args:
        input_path: a local video file.
        out_dir: the folder to fill; replaced as a whole if it exists. Its parent
            holds the scratch folder, so both are on one filesystem.
        progress: `progress(percent)` with 0-100, at most once a second, in the calling
            thread; raising from it cancels the run (ffmpeg is killed, out_dir untouched).
        timeout: seconds before ffmpeg is killed (default: 10 min + 3x the duration).
        stall_timeout: seconds without progress before ffmpeg is killed (None: never).
    Returns:
        TranscodeResult, with paths inside out_dir.
    Raises:
        FileNotFoundError: input_path does not exist.
        ProbeError: not a usable video (text, audio only, unreadable, truncated); the
            message is Chinese and meant for the teacher.
        FfmpegError: ffmpeg failed, timed out, stalled or left an output unfinished.
        In every case out_dir is untouched.
    """
    source = Path(input_path).absolute()
    if not source.is_file():
        raise FileNotFoundError("找不到要转码的文件。")
    probed = probe(source, ffprobe=ffprobe_binary)
    if not probed.has_video:
        raise ProbeError("文件中没有视频画面（只有声音）：课堂实录需要有视频。")
    ladder = plan_ladder(probed)
    if timeout is None:
        timeout = default_timeout(ladder.duration)

    out_dir = Path(out_dir).absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_scratch(out_dir)
    work, lock = _make_scratch(out_dir)
    try:
        args = build_command(source, ladder, ffmpeg_binary=ffmpeg_binary)
        run(args, duration=ladder.duration, progress=progress, timeout=timeout, stall_timeout=stall_timeout, cwd=work)
        _check_complete(work, ladder)
        try:
            result = _finish(work, ladder, ffprobe_binary)
        except (hls.PlaylistError, ProbeError) as exc:
            raise FfmpegError(f"转码输出不完整：{exc}", reason="incomplete") from exc
        _move_into_place(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        os.close(lock)
    return _relocate(result, work, out_dir)


def _check_complete(work, ladder):
    """Raise ProbeError when the picture stops well before the length the source claims."""
    smallest = ladder.video[-1].name
    try:
        written = hls.read_media_playlist(work / smallest / VARIANT_PLAYLIST).duration
    except hls.PlaylistError as exc:
        raise FfmpegError(f"转码输出不完整：{exc}", reason="incomplete") from exc
    expected = ladder.video_duration
    if expected - written > max(MISSING_PICTURE_SECONDS, expected * MISSING_PICTURE_FRACTION):
        raise ProbeError(
            f"文件不完整：只读出 {written:.0f} 秒画面，文件标称 {expected:.0f} 秒。可能上传中断，请重新上传。"
        )


def _finish(work, ladder, ffprobe_binary):
    """Check every output, measure the rungs, write the master playlist. Paths under `work`."""
    sound = f",{ladder.audio.codecs_attribute}" if ladder.audio else ""
    rungs, variants = [], []
    for planned in ladder.video:
        playlist = hls.read_media_playlist(work / planned.name / VARIANT_PLAYLIST)
        # What the player will get, read back: also proves the variant decodes.
        written = probe(playlist.path, ffprobe=ffprobe_binary, own_playlist=True)
        codecs = hls.avc_codecs_attribute(playlist.init) + sound
        rungs.append(_rung(planned.name, "video", written.width, written.height, planned.bitrate, playlist, codecs))
        # The sound is muxed in: BANDWIDTH, measured from the segments, covers both.
        variants.append(
            hls.Variant(
                uri=f"{planned.name}/{VARIANT_PLAYLIST}",
                peak_bitrate=playlist.peak_bitrate,
                average_bitrate=playlist.average_bitrate,
                codecs=codecs,
                width=written.width,
                height=written.height,
                frame_rate=float(ladder.frame_rate),
            )
        )
    # The smallest rung first: a player starts with the first variant, and a rural
    # viewer should see a picture in seconds; adaptive switching then climbs.
    ordered = sorted(variants, key=lambda variant: variant.peak_bitrate)
    if ladder.audio:
        audio = ladder.audio
        audio_playlist = hls.read_media_playlist(work / audio.name / VARIANT_PLAYLIST)
        rungs.append(_rung(audio.name, "audio", None, None, audio.bitrate, audio_playlist, audio.codecs_attribute))
        # Sound on its own as the last variant: below ~100 kbit/s a player can still follow the lesson.
        ordered.append(
            hls.Variant(
                f"{audio.name}/{VARIANT_PLAYLIST}",
                audio_playlist.peak_bitrate,
                audio_playlist.average_bitrate,
                audio.codecs_attribute,
            )
        )
    (work / MASTER_PLAYLIST).write_text(hls.master_playlist(ordered), encoding="utf-8")

    for name in (DOWNLOAD, POSTER, POSTER_WEBP):
        if not (work / name).is_file() or not (work / name).stat().st_size:
            raise hls.PlaylistError(f"缺少 {name}")
    thumbnails = sorted(work.glob(THUMBNAIL_PATTERN.replace("%02d", "[0-9][0-9]")))
    if not thumbnails:
        raise hls.PlaylistError("没有生成缩略图")
    files = sorted(path for path in work.rglob("*") if path.is_file())
    return TranscodeResult(
        out_dir=work,
        duration=ladder.duration,
        frame_rate=float(ladder.frame_rate),
        master_playlist=work / MASTER_PLAYLIST,
        rungs=tuple(rungs),
        download=work / DOWNLOAD,
        poster=work / POSTER,
        thumbnails=tuple(thumbnails),
        files=tuple(files),
    )


def _rung(name, kind, width, height, bitrate, playlist, codecs):
    return Rung(
        name=name,
        kind=kind,
        width=width,
        height=height,
        bitrate=bitrate,
        measured_bitrate=playlist.average_bitrate,
        peak_bitrate=playlist.peak_bitrate,
        codecs=codecs,
        playlist=playlist.path,
    )


def _relocate(result, work, out_dir):
    def moved(path):
        return out_dir / path.relative_to(work)

    return TranscodeResult(
        out_dir=out_dir,
        duration=result.duration,
        frame_rate=result.frame_rate,
        master_playlist=moved(result.master_playlist),
        rungs=tuple(dataclasses.replace(rung, playlist=moved(rung.playlist)) for rung in result.rungs),
        download=moved(result.download),
        poster=moved(result.poster),
        thumbnails=tuple(moved(path) for path in result.thumbnails),
        files=tuple(moved(path) for path in result.files),
    )


def _scratch_prefix(out_dir):
    return f".{out_dir.name}.partial-"


def _make_scratch(out_dir):
    """A new scratch folder next to out_dir, and an open descriptor holding its lock.

    Not mkdtemp: its 0700 would become out_dir's mode, and the web server reading
    var/media may be another user. os.mkdir honours the umask like any folder.
    The flock lives as long as this process: when a worker dies (SIGKILL, OOM),
    the kernel drops it and the next run knows the folder is abandoned.
    """
    path = out_dir.parent / f"{_scratch_prefix(out_dir)}{uuid.uuid4().hex[:12]}"
    path.mkdir()
    lock = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(lock, fcntl.LOCK_EX)
    return path, lock


def _remove_abandoned_scratch(out_dir):
    """Remove scratch folders of runs whose process is gone; leave live runs alone."""
    for path in out_dir.parent.glob(_scratch_prefix(out_dir) + "*"):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live run holds it
        else:
            shutil.rmtree(path, ignore_errors=True)
        finally:
            os.close(fd)


# renameat2(2) with RENAME_EXCHANGE swaps two paths in one step (Linux 3.15+,
# glibc 2.28+): readers see the old folder or the new one, never neither.
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(first, second):
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError("renameat2 unavailable")
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error), str(second))


def _move_into_place(work, out_dir):
    """Make `work` become `out_dir`; whatever was at `out_dir` is removed afterwards."""
    try:
        os.rename(work, out_dir)  # atomic; fails if out_dir is a non-empty folder
        return
    except OSError:
        if not os.path.lexists(out_dir):
            raise
    try:
        _exchange(work, out_dir)
        old = work  # the previous out_dir now lives at the scratch path
    except OSError:
        # Another kernel or filesystem: two renames, a moment without out_dir.
        old = out_dir.parent / f".{out_dir.name}.old-{uuid.uuid4().hex[:12]}"
        os.rename(out_dir, old)
        os.rename(work, out_dir)
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)
