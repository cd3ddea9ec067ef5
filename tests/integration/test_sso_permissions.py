"""What a Keycloak role opens, tried by URL: a teacher cannot reach reviewer, trainer or admin actions."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import WorkflowState

from resources.models import LessonPackagePage
from tests.clients import signed_in_through_keycloak
from tests.resources.helpers import PDF, package
from tests.training.helpers import course, lesson
from training import enrolment
from training.models import AssignmentLessonPage, AssignmentSubmission, Enrollment, TrainingIndexPage

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


def reachable(client, url):
    """Whether `url` opens for this client, following the admin's own redirects (a setting's edit page)."""
    response = client.get(url, follow=True)
    final = urlsplit(response.redirect_chain[-1][0] if response.redirect_chain else url).path
    return response.status_code == 200 and final.startswith(url) and "/login/" not in final


def in_school_review(title, owner_name):
    """A lesson of `owner_name` waiting for the review of the school Keycloak gave them."""
    owner = user(owner_name)
    school = owner.sso_profile.school.code
    page = package(title, owner=owner, school_code=school, live=False)
    page.get_workflow().start(page, owner)
    page = LessonPackagePage.objects.get(pk=page.pk)
    return page, page.current_workflow_state.current_task_state


def action_url(page, task_state, action="approve"):
    return f"/admin/pages/workflow/action/{page.pk}/{action}/{task_state.pk}/"


def refused(response):
    """A workflow action someone may not take: 403, a redirect to the dashboard, or 404 where the
    lesson is another teacher's draft the user may not even know of (resources.admin_privacy)."""
    return response.status_code in (403, 404) or (response.status_code == 302 and response["Location"] == "/admin/")


def user(username):
    return get_user_model().objects.get(username=username)


def school_of(username):
    return user(username).sso_profile.school.code


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_teacher_cannot_open_admin_pages_by_url(library, url):
    teacher = signed_in_through_keycloak("teacher1")
    assert teacher.get("/admin/").status_code == 200, "teachers work in the admin"
    assert not reachable(teacher, url)


def test_district_admin_opens_them(library):
    admin = signed_in_through_keycloak("district_admin1")
    for url in ADMIN_URLS:
        assert reachable(admin, url), url


def test_teacher_cannot_approve_a_lesson_of_their_own_school_by_url(library):
    """The school reviewer's approve action, posted by a teacher of the same school, changes nothing.

    The lesson is by school_reviewer1, who also teaches at 城关第一小学: a
    colleague's lesson, in the very school teacher1 belongs to.
    """
    signed_in_through_keycloak("school_reviewer1")  # creates the colleague's account from Keycloak
    teacher = signed_in_through_keycloak("teacher1")
    assert school_of("teacher1") == school_of("school_reviewer1") == "CGYX"
    page, task_state = in_school_review("同校同事的课例", "school_reviewer1")
    for action in ("approve", "reject"):
        assert refused(teacher.post(action_url(page, task_state, action), {"comment": ""})), action
    task_state.refresh_from_db()
    assert task_state.status == "in_progress"
    assert teacher.get(f"/admin/pages/{page.pk}/edit/").status_code in (302, 403, 404), "nor edit a colleague's lesson"


def test_teacher_cannot_approve_a_lesson_of_another_school_by_url(library):
    signed_in_through_keycloak("teacher2")  # creates teacher2 from Keycloak, with 青山乡中心小学
    teacher = signed_in_through_keycloak("teacher1")
    page, task_state = in_school_review("别校的课例", "teacher2")
    assert refused(teacher.post(action_url(page, task_state), {"comment": ""}))
    task_state.refresh_from_db()
    assert task_state.status == "in_progress"


