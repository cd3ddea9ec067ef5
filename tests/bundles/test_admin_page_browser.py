"""In Chromium, as a district admin does it: sign in on Keycloak's page, 离线资源包 from the admin menu,
choose 小学 · 数学 · 360p, see the size, build it (a real worker on the transcode queue), download it.

The library is the demo site with its small curriculum and lessons made in the ORM
(a published public lesson, and beside it in the same selection a draft, a lesson
taken down again, one in school review and one for signed-in users only); the
bundle itself is made only through the page. The downloaded zip must hold a
manifest, signed by the district's key, that names the published public lesson
alone. A teacher and a school reviewer who type the page's address are refused
and find no such menu entry.
"""

import hashlib
import json
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from sso.testing import DEMO_PASSWORD
from tests.media_pipeline.conftest import start_worker  # noqa: F401 - a fixture

from .conftest import lesson, stored_outputs, sync
from .test_published_only import outputs, unpublished_lessons, video_bytes

pytestmark = [
    pytest.mark.service("chromium"),
    pytest.mark.service("keycloak"),
    pytest.mark.service("redis"),
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "journeys" / "district_admin"
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 300
POSTER = b"\xff\xd8poster"
BUILD_WAIT_S = 180  # a worker starting on a busy 2-core machine, then a small bundle


@pytest.fixture
def bundle_library(sso_demo_site, library, signing_key, settings, tmp_path, monkeypatch, start_worker):  # noqa: F811
    """The lessons, the bundle folder and key as the site and its worker both see them, and the worker."""
    settings.BUNDLE_OUTPUT_DIR = tmp_path / "bundles"
    monkeypatch.setenv("YOUKE_BUNDLE_OUTPUT_DIR", str(settings.BUNDLE_OUTPUT_DIR))
    monkeypatch.setenv("YOUKE_BUNDLE_SIGNING_KEY", str(settings.BUNDLE_SIGNING_KEY))
    published = lesson("几分之一（公开课）", stored_outputs({"download.mp4": MP4, "poster.jpg": POSTER}))
    hidden = unpublished_lessons()
    lesson("几分之一（仅限登录）", outputs("signed_in"), licence="signed_in")
    start_worker()
    return published, hidden


def site_url(live_server):
    return live_server.url.replace("localhost", "127.0.0.1")  # the realm sends people back to loopback only


def sign_in(browser, site, username):
    """A browser of one's own: /admin/, Keycloak's own login page, back in the admin."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1400}, accept_downloads=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(site + "/admin/")
    page.wait_for_selector("#kc-login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#kc-login")
    page.wait_for_url(site + "/admin/**")
    return page


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def menu_entry(page):
    return page.get_by_role("navigation").get_by_role("link", name="离线资源包")


def test_a_district_admin_chooses_sees_the_size_builds_and_downloads_a_bundle(
    bundle_library, browser, live_server, tmp_path, signing_key
):
    published, hidden = bundle_library
    site = site_url(live_server)
    page = sign_in(browser, site, "district_admin1")
    try:
        menu_entry(page).click()
        page.wait_for_url(site + "/admin/offline-bundles/")
        assert "还没有生成过资源包" in page.locator("main").inner_text()

        page.get_by_label("学段").select_option("小学")
        page.get_by_label("学科").select_option("数学")
        page.get_by_label("清晰度").select_option("360p")
        page.get_by_label("共享范围").select_option(label="公开（任何人可看）")
        page.get_by_role("button", name="估算大小").click()
        estimate = page.get_by_role("region", name="估算结果").inner_text()
        size = filesizeformat(len(MP4) + len(POSTER))
        assert f"预计 1 课（其中 0 课没有视频），约 {size}" in estimate, estimate
        assert not list(settings.BUNDLE_OUTPUT_DIR.glob("*")), "nothing is built before 生成资源包"
        shoot(page, "offline-bundles-estimate")

        page.get_by_role("button", name="生成资源包").click()
        assert "已开始生成资源包" in page.locator(".messages").inner_text()
        download_link = page.get_by_role("link", name="下载压缩包")
        deadline = time.monotonic() + BUILD_WAIT_S
        while download_link.count() == 0 and time.monotonic() < deadline:
            time.sleep(2)
            page.reload()
        assert download_link.count() == 1, "the worker built the bundle and the page lists it"
        assert page.get_by_label("学科").input_value() == "数学", "the choice is kept after 生成资源包"
        row = page.locator("table.listing tbody tr").inner_text()
        assert "小学 · 数学 · 全部版本 · 全部年级 · 360p · 公开" in row and size in row, row
        shoot(page, "offline-bundles-built")

        with page.expect_download() as downloading:
            download_link.click()
        archive = tmp_path / "bundle.zip"
        downloading.value.save_as(archive)
    finally:
        page.context.close()

    with zipfile.ZipFile(archive) as bundle:
        top = bundle.namelist()[0].split("/", 1)[0]
        body = bundle.read(f"{top}/manifest.json")
        signature = bundle.read(f"{top}/manifest.json.sig")
        manifest = json.loads(body)
        for item in [file for entry in manifest["lessons"] for file in entry["files"]] + manifest["app"]:
            assert hashlib.sha256(bundle.read(f"{top}/{item['path']}")).hexdigest() == item["sha256"]
    from youke_sync import manifest as manifests

    manifests.verify(body, signature, manifests.load_public_key(signing_key))
    with zipfile.ZipFile(archive) as bundle:  # unzipped onto a USB disk, then synced by the school box
        bundle.extractall(tmp_path / "usb")
    sync(tmp_path / "usb" / top, tmp_path / "box", signing_key)
    assert (tmp_path / "box" / "current" / "manifest.json").read_bytes() == body
    assert [entry["id"] for entry in manifest["lessons"]] == [published.pk], "the published public lesson alone"
    assert manifest["lessons"][0]["title"] == "几分之一（公开课）"
    shipped = {file["sha256"] for entry in manifest["lessons"] for file in entry["files"]}
    assert hashlib.sha256(MP4).hexdigest() in shipped
    left_out = {hashlib.sha256(video_bytes(state)).hexdigest() for state in [*hidden, "signed_in"]}
    assert not shipped & left_out, "no file of the draft, taken-down, in-review or signed-in-only lesson"


@pytest.mark.parametrize("username", ["teacher1", "school_reviewer1"])
def test_a_teacher_or_school_reviewer_is_refused_the_page_and_does_not_see_it(
    username, bundle_library, browser, live_server
):
    from bundles import builder
    from bundles.selection import Selection

    chosen = Selection(subject="数学")
    built = builder.build(chosen, settings.BUNDLE_OUTPUT_DIR / chosen.bundle_id(), warn=lambda text: None)
    site = site_url(live_server)
    page = sign_in(browser, site, username)
    try:
        page.get_by_role("navigation").get_by_role("link").first.wait_for()  # the sidebar has been drawn
        assert menu_entry(page).count() == 0, "not in their menu"
        for path in (
            "/admin/offline-bundles/?subject=数学&rendition=360p&licence=public",
            f"/admin/offline-bundles/{built['bundle_id']}/manifest.json",
        ):
            response = page.goto(site + path)
            refused = response.status == 403 or not page.url.startswith(site + "/admin/offline-bundles/")
            assert refused, f"{username} was shown {page.url}"
            text = page.locator("body").inner_text()
            assert not [word for word in ("预计", "估算大小", "已生成的资源包", built["bundle_id"]) if word in text]
        shoot(page, f"offline-bundles-refused-{username}")
        download = page.request.get(f"{site}/admin/offline-bundles/{built['bundle_id']}.zip", max_redirects=0)
        assert download.status in (302, 403) and not download.body().startswith(b"PK"), "no zip either"
    finally:
        page.context.close()
