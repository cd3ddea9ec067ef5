"""The admin sidebar greets a teacher by their whole name (王芳), not the given name alone (芳), in Chromium."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.integration.test_publishing_flow import sign_in

pytestmark = [pytest.mark.service("chromium"), pytest.mark.slow]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "journeys" / "teacher"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sidebar_account_shows_the_full_chinese_name(page, live_server, library):
    teacher = sign_in(page, live_server, "teacher1")
    assert (teacher.last_name, teacher.first_name) == ("王", "芳")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(f"{live_server.url}/admin/")
    account = page.locator("[data-wagtail-sidebar] .sidebar-footer, .sidebar-footer").first
    account.wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "admin-sidebar-full-name.png")

    assert "王芳" in account.inner_text()
