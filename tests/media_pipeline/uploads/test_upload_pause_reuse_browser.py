"""The uploader in Chromium: pausing keeps what was sent, a finished file is not sent twice, and an
expired login or a server error leaves the upload resumable with a clear Chinese message."""

import re
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session

from media_pipeline.models import Upload, UploadStatus, Video
from tests.media_pipeline.uploads.test_upload_browser import assert_success, sign_in_and_open_uploader, upload_and_wait

pytestmark = [
    pytest.mark.service("chromium"),
    pytest.mark.service("ffmpeg"),
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots" / "journeys" / "teacher"
CHOOSE = "选择课堂实录视频"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished))")  # the bar's width transition
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def throttle(page, bytes_per_second):
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": bytes_per_second},
    )
    return cdp


def received_bytes(local_uploads, upload):
    """What the server holds: the whole parts in the upload's chunk folder."""
    folder = local_uploads / "chunks" / str(upload.pk)
    return sum(p.stat().st_size for p in folder.iterdir() if p.name.isdigit())


def bar_percent(page):
    return int(page.get_by_role("progressbar", name="上传进度").get_attribute("aria-valuenow"))


def chunk_requests(page):
    sent = []
    page.on("request", lambda r: sent.append(r.url) if "/chunks/" in r.url else None)
    return sent


def test_pause_keeps_the_bar_at_the_bytes_the_server_holds(page, live_server, settings, teachers, clips, local_uploads):
    sign_in_and_open_uploader(page, live_server, settings)
    cdp = throttle(page, 30 * 1024)
    page.get_by_label(CHOOSE).set_input_files(str(clips["video"]))
    page.wait_for_function("document.querySelector('.yk-uploader__bar').getAttribute('aria-valuenow') >= 5")
    before = bar_percent(page)

    page.get_by_role("button", name="暂停").click()
    assert bar_percent(page) >= before, "the bar does not fall back when paused"
    status = page.locator(".yk-uploader__status")
    status.filter(has_text="已暂停。点“继续”接着上传。").wait_for(timeout=30_000)  # the parts on their way landed
    upload = Upload.objects.get()
    held = received_bytes(local_uploads, upload)
    assert held > 0
    assert bar_percent(page) == held * 100 // upload.size >= before, "the bar shows what the server holds"
    stats = page.locator(".yk-uploader__stats").inner_text()
    assert "速度" not in stats and stats.startswith(f"{round(held / 1024)} KB /"), stats
    shot(page, "upload-paused")

    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    sent = chunk_requests(page)
    page.get_by_role("button", name="继续").click()
    page.wait_for_selector(".yk-uploader__status.is-done, .yk-uploader__status.is-error", timeout=60_000)
    assert_success(page)
    held_parts = held // upload.part_size
    resent = [int(url.rstrip("/").rsplit("/", 1)[1]) for url in sent]
    assert min(resent) > held_parts, "the parts the server held before the pause were not sent again"
    shot(page, "upload-resumed-done")


def test_choosing_a_finished_file_again_reuses_it(page, live_server, settings, teachers, clips, local_uploads):
    sign_in_and_open_uploader(page, live_server, settings)
    upload_and_wait(page, clips["video"])
    video = assert_success(page)

    page.reload()
    assert page.locator(".yk-uploader__resume").is_hidden(), "a finished file is not listed as unfinished"
    sent = chunk_requests(page)
    created = []
    page.on("request", lambda r: created.append(r.url) if r.method == "POST" else None)
    upload_and_wait(page, clips["video"])
    status = page.locator("[data-youke-uploader]").get_by_role("status")
    assert "这个文件已经上传过了" in status.inner_text() and str(video.pk) in status.inner_text()
    assert sent == [] and created == [], "no part and no new upload were sent"
    assert Upload.objects.count() == 1 and Video.objects.count() == 1
    assert page.locator("input[name=video_id]").input_value() == str(video.pk), "the same video is handed to the form"
    assert bar_percent(page) == 100
    shot(page, "upload-same-file-reused")


