"""A teacher publishes a lesson package in the real admin, in Chromium."""

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.utils.module_loading import import_string
from wagtail.models import WorkflowState

from resources.models import LessonPackagePage
from tests.resources.helpers import MP4, document, package

pytestmark = [pytest.mark.service("chromium"), pytest.mark.slow]


def sign_in(browser_page, live_server, username):
    """A real session for `username`, as the login view would create (login itself is tested elsewhere)."""
    user = get_user_model().objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The first backend that can load a user: the lockout backend only refuses logins.
    session[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(path), "get_user")
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    browser_page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
    )
    return user


def submit(browser_page):
    """Press 提交审核 (it sits in the footer's action menu) and wait for the next page."""
    with browser_page.expect_navigation():
        browser_page.evaluate("document.querySelector('button[name=\"action-submit\"]').click()")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_teacher_completes_and_submits_a_package(page, live_server, library):
    teacher = sign_in(page, live_server, "teacher1")
    draft = package("分数的初步认识", owner=teacher, live=False)
    draft.parts.filter(kind="video").delete()
    draft.save_revision(user=teacher)
    document("课堂实录.mp4", MP4, user=teacher)

    page.goto(f"{live_server.url}/admin/pages/{draft.pk}/edit/")
    assert "分数的初步认识" in page.title()
    submit(page)
    assert "提交审核前请补齐必备内容：课堂实录" in page.locator("body").inner_text()

    page.get_by_role("button", name="增加 课例组成部分").click()
    new_part = page.locator("[id^='inline_child_parts-']").last
    new_part.locator("select[name$='-kind']").select_option("video")
    new_part.get_by_role("button", name="选择一个文档").click()
    page.locator("a[data-chooser-modal-choice]", has_text="课堂实录.mp4").click()
    new_part.get_by_text("课堂实录.mp4").wait_for()  # the chooser has filled in the part
    submit(page)

    assert "审核中" in page.locator("body").inner_text()
    state = WorkflowState.objects.get(object_id=str(draft.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert not LessonPackagePage.objects.get(pk=draft.pk).live, "submitted, not published"
