"""Upload completion refuses playlists disguised as video; in S3 mode ffprobe only ever reads a local copy."""

import http.server
import threading

import pytest

from core.media import formats
from media_pipeline import store
from media_pipeline.models import Video, VideoStatus
from tests.media_pipeline.clips import make_clip
from tests.media_pipeline.uploads.helpers import Api

pytestmark = [pytest.mark.django_db, pytest.mark.service("ffmpeg")]

ID3_HEADER = b"ID3\x04\x00\x00\x00\x00\x00\x00"


def disguised_playlist(entry):
    """161-odd bytes: an ID3 tag (binary, so the first-bytes check lets it through), then HLS."""
    return (
        ID3_HEADER
        + (f"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n{entry}\n#EXT-X-ENDLIST\n").encode()
    )


@pytest.fixture
def listener():
    """An HTTP server on 127.0.0.1 standing for an internal address; records every request it gets."""
    requests_seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # the stdlib's name
            requests_seen.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", requests_seen
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_local_upload_of_id3_and_hls_naming_another_file_is_refused(teachers, local_uploads, tmp_path):
    private = make_clip(tmp_path / "private.ts", seconds=2, extra=["-f", "mpegts"])
    disguised = tmp_path / "课堂实录.mp4"
    disguised.write_bytes(disguised_playlist(private))
    info, response = Api(user=teachers[0]).upload(disguised)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error == formats.NOT_ALLOWED
    assert str(tmp_path) not in error and "private" not in error
    video = Video.objects.get(pk=info["video_id"])
    assert video.status == VideoStatus.FAILED and video.error == formats.NOT_ALLOWED


@pytest.mark.service("s3")
def test_s3_upload_of_a_playlist_makes_no_request_to_the_address_it_names(teachers, s3_uploads, tmp_path, listener):
    base, requests_seen = listener
    disguised = tmp_path / "课堂实录.mp4"
    disguised.write_bytes(disguised_playlist(f"{base}/internal/segment.ts"))
    info, response = Api(user=teachers[0]).upload(disguised)
    assert requests_seen == []  # ffprobe never fetched the address the playlist names
    assert response.status_code == 422
    error = response.json()["error"]
    assert error == formats.NOT_ALLOWED
    assert "127.0.0.1" not in error and "http" not in error


@pytest.mark.service("s3")
def test_s3_upload_of_a_real_video_is_probed_from_its_head_and_tail(teachers, s3_uploads, tmp_path, monkeypatch):
    # moov at the end (ffmpeg's default), and head and tail far smaller than the file:
    # the sparse local copy must still hold what ffprobe needs.
    clip = make_clip(tmp_path / "lesson.mp4", size="640x360", seconds=4)
    assert clip.stat().st_size > 4 * 64 * 1024
    monkeypatch.setattr(store, "PROBE_HEAD_BYTES", 64 * 1024)
    monkeypatch.setattr(store, "PROBE_TAIL_BYTES", 64 * 1024)
    info, response = Api(user=teachers[0]).upload(clip)
    assert response.status_code == 200, response.content.decode()
    video = Video.objects.get(pk=info["video_id"])
    assert video.duration == pytest.approx(4.0, abs=0.2)
    assert video.probe["width"] == 640
