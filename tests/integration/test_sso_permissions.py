"""What a Keycloak role opens in the admin, tried by URL: a teacher cannot reach reviewer or admin actions."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from wagtail.models import WorkflowState

from resources.models import LessonPackagePage
from sso import keycloak as kc
from sso.testing import sign_in
from tests.resources.helpers import package

pytestmark = [pytest.mark.service("keycloak"), pytest.mark.django_db]

# What only district administrators may open.
ADMIN_URLS = [
    "/admin/users/",
    "/admin/groups/",
    "/admin/sites/",
    "/admin/workflows/list/",
    "/admin/snippets/resources/school/add/",
    "/admin/settings/resources/reviewrules/",
    "/django-admin/",
]


def signed_in(username):
    kc.jwks_cache.clear()
    client = Client(HTTP_HOST="127.0.0.1")
    assert sign_in(client, username).status_code == 302
    return client


def reachable(client, url):
    """Whether `url` opens for this client, following the admin's own redirects (a setting's edit page)."""
    response = client.get(url, follow=True)
    final = urlsplit(response.redirect_chain[-1][0] if response.redirect_chain else url).path
    return response.status_code == 200 and final.startswith(url) and "/login/" not in final


def in_school_review(title, owner_name):
    """A lesson of teacher2 (青山乡中心小学) or teacher1 (城关第一小学) waiting for its school's review."""
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.get(username=owner_name)
    school = owner.sso_profile.school.code
    page = package(title, owner=owner, school_code=school, live=False)
    page.get_workflow().start(page, owner)
    page = LessonPackagePage.objects.get(pk=page.pk)
    return page, page.current_workflow_state.current_task_state


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_teacher_cannot_open_admin_pages_by_url(library, url):
    teacher = signed_in("teacher1")
    assert teacher.get("/admin/").status_code == 200, "teachers work in the admin"
    assert not reachable(teacher, url)


def test_district_admin_opens_them(library):
    admin = signed_in("district_admin1")
    for url in ADMIN_URLS:
        assert reachable(admin, url), url


def test_teacher_cannot_approve_a_lesson_by_url(library):
    """The school reviewer's approve action, posted by a teacher of the same school, changes nothing."""
    signed_in("teacher2")  # creates teacher2 from Keycloak, with 青山乡中心小学
    teacher = signed_in("teacher1")
    page, task_state = in_school_review("别人的课例", "teacher2")
    url = f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/"
    refused = teacher.post(url, {"comment": ""})
    assert refused.status_code == 403 or refused["Location"] == "/admin/", "refused, back to the dashboard"
    task_state.refresh_from_db()
    assert task_state.status == "in_progress"
    assert teacher.get(f"/admin/pages/{page.pk}/edit/").status_code in (302, 403), "nor edit another teacher's lesson"


def test_school_reviewer_approves_with_the_school_keycloak_gave(library):
    """School review checks the school Keycloak gave: 城关第一小学's reviewer approves its lesson."""
    signed_in("teacher1")
    reviewer = signed_in("school_reviewer1")
    page, task_state = in_school_review("本校课例", "teacher1")
    url = f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/"
    assert reviewer.post(url, {"comment": "好"}).status_code == 302
    state = WorkflowState.objects.get(pk=page.current_workflow_state.pk)
    assert state.current_task_state.task.name == "区级审核"
