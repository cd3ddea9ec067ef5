"""transcode() on real clips: what a player and a teacher get, and what a failure leaves behind."""

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from core.media.commands import build_command
from core.media.hls import avc_codecs_attribute, read_media_playlist
from core.media.ladder import plan_ladder
from core.media.probe import ProbeError, probe
from core.media.runner import FfmpegError, run
from core.media.transcode import transcode

from .clips import ffprobe_json, frame_times, keyframe_times, make_clip, processes_in, rotate, snapshot

pytestmark = pytest.mark.service("ffmpeg")

ROOT = Path(__file__).resolve().parents[2]


def rung_sizes(result):
    return {rung.name: (rung.width, rung.height) for rung in result.rungs if rung.kind == "video"}


def gaps(times):
    # Times start at 2 frames, not 0: B-frame delay, applied to every stream alike (A/V stay in sync).
    return [later - earlier for earlier, later in zip(times, times[1:], strict=False)]


def master_lines(result):
    return result.master_playlist.read_text(encoding="utf-8").splitlines()


def no_scratch_next_to(out_dir):
    return not [p for p in Path(out_dir).parent.iterdir() if p.name.startswith(f".{Path(out_dir).name}.")]


@pytest.fixture(scope="module")
def landscape(tmp_path_factory):
    """640x360 with sound, 5 s: long enough for a 4 s segment and a second one."""
    folder = tmp_path_factory.mktemp("landscape")
    source = make_clip(folder / "lesson.mp4", size="640x360", seconds=5)
    calls = []
    result = transcode(source, folder / "out", progress=calls.append)
    return result, calls


def test_landscape_rungs_have_the_planned_sizes(landscape):
    result, _ = landscape
    assert rung_sizes(result) == {"360p": (640, 360), "240p": (426, 240), "144p": (256, 144)}
    for rung in result.rungs:
        if rung.kind == "video":
            streams = ffprobe_json(rung.playlist, "-show_streams")["streams"]
            video = next(s for s in streams if s["codec_type"] == "video")
            assert (video["width"], video["height"]) == (rung.width, rung.height)
            assert video["codec_name"] == "h264"
            # Sound in every rung: the first picture needs one media request, not two.
            assert [s["codec_name"] for s in streams if s["codec_type"] == "audio"] == ["aac"]


def test_master_playlist_is_readable_and_its_codecs_are_right(landscape):
    result, _ = landscape
    streams = ffprobe_json(result.master_playlist, "-show_streams")["streams"]
    sizes = {(s["width"], s["height"]) for s in streams if s["codec_type"] == "video"}
    assert sizes == {(640, 360), (426, 240), (256, 144)}
    assert any(s["codec_type"] == "audio" for s in streams)

    lines = master_lines(result)
    infos = [line for line in lines if line.startswith("#EXT-X-STREAM-INF:")]
    assert len(infos) == 4  # three video variants and the sound on its own
    assert "EXT-X-MEDIA" not in "\n".join(lines)
    for rung in result.rungs:
        if rung.kind != "video":
            continue
        codecs = avc_codecs_attribute(read_media_playlist(rung.playlist).init)
        info = next(line for line in infos if f"RESOLUTION={rung.width}x{rung.height}" in line)
        assert f'CODECS="{codecs},mp4a.40.2"' in info
        assert "AVERAGE-BANDWIDTH=" in info and "AUDIO=" not in info
    assert rung_profiles(result) == {"360p": "Main", "240p": "Main", "144p": "Main"}
    # The smallest rung first: players start there.
    assert lines[lines.index(infos[0]) + 1] == "144p/index.m3u8"
    assert "#EXT-X-STREAM-INF:BANDWIDTH=" in infos[-1] and 'CODECS="mp4a.40.2"' in infos[-1]


def rung_profiles(result):
    profiles = {}
    for rung in result.rungs:
        if rung.kind == "video":
            streams = ffprobe_json(rung.playlist, "-show_streams")["streams"]
            profiles[rung.name] = next(s for s in streams if s["codec_type"] == "video")["profile"]
    return profiles


def test_keyframes_every_two_seconds_and_one_per_segment(landscape):
    result, _ = landscape
    for rung in result.rungs:
        playlist = read_media_playlist(rung.playlist)
        assert [round(segment.duration, 1) for segment in playlist.segments] == [2.0, 2.0, 1.0], rung.name
        if rung.kind == "video":
            assert gaps(keyframe_times(rung.playlist)) == pytest.approx([2.0, 2.0], abs=0.05)


