"""The upload widget in Chromium: progress to 100 %, success, and resuming after the tab was closed."""

import re

import pytest

from media_pipeline.models import Upload, Video, VideoStatus

pytestmark = [
    pytest.mark.service("chromium"),
    pytest.mark.service("ffmpeg"),
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in_and_open_uploader(page, live_server, settings):
    settings.KEYCLOAK = None  # Django's own login, as on the embedded default
    page.goto(live_server.url + "/admin/login/?next=/admin/video-upload/")
    page.fill("input[name=username]", "teacher1")
    page.fill("input[name=password]", "youke-demo")
    page.locator("button[type=submit]").click()
    page.wait_for_url(live_server.url + "/admin/video-upload/")


def upload_and_wait(page, path):
    page.get_by_label("选择课堂实录视频").set_input_files(str(path))
    page.wait_for_selector(".yk-uploader__status.is-done, .yk-uploader__status.is-error", timeout=60_000)


def assert_success(page):
    status = page.locator("[data-youke-uploader]").get_by_role("status")
    assert "上传成功" in status.inner_text(), status.inner_text()
    bar = page.get_by_role("progressbar", name="上传进度")
    assert bar.get_attribute("aria-valuenow") == "100"
    video = Video.objects.get()
    assert video.status == VideoStatus.QUEUED
    assert page.locator("input[name=video_id]").input_value() == str(video.pk), "the id is handed to the form"
    assert str(video.pk) in status.inner_text()
    return video


def test_local_upload_reaches_100_percent_and_queues_the_video(
    page, live_server, settings, teachers, clips, local_uploads
):
    sign_in_and_open_uploader(page, live_server, settings)
    upload_and_wait(page, clips["video"])
    video = assert_success(page)
    original = local_uploads / "media" / "videos" / str(video.pk) / "original"
    assert original.read_bytes() == clips["video"].read_bytes()


def test_s3_upload_goes_straight_to_the_store(page, live_server, settings, teachers, clips, s3_uploads):
    sign_in_and_open_uploader(page, live_server, settings)
    to_s3 = []
    page.on(
        "request", lambda r: to_s3.append(r.method) if r.url.startswith(s3_uploads.client.meta.endpoint_url) else None
    )
    upload_and_wait(page, clips["big"])
    video = assert_success(page)
    assert to_s3.count("PUT") == 3, "three parts, each PUT by the browser itself"
    body = s3_uploads.client.get_object(Bucket=s3_uploads.bucket, Key=s3_uploads.key(video.original))["Body"].read()
    assert body == clips["big"].read_bytes()


def test_a_closed_tab_resumes_with_only_the_missing_parts(page, live_server, settings, teachers, clips, local_uploads):
    sign_in_and_open_uploader(page, live_server, settings)
    # The link dies after the first two parts: every later part fails at the network level.
    blocked = re.compile(r"/chunks/([3-9]|\d\d+)/$")
    page.route(blocked, lambda route: route.abort("internetdisconnected"))
    page.get_by_label("选择课堂实录视频").set_input_files(str(clips["video"]))
    page.wait_for_selector("text=网络不稳定")
    for _ in range(200):  # parts 1 and 2 may still be on their way when part 3 fails
        upload = Upload.objects.first()
        if upload and len(list((local_uploads / "chunks" / str(upload.pk)).glob("0000[12]"))) == 2:
            break
        page.wait_for_timeout(100)
    parts_total = Upload.objects.get().parts_total
    assert parts_total >= 4

    page.reload()  # the tab is closed and opened again (its retries die with it)...
    page.unroute(blocked)  # ...and the link is back
    assert "有未传完的文件：lesson.mp4" in page.locator(".yk-uploader__resume").inner_text()
    sent = []
    page.on("request", lambda r: sent.append(int(r.url.rstrip("/").rsplit("/", 1)[1])) if "/chunks/" in r.url else None)
    upload_and_wait(page, clips["video"])
    assert_success(page)
    assert sorted(set(sent)) == list(range(3, parts_total + 1)), "parts 1 and 2 were not sent again"
    assert Upload.objects.count() == 1


def test_slow_link_shows_speed_and_time_left_and_pause_continue(
    page, live_server, settings, teachers, clips, local_uploads
):
    sign_in_and_open_uploader(page, live_server, settings)
    # A rural uplink: Chromium itself holds uploads to about 40 KB/s.
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 50, "downloadThroughput": -1, "uploadThroughput": 40 * 1024},
    )
    page.get_by_label("选择课堂实录视频").set_input_files(str(clips["video"]))
    stats = page.locator(".yk-uploader__stats")
    stats.filter(has_text=re.compile(r"速度 \d+ KB/秒 · 剩余约 \d+")).wait_for()
    bar = page.get_by_role("progressbar", name="上传进度")
    assert 0 < int(bar.get_attribute("aria-valuenow")) < 100
    assert "已上传" in bar.get_attribute("aria-valuetext")

    page.get_by_role("button", name="暂停").click()
    assert "已暂停" in page.locator(".yk-uploader__status").inner_text()
    assert "速度" not in stats.inner_text()
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.get_by_role("button", name="继续").click()
    page.wait_for_selector(".yk-uploader__status.is-done, .yk-uploader__status.is-error", timeout=60_000)
    assert_success(page)
