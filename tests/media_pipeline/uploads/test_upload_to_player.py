"""End to end: upload by parts to S3, resume after an interruption, a real worker transcodes,
ffprobe reads the master playlist through the site, and the lesson page shows the player."""

import subprocess

import pytest
import requests
from django.conf import settings
from django.test import Client

from media_pipeline.models import Video, VideoStatus
from resources.models import PackagePart
from tests.media_pipeline.conftest import wait_for
from tests.media_pipeline.uploads.helpers import S3_PART, Api
from tests.resources.helpers import package

pytestmark = [
    pytest.mark.service("s3"),
    pytest.mark.service("ffmpeg"),
    pytest.mark.service("redis"),
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_upload_resume_transcode_and_play(teachers, clips, settings_part_size, start_worker, live_server, library):
    teacher, colleague = teachers
    api = Api(user=teacher)
    data = clips["big"].read_bytes()
    info = api.start(clips["big"])
    assert info["backend"] == "s3" and info["parts_total"] == 3

    api.send(info, data, [1])  # the link drops after the first part
    assert [part["number"] for part in api.status(info["id"]).json()["parts"]] == [1]
    api.send(info, data, [2, 3])  # the same file chosen again: only the rest is sent
    assert api.complete(info["id"]).json()["status"] == VideoStatus.QUEUED

    start_worker()
    video = wait_for(lambda: Video.objects.filter(pk=info["video_id"], status=VideoStatus.READY).first(), 300, "ready")

    page = package("圆的认识", owner=teacher, teacher=teacher, parts=False)
    PackagePart.objects.create(package=page, kind="video", video=video)

    viewer = Client()
    viewer.force_login(colleague)
    cookie = f"{settings.SESSION_COOKIE_NAME}={viewer.cookies[settings.SESSION_COOKIE_NAME].value}"
    html = requests.get(live_server.url + page.url, headers={"Cookie": cookie}, timeout=30).text
    assert 'class="yk-player"' in html and f"/media-pipeline/videos/{video.pk}/hls/master.m3u8" in html

    master = f"{live_server.url}/media-pipeline/videos/{video.pk}/hls/master.m3u8"
    probed = subprocess.run(
        ["ffprobe", "-v", "error", "-headers", f"Cookie: {cookie}\r\n", "-show_entries", "stream=codec_type,height",
         "-of", "csv=p=0", master],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert probed.returncode == 0, probed.stderr
    streams = {line.strip(",") for line in probed.stdout.split()}
    assert {"audio", "video,720", "video,240"} <= streams, probed.stdout
    assert requests.get(master, timeout=30).status_code == 404, "without the session: nothing"


@pytest.fixture
def settings_part_size(settings):
    settings.UPLOAD_PART_SIZE = S3_PART