def test_audio_rung_and_measured_bitrates(landscape):
    result, _ = landscape
    audio = next(rung for rung in result.rungs if rung.kind == "audio")
    stream = ffprobe_json(audio.playlist, "-show_streams")["streams"][0]
    assert (stream["codec_name"], stream["profile"], stream["channels"]) == ("aac", "LC", 1)
    assert 20_000 < audio.measured_bitrate < 50_000
    for rung in result.rungs:
        assert 0 < rung.measured_bitrate <= rung.peak_bitrate


def test_the_shared_line_rung_fits_half_of_a_256_kbit_line(tmp_path):
    """Two teachers on one 256 kbit/s line: each stream, picture and sound, must peak below 128 kbit/s.

    A busy clip (moving test pattern and noise, harder than a blackboard) so the cap is what holds it."""
    source = make_clip(tmp_path / "busy.mp4", size="640x360", seconds=8, video_filter="noise=alls=40:allf=t")
    result = transcode(source, tmp_path / "out")
    rung = next(rung for rung in result.rungs if rung.name == "144p")
    assert rung.peak_bitrate < 128_000, rung.peak_bitrate
    playlist = read_media_playlist(rung.playlist)
    first = playlist.init.stat().st_size + playlist.segments[0].size
    assert first < 40_000  # the bytes before the first picture, besides the page and two playlists