def test_an_expired_login_says_so_and_resumes_after_signing_in(
    page, live_server, settings, teachers, clips, local_uploads
):
    sign_in_and_open_uploader(page, live_server, settings)
    cdp = throttle(page, 30 * 1024)
    page.get_by_label(CHOOSE).set_input_files(str(clips["video"]))
    page.wait_for_function("document.querySelector('.yk-uploader__bar').getAttribute('aria-valuenow') >= 5")
    Session.objects.all().delete()  # the login expires while the upload runs

    status = page.locator(".yk-uploader__status.is-error")
    status.wait_for(timeout=30_000)
    assert "登录已失效" in status.inner_text() and "已传的部分会保留" in status.inner_text()
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.ACTIVE and received_bytes(local_uploads, upload) > 0
    shot(page, "upload-login-expired")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )

    status.get_by_role("link", name="去登录").click()
    page.fill("input[name=username]", "teacher1")
    page.fill("input[name=password]", "youke-demo")
    page.locator("main").get_by_role("button", name="登录").click()  # the site's own sign-in form
    page.wait_for_url(live_server.url + "/admin/video-upload/")  # back on the page, not on the API
    held_parts = received_bytes(local_uploads, upload) // upload.part_size
    sent = chunk_requests(page)
    upload_and_wait(page, clips["video"])
    assert_success(page)
    resent = [int(url.rstrip("/").rsplit("/", 1)[1]) for url in sent]
    assert held_parts and min(resent) > held_parts, "what was sent before the login expired was kept"
    assert Upload.objects.count() == 1


def test_a_server_error_on_completion_pauses_instead_of_ending(
    page, live_server, settings, teachers, clips, local_uploads
):
    sign_in_and_open_uploader(page, live_server, settings)
    # The server answers its plain 500 page once (what "database is locked" produced).
    failures = []

    def fail_once(route):
        if failures:
            return route.continue_()
        failures.append(route.request.url)
        route.fulfill(status=500, content_type="text/html", body="<h1>Server Error (500)</h1>")

    page.route(re.compile(r"/complete/$"), fail_once)
    page.get_by_label(CHOOSE).set_input_files(str(clips["video"]))
    status = page.locator(".yk-uploader__status")
    status.filter(has_text="服务器暂时出错").wait_for(timeout=30_000)
    assert "页面已过期" not in status.inner_text() and "已传的部分会保留" in status.inner_text()
    shot(page, "upload-server-error-paused")
    page.get_by_role("button", name="继续").click()
    page.wait_for_selector(".yk-uploader__status.is-done, .yk-uploader__status.is-error", timeout=60_000)
    assert_success(page)


def test_storage_out_of_reach_at_completion_waits_and_completes_by_itself(
    page, live_server, settings, teachers, clips, local_uploads
):
    """The API's 503 (S3 out of reach) pauses with its message, and the page carries on without a click."""
    sign_in_and_open_uploader(page, live_server, settings)
    failures = []

    def unreachable_once(route):
        if failures:
            return route.continue_()
        failures.append(route.request.url)
        body = '{"error": "视频存储暂时连不上，已传的部分不会丢失；恢复后会自动继续上传。", "retry": true}'
        route.fulfill(status=503, content_type="application/json", body=body)

    page.route(re.compile(r"/complete/$"), unreachable_once)
    page.get_by_label(CHOOSE).set_input_files(str(clips["video"]))
    status = page.locator(".yk-uploader__status")
    status.filter(has_text="视频存储暂时连不上").wait_for(timeout=30_000)
    shot(page, "upload-storage-unreachable-waiting")
    page.wait_for_selector(".yk-uploader__status.is-done", timeout=60_000)  # no 继续 clicked
    assert_success(page)
    assert len(failures) == 1
