"""Only listed containers reach ffmpeg: playlists, concat lists and image sequences are refused by ffprobe's answer."""

import subprocess

import pytest

from core.media import formats
from core.media.probe import ProbeError, probe
from core.media.transcode import transcode
from media_pipeline.uploads import checks
from media_pipeline.uploads.local import LocalSource
from tests.media_pipeline.clips import make_clip

pytestmark = pytest.mark.service("ffmpeg")

ID3_HEADER = b"ID3\x04\x00\x00\x00\x00\x00\x00"  # an empty ID3v2.4 tag: 10 bytes


def hls_playlist(entry):
    return (
        # The victim's own length, so nothing but the allow-list stops the transcode.
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:2.0,\n{entry}\n#EXT-X-ENDLIST\n"
    ).encode()


@pytest.fixture(scope="module")
def victim(tmp_path_factory):
    """Another teacher's private video, which a disguised playlist names."""
    return make_clip(tmp_path_factory.mktemp("private") / "private.ts", seconds=2, extra=["-f", "mpegts"])


def assert_readable_refusal(message, *paths):
    assert message and any("\u4e00" <= char <= "\u9fff" for char in message)  # Chinese
    for path in paths:
        assert str(path) not in message
        assert path.name not in message
    assert "/" not in message and "://" not in message


def test_id3_tag_then_hls_playlist_is_refused_at_upload_check(tmp_path, victim):
    disguised = tmp_path / "课堂实录.mp4"
    disguised.write_bytes(ID3_HEADER + hls_playlist(victim))
    assert checks.check_head(disguised.read_bytes()) is None  # the first bytes alone let it pass
    with open(disguised, "rb") as handle, pytest.raises(checks.NotAVideo) as refusal:
        checks.check(LocalSource(handle, disguised))
    assert str(refusal.value) == formats.NOT_ALLOWED
    assert_readable_refusal(str(refusal.value), tmp_path, victim)


def test_id3_tag_then_hls_playlist_is_refused_by_the_transcoder(tmp_path, victim):
    disguised = tmp_path / "课堂实录.mp4"
    disguised.write_bytes(ID3_HEADER + hls_playlist(victim))
    with pytest.raises(ProbeError) as refusal:
        transcode(disguised, tmp_path / "out")
    assert_readable_refusal(str(refusal.value), tmp_path, victim)
    assert not (tmp_path / "out").exists()


def referencing_files(folder, victim):
    """Text files ffmpeg would read as a list of other files, each named like a video."""
    jpeg = folder / "frame.jpg"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=64x48", "-frames:v", "1", jpeg],
        check=True,
        timeout=60,
    )
    for number in (1, 2, 3):
        (folder / f"shot{number:03d}.jpg").write_bytes(jpeg.read_bytes())
    files = {
        "hls_named_mp4": hls_playlist(victim),
        "concat_list": f"ffconcat version 1.0\nfile '{victim}'\n".encode(),
        "id3_hls": ID3_HEADER + hls_playlist(victim),
    }
    paths = {}
    for name, content in files.items():
        paths[name] = folder / f"{name}.mp4"
        paths[name].write_bytes(content)
    # A name that is an image2 sequence pattern, holding a picture.
    paths["image2_pattern"] = folder / "shot%03d.jpg"
    paths["image2_pattern"].write_bytes(jpeg.read_bytes())
    return paths


@pytest.mark.parametrize("name", ["hls_named_mp4", "concat_list", "id3_hls", "image2_pattern"])
def test_files_that_name_other_files_are_refused_by_probe(tmp_path, victim, name):
    path = referencing_files(tmp_path, victim)[name]
    with pytest.raises(ProbeError) as refusal:
        probe(path)
    assert_readable_refusal(str(refusal.value), tmp_path, victim)
    with pytest.raises(ProbeError):
        transcode(path, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_real_container_not_on_the_list_is_refused(tmp_path):
    # NUT, ffmpeg's own container: real media, but no camera, phone or browser writes it.
    nut = make_clip(tmp_path / "lesson.mp4", seconds=1, extra=["-f", "nut"])
    with pytest.raises(ProbeError) as refusal:
        probe(nut)
    assert str(refusal.value) == formats.NOT_ALLOWED
    with open(nut, "rb") as handle, pytest.raises(checks.NotAVideo) as refusal:
        checks.check(LocalSource(handle, nut))
    assert str(refusal.value) == formats.NOT_ALLOWED


def test_a_url_is_never_handed_to_ffprobe():
    with pytest.raises(ProbeError) as refusal:
        probe("http://127.0.0.1:9/lesson.mp4")
    assert "127.0.0.1" not in str(refusal.value)


CLIPS = {
    "mp4": {},
    "webm": {"codec": ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8"], "audio": False},
    "mkv": {},
    "ts": {"extra": ["-f", "mpegts"]},
    "mov": {},
}


@pytest.mark.parametrize("extension", sorted(CLIPS))
def test_what_cameras_phones_and_browsers_write_still_passes(tmp_path, extension):
    clip = make_clip(tmp_path / f"lesson.{extension}", seconds=2, **CLIPS[extension])
    with open(clip, "rb") as handle:
        probed = checks.check(LocalSource(handle, clip))
    assert probed.has_video and probed.duration == pytest.approx(2.0, abs=0.2)
    assert formats.is_allowed(probed.format_name)


def test_the_transcoder_reads_a_listed_container_that_is_not_mp4(tmp_path):
    clip = make_clip(tmp_path / "lesson.mkv", seconds=2)
    result = transcode(clip, tmp_path / "out")
    assert result.download.is_file() and result.duration == pytest.approx(2.0, abs=0.2)


def test_the_list_matches_ffprobes_names_by_part():
    assert formats.is_allowed("mov,mp4,m4a,3gp,3g2,mj2")
    assert formats.is_allowed("matroska,webm")
    for name in ("hls", "concat", "image2", "png_pipe", "jpeg_pipe", "nut", "dash", "", "lavfi"):
        assert not formats.is_allowed(name)