def test_school_reviewer_approves_with_the_school_keycloak_gave(library):
    """School review checks the school Keycloak gave: 城关第一小学's reviewer approves its lesson."""
    signed_in_through_keycloak("teacher1")
    reviewer = signed_in_through_keycloak("school_reviewer1")
    page, task_state = in_school_review("本校课例", "teacher1")
    assert reviewer.post(action_url(page, task_state), {"comment": "好"}).status_code == 302
    state = WorkflowState.objects.get(pk=page.current_workflow_state.pk)
    assert state.current_task_state.task.name == "区级审核"


def test_teacher_cannot_take_the_district_reviewers_actions_by_url(library):
    """At district review, not even the lesson's own author can approve, reject or publish it."""
    teacher = signed_in_through_keycloak("teacher1")
    reviewer = signed_in_through_keycloak("school_reviewer1")
    page, task_state = in_school_review("送区级审核的课例", "teacher1")
    assert reviewer.post(action_url(page, task_state), {"comment": "好"}).status_code == 302
    district_task = WorkflowState.objects.get(pk=page.current_workflow_state.pk).current_task_state
    assert district_task.task.name == "区级审核"

    for action in ("approve", "reject"):
        assert refused(teacher.post(action_url(page, district_task, action), {"comment": ""})), action
    teacher.post(f"/admin/pages/{page.pk}/edit/", {"title": page.title, "action-publish": "1"})
    teacher.post("/admin/bulk/wagtailcore/page/publish/", {"id": [page.pk]})
    district_task.refresh_from_db()
    assert district_task.status == "in_progress"
    assert not LessonPackagePage.objects.get(pk=page.pk).live

    # The control: the district reviewer's approval, on the same URL, publishes it.
    district = signed_in_through_keycloak("district_reviewer1")
    assert district.post(action_url(page, district_task), {"comment": "通过"}).status_code == 302
    assert LessonPackagePage.objects.get(pk=page.pk).live


@pytest.fixture
def trainers_course(library):
    """A published course whose trainer is trainer1 (as Keycloak made them), with an assignment lesson."""
    signed_in_through_keycloak("trainer1")
    return course("信息技术应用能力提升", trainers=[user("trainer1")], kinds=("assignment",))


def test_teacher_cannot_take_the_trainers_actions_by_url(trainers_course):
    page = trainers_course
    learner = signed_in_through_keycloak("teacher2")
    enrolment.enrol(user("teacher2"), page)
    assignment = lesson(page, AssignmentLessonPage)
    learner.post(f"/training/lessons/{assignment.pk}/assignment/", {"file": SimpleUploadedFile("教案.pdf", PDF)})
    submission = AssignmentSubmission.objects.get(user__username="teacher2")
    enrolled = Enrollment.objects.count()

    teacher = signed_in_through_keycloak("teacher1")
    for path in ("", f"{page.pk}/", f"{page.pk}/export.csv", f"{page.pk}/export.xlsx", f"{page.pk}/submissions/"):
        assert teacher.get(f"/training/dashboard/{path}").status_code == 403, path
    assert teacher.post(f"/training/dashboard/{page.pk}/cohort/", {"school": "CGYX"}).status_code == 403
    assert teacher.post(f"/training/submissions/{submission.pk}/review/", {"action": "approve"}).status_code == 403
    index = TrainingIndexPage.objects.get()
    assert not reachable(teacher, f"/admin/pages/add/training/coursepage/{index.pk}/")
    edit = teacher.post(f"/admin/pages/{page.pk}/edit/", {"title": "改掉", "action-publish": "1"})
    assert edit.status_code in (302, 403)

    assert Enrollment.objects.count() == enrolled, "nobody enrolled"
    submission.refresh_from_db()
    assert submission.status == AssignmentSubmission.Status.SUBMITTED, "not reviewed"
    page.refresh_from_db()
    assert page.title == "信息技术应用能力提升"

    # The control: trainer1 reaches the same pages.
    trainer = signed_in_through_keycloak("trainer1")
    assert trainer.get("/training/dashboard/").status_code == 200
    assert trainer.get(f"/training/dashboard/{page.pk}/").status_code == 200
    assert trainer.get(f"/training/dashboard/{page.pk}/submissions/").status_code == 200