def test_download_mp4_poster_and_thumbnails(landscape):
    result, _ = landscape
    streams = ffprobe_json(result.download, "-show_streams")["streams"]
    assert {s["codec_type"] for s in streams} == {"video", "audio"}
    video = next(s for s in streams if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (640, 360)
    data = result.download.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")  # faststart: playable before it is all downloaded
    poster = ffprobe_json(result.poster, "-show_streams")["streams"][0]
    assert (poster["width"], poster["height"]) == (640, 360)
    assert len(result.thumbnails) == 5
    assert all(path.stat().st_size > 0 for path in result.thumbnails)


def test_progress_reaches_100_and_result_lists_every_file(landscape):
    result, calls = landscape
    assert calls and calls[-1] == 100.0
    assert all(0 <= percent <= 100 for percent in calls)
    on_disk = sorted(path for path in result.out_dir.rglob("*") if path.is_file())
    assert list(result.files) == on_disk
    assert no_scratch_next_to(result.out_dir)
    summary = result.as_dict()
    assert json.loads(json.dumps(summary)) == summary
    assert summary["rungs"][0]["resolution"] == "640x360"


def test_portrait_phone_clip_with_rotation_stays_portrait(tmp_path):
    stored = make_clip(tmp_path / "stored.mp4", size="640x360", audio=False)
    phone = rotate(stored, tmp_path / "phone.mp4")
    assert probe(phone).display_size == (360, 640)
    result = transcode(phone, tmp_path / "out")
    assert rung_sizes(result) == {"360p": (360, 640), "240p": (240, 426), "144p": (144, 256)}
    for rung in result.rungs:
        stream = ffprobe_json(rung.playlist, "-show_streams")["streams"][0]
        assert (stream["width"], stream["height"]) == (rung.width, rung.height)
        assert "side_data_list" not in stream  # no rotation left for the player to apply twice
    assert "RESOLUTION=240x426" in result.master_playlist.read_text()


def test_854x480_without_sound_has_even_rungs_and_no_audio(tmp_path):
    source = make_clip(tmp_path / "lesson.mp4", size="854x480", audio=False)
    result = transcode(source, tmp_path / "out")
    assert rung_sizes(result) == {"480p": (854, 480), "360p": (640, 360), "240p": (428, 240), "144p": (256, 144)}
    assert [rung.kind for rung in result.rungs] == ["video"] * 4
    assert not (result.out_dir / "audio").exists()
    text = result.master_playlist.read_text()
    assert "mp4a" not in text and "EXT-X-MEDIA" not in text and "AUDIO=" not in text
    assert {s["codec_type"] for s in ffprobe_json(result.download, "-show_streams")["streams"]} == {"video"}


def test_odd_sized_source_smaller_than_every_box(tmp_path):
    """321x239 (4:4:4, which H.264 allows at odd sizes): its own size at 320x238, and 144p."""
    codec = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"]
    source = make_clip(tmp_path / "odd.mkv", size="321x239", seconds=1, codec=codec)
    result = transcode(source, tmp_path / "out")
    assert rung_sizes(result) == {"240p": (320, 238), "144p": (194, 144)}
    assert ffprobe_json(result.download, "-show_streams")["streams"][0]["pix_fmt"] == "yuv420p"


def test_variable_frame_rate_source_comes_out_constant(tmp_path):
    """Frames dropped irregularly (as a phone does in low light), stored with their real times."""
    source = make_clip(
        tmp_path / "vfr.mp4",
        size="320x240",
        seconds=3,
        rate=30,
        video_filter="select='lt(mod(n\\,10)\\,6)+eq(mod(n\\,7)\\,0)'",
        extra=["-fps_mode", "vfr"],
    )
    assert len({round(gap, 3) for gap in gaps(frame_times(source))}) > 1  # really variable
    result = transcode(source, tmp_path / "out")
    rung = result.rungs[0]
    assert {round(gap, 3) for gap in gaps(frame_times(rung.playlist))} == {round(1 / result.frame_rate, 3)}
    assert gaps(keyframe_times(rung.playlist))[:1] == pytest.approx([2.0], abs=0.05)


# Bad inputs: a clear Chinese message, and OUTDIR exactly as it was.


@pytest.fixture
def existing_out(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "master.m3u8").write_text("#EXTM3U\n# the lesson as published yesterday\n")
    return out


def assert_untouched(out, before):
    assert snapshot(out) == before
    assert no_scratch_next_to(out)


def test_text_renamed_to_mp4_is_refused(tmp_path, existing_out):
    fake = tmp_path / "lesson.mp4"
    fake.write_text("这不是视频", encoding="utf-8")
    before = snapshot(existing_out)
    with pytest.raises(ProbeError, match="不是有效的音视频文件"):
        transcode(fake, existing_out)
    assert_untouched(existing_out, before)


def test_truncated_uploads_are_refused(tmp_path, existing_out):
    before = snapshot(existing_out)
    whole = make_clip(tmp_path / "whole.mp4", seconds=3).read_bytes()
    lost_index = tmp_path / "lost_index.mp4"
    lost_index.write_bytes(whole[: len(whole) // 2])  # the moov atom at the end is gone
    with pytest.raises(ProbeError):
        transcode(lost_index, existing_out)
    assert_untouched(existing_out, before)

    # With the index up front ffprobe is satisfied and ffmpeg exits 0 on half the picture.
    faststart = make_clip(tmp_path / "faststart.mp4", seconds=6, extra=["-movflags", "+faststart"]).read_bytes()
    half = tmp_path / "half.mp4"
    half.write_bytes(faststart[: len(faststart) // 2])
    with pytest.raises(ProbeError, match="文件不完整"):
        transcode(half, existing_out)
    assert_untouched(existing_out, before)


def test_corrupt_media_data_fails_with_ffmpegs_reason(tmp_path, existing_out):
    """Index intact, media zeroed: ffprobe accepts it, ffmpeg cannot decode it."""
    data = bytearray(make_clip(tmp_path / "clip.mp4", seconds=2, extra=["-movflags", "+faststart"]).read_bytes())
    at = data.find(b"mdat")
    data[at + 200 :] = bytes(len(data) - at - 200)
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(bytes(data))
    before = snapshot(existing_out)
    with pytest.raises(FfmpegError, match="转码失败") as caught:
        transcode(corrupt, existing_out)
    assert caught.value.tail  # ffmpeg's own words, for the log
    assert_untouched(existing_out, before)


def test_audio_only_is_not_a_lesson_video(tmp_path, existing_out):
    sound = tmp_path / "lesson.m4a"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", str(sound)],
        check=True,
        timeout=60,
    )
    before = snapshot(existing_out)
    with pytest.raises(ProbeError, match="没有视频画面"):
        transcode(sound, existing_out)
    assert_untouched(existing_out, before)


def test_missing_input(tmp_path, existing_out):
    with pytest.raises(FileNotFoundError, match="找不到要转码的文件"):
        transcode(tmp_path / "nowhere.mp4", existing_out)


# Killed runs leave OUTDIR alone; the next run replaces it cleanly.


@pytest.fixture(scope="module")
def small_clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("small") / "lesson.mp4", size="426x240", seconds=2)


def test_cancelled_run_leaves_out_dir_untouched_and_a_rerun_replaces_it(tmp_path, existing_out, small_clip):
    class Cancelled(Exception):
        pass

    def cancel(percent):
        raise Cancelled

    before = snapshot(existing_out)
    with pytest.raises(Cancelled):
        transcode(small_clip, existing_out, progress=cancel)
    assert_untouched(existing_out, before)
    assert processes_in(tmp_path) == []

    result = transcode(small_clip, existing_out)
    assert result.out_dir == existing_out
    assert "yesterday" not in result.master_playlist.read_text()
    assert sorted(p for p in existing_out.rglob("*") if p.is_file()) == list(result.files)
    assert no_scratch_next_to(existing_out)

    again = transcode(small_clip, existing_out)  # idempotent: the same files again
    assert [p.relative_to(existing_out) for p in again.files] == [p.relative_to(existing_out) for p in result.files]


KILLABLE = """
import pathlib, sys, time
from core.media.transcode import transcode

started = pathlib.Path(sys.argv[3])

def report(percent):
    started.touch()
    time.sleep(60)  # be killed here, mid-run

transcode(sys.argv[1], sys.argv[2], progress=report)
"""


def test_sigkilled_worker_leaves_out_dir_untouched_and_takes_ffmpeg_with_it(tmp_path, existing_out, small_clip):
    """The worker dies mid-run (OOM killer, SIGKILL): OUTDIR stays, ffmpeg dies with it
    rather than encoding on into a folder nobody will use, and the next run cleans up."""
    long_clip = make_clip(tmp_path / "long.mp4", size="426x240", seconds=30)  # ~2 s of work: time to kill it
    before = snapshot(existing_out)
    started = tmp_path / "started"
    command = [sys.executable, "-c", KILLABLE, str(long_clip), str(existing_out), str(started)]
    worker = subprocess.Popen(command, cwd=ROOT)
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(0.02)
    assert started.exists(), "the worker never reported progress"
    scratch = next(p for p in tmp_path.iterdir() if p.name.startswith(".out.partial-"))
    assert processes_in(scratch)  # ffmpeg is running in it
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)

    deadline = time.monotonic() + 10
    while processes_in(scratch) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert processes_in(scratch) == []  # PR_SET_PDEATHSIG: ffmpeg died with its worker...
    variant = scratch / "240p" / "index.m3u8"
    assert not variant.exists() or "#EXT-X-ENDLIST" not in variant.read_text()  # ...before it finished
    assert snapshot(existing_out) == before

    result = transcode(small_clip, existing_out)
    assert not scratch.exists()  # abandoned: its lock died with the worker
    assert no_scratch_next_to(existing_out)
    assert "yesterday" not in result.master_playlist.read_text()


# The management command.


def test_transcode_file_prints_a_json_summary(tmp_path, small_clip, capsys):
    call_command("transcode_file", str(small_clip), str(tmp_path / "out"))
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert [(rung["name"], rung["resolution"]) for rung in summary["rungs"]] == [
        ("240p", "426x240"),
        ("144p", "256x144"),
        ("audio", None),
    ]
    assert summary["duration"] == pytest.approx(2.0, abs=0.1)
    assert "master.m3u8" in summary["files"] and "download.mp4" in summary["files"]
    assert "100.0%" in captured.err


def test_transcode_file_refuses_bad_input_with_a_chinese_message(tmp_path):
    fake = tmp_path / "lesson.mp4"
    fake.write_text("not a video")
    with pytest.raises(CommandError, match="无法转码：无法识别的文件"):
        call_command("transcode_file", str(fake), str(tmp_path / "out"), quiet=True)
    assert not (tmp_path / "out").exists()

    completed = subprocess.run(
        [sys.executable, "manage.py", "transcode_file", str(tmp_path / "missing.mp4"), str(tmp_path / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "youke.settings.test"},
    )
    assert completed.returncode != 0
    assert "找不到要转码的文件" in completed.stderr
    assert completed.stdout == ""


def test_unknown_source_size_is_fitted_by_ffmpeg_without_upscaling(tmp_path):
    """ffprobe saw a video stream but no size: ffmpeg fits each rung into its box itself."""
    source = make_clip(tmp_path / "portrait.mp4", size="300x500", seconds=1, audio=False)
    ladder = plan_ladder(dataclasses.replace(probe(source), width=None, height=None))
    work = tmp_path / "work"
    work.mkdir()
    run(build_command(source, ladder), duration=ladder.duration, timeout=60, cwd=work)
    sizes = {}
    for rung in ladder.video:
        stream = ffprobe_json(work / rung.name / "index.m3u8", "-show_streams")["streams"][0]
        sizes[rung.name] = (stream["width"], stream["height"])
    # 360p box, portrait: 360 wide at most -> 300x500 fits as it is; 240p: 240 wide -> 240x400.
    assert sizes == {"360p": (300, 500), "240p": (240, 400), "144p": (144, 240)}
