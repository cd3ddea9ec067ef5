"""S3 stops while a teacher's browser is sending a video: the upload waits, resumes, and nothing is lost.

A private S3Proxy (port 18540, its own folder, the jar and signature checks
of scripts/services/s3.sh) stores the site's media; the site is the embedded
default with the S3 variables pointed at it, parts of 5 MB (UPLOAD_PART_MB).
In Chromium, teacher1 uploads a clip of several parts on a throttled line;
S3 is stopped once the bar moves and kept down past the uploader's quick
retries, then started again on the same port and folder. Outcomes only: the
messages on the page, the parts sent again, the stored bytes (sha256), the
video's state and the health report; beside it scripts/locust_district.py's
mix (tests/faults/load.py) browses and searches, and none of its requests may
be answered 5xx or dropped.
"""

import hashlib
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.faults.helpers import eventually, health, manage, shell, site_env, start_site
from tests.faults.load import DistrictLoad, failures, kinds
from tests.faults.s3_server import BUCKET, PrivateS3
from tests.media_pipeline.clips import make_clip
from tests.processes import ROOT, stop

pytestmark = [pytest.mark.service("chromium"), pytest.mark.service("ffmpeg"), pytest.mark.slow]

S3_PORT, SITE_PORT = 18540, 18541
SHOTS = ROOT / "var" / "screenshots" / "faults"
SEED = """
from home import demo
from resources.provision import ensure_library
demo.load()
ensure_library()
print("seeded")
"""
UPLOAD_RATE = 1024 * 1024  # bytes a second: a county school's uplink, so the outage lands mid-upload
PART = 5 * 1024 * 1024


@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    work = tmp_path_factory.mktemp("s3-outage")
    s3 = PrivateS3(work / "s3", S3_PORT)
    s3.start()
    site = log = None
    try:
        env = site_env(work, **s3.env(), UPLOAD_PART_MB="5")  # S3's smallest part: several parts per clip
        manage(env, "migrate", "--noinput", "-v0")
        assert shell(env, SEED) == "seeded"
        site, log, url = start_site(env, SITE_PORT, work / "site.log")
        assert eventually(lambda: health(url)[0] == 200, 120), (work / "site.log").read_text()[-3000:]
        yield {"url": url, "env": env, "s3": s3, "work": work}
    finally:
        if site:
            stop(site)
            log.close()
        s3.stop()


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    # Lossless 720p is about 1.7 MB a second: eight parts of 5 MB, three on their way at a time.
    path = tmp_path_factory.mktemp("s3-outage-clip") / "课堂实录.mp4"
    codec = ["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p"]
    return make_clip(path, size="1280x720", seconds=24, codec=codec)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished))")  # the bar's width transition
    page.screenshot(path=str(SHOTS / f"s3-outage-{name}.png"), full_page=True)


def percent(page):
    return int(page.get_by_role("progressbar", name="上传进度").get_attribute("aria-valuenow"))


def held_parts(s3):
    """Part numbers S3 holds for the one multipart upload under way."""
    uploads = s3.client.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    if len(uploads) != 1:
        return set()
    key, upload_id = uploads[0]["Key"], uploads[0]["UploadId"]
    parts = s3.client.list_parts(Bucket=BUCKET, Key=key, UploadId=upload_id).get("Parts", [])
    return {part["PartNumber"] for part in parts if part["Size"] == PART}


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def test_s3_stops_mid_upload_and_the_upload_resumes(outage, browser, clip):
    url, s3, env = outage["url"], outage["s3"], outage["env"]
    assert clip.stat().st_size > 6 * PART, "more parts than the uploader sends at once"
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors = []
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status == 500 else None)
    sent = []  # part numbers PUT to S3
    page.on("request", lambda r: sent.append(r.url) if r.method == "PUT" and r.url.startswith(s3.url) else None)
    load = DistrictLoad(url, outage["work"])  # the district browsing and searching beside the upload
    try:
        page.goto(url + "/admin/login/?next=/admin/video-upload/")
        page.fill("input[name=username]", "teacher1")
        page.fill("input[name=password]", "youke-demo")
        page.locator("button[type=submit]").click()
        page.wait_for_url(url + "/admin/video-upload/")
        load.start()
        cdp = context.new_cdp_session(page)
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": UPLOAD_RATE},
        )

        page.get_by_label("选择课堂实录视频").set_input_files(str(clip))
        # S3 stops once it holds some parts and others are on their way.
        assert eventually(lambda: held_parts(s3), 120), "no part reached S3"
        held = held_parts(s3)
        s3.stop()
        down = time.time()
        assert 0 < percent(page) < 100
        status = page.locator(".yk-uploader__status")
        status.filter(has_text="重试").wait_for(timeout=60_000)  # 网络不稳定，N 秒后重试…
        shot(page, "1-retrying")
        # Down past the quick retries: paused, and saying it carries on by itself.
        waiting = page.locator(".yk-uploader__status.is-error").filter(has_text="自动继续")
        waiting.wait_for(timeout=150_000)
        assert "不会丢失" in waiting.inner_text() or "会保留" in waiting.inner_text(), waiting.inner_text()
        assert percent(page) < 100
        shot(page, "2-waiting")
        code, checks = health(url)
        assert code == 503 and checks["storage"]["status"] == "down", checks["storage"]

        sent.clear()
        in_outage = load.answers(since=down)
        s3.start()  # the same port and folder
        page.wait_for_selector(".yk-uploader__status.is-done, .yk-uploader__status.is-error:not(:has-text('自动继续'))",
                               timeout=240_000)  # fmt: skip
        shot(page, "3-done")
        assert "上传成功" in status.inner_text(), status.inner_text()
        assert percent(page) == 100
        video_id = page.locator("input[name=video_id]").input_value()
        resent = {int(parse_qs(urlsplit(u).query)["partNumber"][0]) for u in sent}
        assert resent and not resent & held, f"parts S3 held before the outage ({held}) were not sent again: {resent}"
    finally:
        load.stop()
        context.close()
    answers = load.answers()
    assert failures(answers) == [], kinds(answers)
    assert {"curriculum", "search"} <= {kind for kind, status in kinds(in_outage) if status == 200}

    stored = s3.client.get_object(Bucket=BUCKET, Key=f"videos/{video_id}/original")["Body"].read()
    assert sha256(stored) == sha256(Path(clip).read_bytes()), "every part there, each once, in order"
    state = shell(env, f"from media_pipeline.models import Video; print(Video.objects.get(pk={video_id!r}).status)")
    assert state in ("queued", "processing", "ready"), state
    assert errors == [], errors
    assert health(url)[0] == 200
