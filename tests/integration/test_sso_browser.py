"""One real sign-in and sign-out: Chromium, Keycloak's own login page, the Wagtail admin."""

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from sso import keycloak as kc
from sso.models import SsoSession
from sso.testing import DEMO_PASSWORD, RealmChanges
from tests.integration.test_browser import CHROMIUM_ARGS

pytestmark = [pytest.mark.service("keycloak"), pytest.mark.service("chromium"), pytest.mark.slow]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sign_in_through_keycloak_and_sign_out_everywhere(live_server):
    kc.jwks_cache.clear()
    # The realm sends people back to the loopback address only, never to "localhost".
    site = live_server.url.replace("localhost", "127.0.0.1")
    # In a thread of its own: the other browser tests keep a Playwright (an
    # event loop) open in this one for the whole session, and Playwright's
    # sync API refuses to start inside a running loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_sign_in_and_out, site).result(timeout=300)


def _sign_in_and_out(site):
    from playwright.sync_api import sync_playwright

    realm = RealmChanges()
    teacher_id = realm.user_id("teacher1")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), headless=True, args=CHROMIUM_ARGS
        )
        try:
            _scenario(
                browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}).new_page(),
                site,
                realm,
                teacher_id,
            )
        finally:
            browser.close()
            # Queries made while Playwright runs use a connection of their own
            # (Django keeps connections per context); left open, the test
            # database could not be dropped at the end of the run.
            connections.close_all()


def _scenario(page, site, realm, teacher_id):
    page.goto(site + "/admin/")
    page.wait_for_url(kc.issuer() + "/protocol/openid-connect/auth?**")
    assert "统一身份认证" in page.title(), "Keycloak's own page, in Chinese"
    page.fill("#username", "teacher1")
    page.fill("#password", DEMO_PASSWORD)
    page.click("#kc-login")

    page.wait_for_url(site + "/admin/")
    assert page.title().startswith("控制面板"), "the admin dashboard"
    session = SsoSession.objects.get(sub=teacher_id)
    assert session.sid in {s["id"] for s in realm.admin.get_sessions(teacher_id)}

    page.get_by_role("button", name="王芳").click()  # the account menu at the foot of the sidebar
    page.get_by_role("button", name="注销").click()
    page.wait_for_url(site + "/sso/logged-out/")
    assert "您已退出优课和统一身份认证" in page.locator("main").inner_text()

    assert not SsoSession.objects.filter(sub=teacher_id).exists(), "the site session ended"
    assert session.sid not in {s["id"] for s in realm.admin.get_sessions(teacher_id)}, "and Keycloak's"
    page.goto(site + "/admin/")
    page.wait_for_url(kc.issuer() + "/protocol/openid-connect/auth?**")
    assert page.locator("#password").is_visible(), "signing in again needs the password: no session anywhere"
