"""In Chromium, with the platform nowhere: a bundle served by `python3 -m http.server`, browsed and played.

Real ffmpeg makes the ladder, export_bundle the 240p file; Python's plain static
server (no Range, no POST) serves the bundle folder, so the player keeps its play
count in the browser and 「导出使用记录」 hands it back as a file.
"""

import json
import socket
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from media_pipeline.tasks import transcode_video
from media_pipeline.video_documents import video_for_document
from resources.models import PackagePart
from supervision.models import OfflinePlayCount
from tests.media_pipeline.clips import ffprobe_json, make_clip
from tests.resources.helpers import PDF, document, package

pytestmark = [
    pytest.mark.service("ffmpeg"),
    pytest.mark.django_db,
]


@pytest.fixture
def recorded_lesson(library, tmp_path):
    page = package("几分之一", lesson="几分之一", parts=False, licence="public", teacher_name="王芳")
    clip = make_clip(tmp_path / "lesson.mp4", size="640x360", seconds=14).read_bytes()
    part = PackagePart.objects.create(package=page, kind="video", document=document("几分之一-课堂实录.mp4", clip))
    PackagePart.objects.create(package=page, kind="teaching_design", document=document("几分之一-教学设计.pdf", PDF))
    video = video_for_document(part.document)
    transcode_video.apply(args=[str(video.pk), video.task_id]).get()
    video.refresh_from_db()
    assert video.is_ready
    return page


@pytest.fixture
def static_server():
    servers = []

    def start(folder):
        port = next(p for p in range(18260, 18280) if socket.socket().connect_ex(("127.0.0.1", p)) != 0)
        command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(folder)]
        servers.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(200):
            if socket.socket().connect_ex(("127.0.0.1", port)) == 0:
                return f"http://127.0.0.1:{port}/"
            time.sleep(0.05)
        raise RuntimeError("http.server did not start")

    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.service("chromium")
def test_a_teacher_finds_the_lesson_by_textbook_plays_it_and_exports_the_count(
    recorded_lesson, signing_key, tmp_path, static_server, page
):
    out = tmp_path / "bundle"
    call_command("export_bundle", str(out), subject="数学", rendition="240p", include_documents=True)
    url = static_server(out)

    page.goto(url)
    page.get_by_role("link", name="小学").click()
    page.get_by_role("link", name="数学").click()
    page.get_by_role("link", name="人教版 数学 三年级上册").click()
    page.get_by_role("link", name="8 分数的初步认识").click()
    page.get_by_role("link", name="几分之一").click()

    # The player swaps its view after the click: wait for the lesson's heading (read at once, it raced).
    expect(page.locator("h2")).to_have_text("几分之一")
    assert "王芳" in page.locator(".meta").first.inner_text()
    video = page.locator("video")
    assert video.get_attribute("data-rendition") == "240p"
    assert page.get_by_role("link", name="教学设计：几分之一-教学设计.pdf").count() == 1
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function("document.querySelector('video').currentTime > 1", timeout=30000)
    assert page.evaluate("document.querySelector('video').videoHeight") == 240
    page.wait_for_function("document.body.getAttribute('data-last-play')", timeout=30000)
    page.wait_for_selector("#usage-note:has-text('本机记录了 1 次播放')")
    page.screenshot(path=str(tmp_path / "offline-player.png"))

    with page.expect_download() as download:
        page.get_by_role("button", name="导出使用记录").click()
    usage_file = tmp_path / "usage.json"
    download.value.save_as(usage_file)
    data = json.loads(usage_file.read_text())
    assert data["source"].startswith("dev:") and data["plays"][0]["lesson"] == recorded_lesson.pk
    call_command("import_bundle_usage", str(usage_file), school="QSZX")
    assert OfflinePlayCount.objects.get(lesson=recorded_lesson).plays == 1


def test_low_and_audio_renditions_are_small_files_of_their_own(recorded_lesson, signing_key, tmp_path):
    for rendition, expected in (("144p", ("video", 144)), ("audio", ("audio", None))):
        out = tmp_path / rendition
        call_command("export_bundle", str(out), rendition=rendition)
        entry = json.loads((out / "manifest.json").read_text())["lessons"][0]["files"][0]
        streams = ffprobe_json(out / entry["path"], "-show_streams")["streams"]
        kinds = {stream["codec_type"] for stream in streams}
        assert expected[0] in kinds and entry["rendition"] == rendition
        if expected[1]:
            assert {stream.get("height") for stream in streams if stream["codec_type"] == "video"} == {144}
        else:
            assert kinds == {"audio"}
