"""In Chromium, under the production Content-Security-Policy: the public
lesson page, the video player's script and the admin page editor load with
no CSP violation (item 10)."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from resources.models import Licence
from tests.resources.helpers import package
from youke.security import content_security_policy

pytestmark = [pytest.mark.service("chromium"), pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def csp_server(settings, transactional_db):
    """The site with the production policy, started after the settings change (live_server starts once per run)."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.db import connections
    from django.test.testcases import LiveServerThread

    settings.CONTENT_SECURITY_POLICY = content_security_policy("https://s3.example.cn:9000")
    settings.WAGTAIL_GRAVATAR_PROVIDER_URL = None  # as in production: no third-party avatars
    settings.MIDDLEWARE = [
        settings.MIDDLEWARE[0], "youke.security.ContentSecurityPolicyMiddleware", *settings.MIDDLEWARE[1:]
    ]  # fmt: skip
    shared = {conn.alias: conn for conn in connections.all() if conn.vendor == "sqlite" and conn.is_in_memory_db()}
    for conn in shared.values():
        conn.inc_thread_sharing()
    thread = LiveServerThread("127.0.0.1", StaticFilesHandler, shared or None)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    for conn in shared.values():
        conn.dec_thread_sharing()


def watch_violations(page):
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    return violations


def sign_in(page, url, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": url}])


def test_pages_load_under_the_production_policy(page, csp_server, library, django_user_model):
    teacher = django_user_model.objects.get(username="teacher1")
    # Public: an anonymous visit to a signed-in-only lesson would be sent to Keycloak's login (its own CSP).
    lesson = package("认识钟表", owner=teacher, teacher=teacher, licence=Licence.PUBLIC)
    violations = watch_violations(page)

    response = page.goto(csp_server + lesson.url)
    assert response.status == 200
    assert "media-src 'self' blob: https://s3.example.cn:9000" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    # What the player does on play: a MediaSource behind a blob: URL (media-src must allow blob:).
    opened = page.evaluate(
        """() => new Promise(resolve => {
        const source = new MediaSource(); const video = document.createElement('video');
        source.addEventListener('sourceopen', () => resolve(true)); setTimeout(() => resolve(false), 5000);
        video.src = URL.createObjectURL(source); document.body.appendChild(video); })"""
    )
    assert opened

    admin = django_user_model.objects.filter(is_superuser=True).first()
    sign_in(page, csp_server, admin)
    response = page.goto(f"{csp_server}/admin/pages/{lesson.pk}/edit/")
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    assert page.locator("form#page-edit-form").count() == 1
    assert violations == [], "\n".join(violations)
