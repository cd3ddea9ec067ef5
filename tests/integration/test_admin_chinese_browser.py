"""The Wagtail admin speaks Chinese to each role, in Chromium.

Wagtail's zh_Hans catalogue leaves some of the dashboard, explorer, editor and
workflow text in English; locale/zh_Hans fills it in, resources.provision renames
what Wagtail's migrations create in English, and sso.names writes names family
name first. Each role's screens are photographed into var/screenshots/journeys/admin/.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from resources.demo import _place_at_school
from resources.models import LessonIndexPage, LessonPackagePage
from tests.integration.test_publishing_flow import sign_in
from tests.resources.helpers import package

pytestmark = [pytest.mark.service("chromium"), pytest.mark.slow]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "journeys" / "admin"
TITLE = "分数的初步认识"

# English seen in the admin before these fixes (and Wagtail's external guides).
ENGLISH = [
    " Page", "Pages", "Documents", "Images", "created in",
    "Search all pages", "editor guide", "Editor Guide", "What's new", "new items in this menu",
    "Your pages and snippets in a workflow", "Privacy and access",
    "could not be created", "could not be saved", "validation errors",
    "Moderators", "Editors", "approval", "Exploring", "Root", "root level",
    "awaiting", "workflow", "Only reviewers", " of ", "Go to the first error",
]  # fmt: skip


def english_on(browser_page):
    """The known English strings visible on the page, in its text or its input placeholders."""
    text = browser_page.locator("body").inner_text()
    placeholders = browser_page.eval_on_selector_all("[placeholder]", "els => els.map(el => el.placeholder)")
    shown = "\n".join([text, *placeholders])
    return [word for word in ENGLISH if word in shown]


def visit(browser_page, live_server, path, shot):
    browser_page.goto(live_server.url + path)
    return look(browser_page, shot)


def look(browser_page, shot):
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser_page.screenshot(path=SHOTS / f"{shot}.png", full_page=True)
    assert not english_on(browser_page), f"English on {shot}: {english_on(browser_page)}"
    return browser_page.locator("body").inner_text()


def as_user(browser_page, live_server, username):
    browser_page.context.clear_cookies()
    return sign_in(browser_page, live_server, username)


def create_lesson(browser_page, live_server, index, title):
    """Open 新建 一师一优课课例, type the title, press 保存草稿; return the text shown after saving."""
    browser_page.goto(f"{live_server.url}/admin/pages/add/resources/lessonpackagepage/{index.pk}/")
    browser_page.locator("input[name=title]").fill(title)
    with browser_page.expect_navigation():
        browser_page.get_by_role("button", name="保存草稿").click()
    return browser_page.locator("body").inner_text()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_admin_is_chinese_for_teacher_reviewer_and_district_admin(page, live_server, library):
    page.set_viewport_size({"width": 1400, "height": 1000})  # the dashboard's account panel shows on wide screens
    index = LessonIndexPage.objects.get()
    teacher = get_user_model().objects.get(username="teacher1")
    # The reviewer's school, as the directory would say (with Keycloak configured the demo has none).
    _place_at_school(get_user_model().objects.get(username="school_reviewer1"), "CGYX")
    submitted = package(TITLE, owner=teacher, live=False)
    index.get_workflow().start(submitted, teacher)

    as_user(page, live_server, "teacher1")
    dashboard = visit(page, live_server, "/admin/", "teacher-dashboard")
    assert "王芳" in dashboard and "芳 王" not in dashboard
    # 我的课例 (resources.workspace) replaces Wagtail's "pages in a workflow" list for teachers.
    assert "个页面" in dashboard and "我的课例" in dashboard and "校级审核中" in dashboard
    visit(page, live_server, f"/admin/pages/{index.pk}/", "teacher-explorer")
    page.get_by_role("button", name="帮助").click()
    look(page, "teacher-help-menu")

    # A save that fails says so in Chinese; then the same title as the lesson under review saves.
    page.goto(f"{live_server.url}/admin/pages/add/resources/lessonpackagepage/{index.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="保存草稿").click()
    assert "页面未能创建" in look(page, "teacher-editor-error")
    page.locator("input[name=title]").fill(TITLE)
    with page.expect_navigation():
        page.get_by_role("button", name="保存草稿").click()
    look(page, "teacher-editor-saved")
    assert LessonPackagePage.objects.filter(title=TITLE, owner=teacher).count() == 2

    as_user(page, live_server, "school_reviewer1")
    dashboard = visit(page, live_server, "/admin/", "reviewer-dashboard")
    assert TITLE in dashboard and "王芳" in dashboard  # the submitter, in the 等待你的审查 panel
    visit(page, live_server, f"/admin/pages/{submitted.pk}/edit/", "reviewer-editor")

    as_user(page, live_server, "teacher1")
    editor = visit(page, live_server, f"/admin/pages/{submitted.pk}/edit/", "teacher-editor-in-review")
    assert "等待" in editor

    as_user(page, live_server, "district_admin1")
    visit(page, live_server, "/admin/", "admin-dashboard")
    visit(page, live_server, "/admin/pages/", "admin-explorer-root")
    workflows = visit(page, live_server, "/admin/workflows/list/", "admin-workflows")
    assert "优课评审（校级 → 区级）" in workflows
    visit(page, live_server, "/admin/workflows/tasks/index/", "admin-workflow-tasks")
    groups = visit(page, live_server, "/admin/groups/", "admin-groups")
    assert "教师" in groups and "区级审核员" in groups
    users = visit(page, live_server, "/admin/users/", "admin-users")
    assert "王芳" in users and "李强" in users and "芳 王" not in users


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_teachers_save_lessons_with_the_same_title(page, live_server, library):
    """Wagtail makes the slug from the title; the second 「分数的初步认识」 gets a free one, not an error."""
    index = LessonIndexPage.objects.get()
    for username in ("teacher1", "teacher2", "teacher2"):  # teacher2's second try too
        as_user(page, live_server, username)
        shown = create_lesson(page, live_server, index, TITLE)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / f"same-title-{username}.png", full_page=True)
        assert "未能创建" not in shown, shown
    lessons = LessonPackagePage.objects.filter(title=TITLE)
    assert sorted(lessons.values_list("owner__username", flat=True)) == ["teacher1", "teacher2", "teacher2"]
    assert len(set(lessons.values_list("slug", flat=True))) == 3
