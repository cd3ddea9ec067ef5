"""School → district review on Wagtail workflows, with school-scoped reviewers."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import WorkflowState

from resources.models import LessonPackagePage, School, SchoolReviewTask
from resources.provision import WORKFLOW_NAME
from tests.resources.helpers import package

pytestmark = pytest.mark.django_db


def user(name, school_code=None):
    account = get_user_model().objects.get(username=name)
    if school_code:
        from sso.models import SsoProfile

        SsoProfile.objects.update_or_create(
            user=account, defaults={"sub": f"test-{name}", "school": School.objects.get(code=school_code)}
        )
        account = get_user_model().objects.get(pk=account.pk)  # drop cached relations
    return account


def submitted(title, owner, school_code="CGYX", lesson="几分之一"):
    page = package(title, owner=owner, school_code=school_code, lesson=lesson, live=False)
    workflow = page.get_workflow()
    assert workflow.name == WORKFLOW_NAME
    workflow.start(page, owner)
    return LessonPackagePage.objects.get(pk=page.pk)


def test_review_goes_school_then_district_then_publishes(library):
    teacher = user("teacher1", "CGYX")
    reviewer = user("school_reviewer1", "CGYX")
    page = submitted("待审课例", teacher)
    state = page.current_workflow_state
    assert state.current_task_state.task.specific.__class__ is SchoolReviewTask
    assert not page.live

    state.current_task_state.task.specific.on_action(state.current_task_state, reviewer, "approve")
    state.refresh_from_db()
    assert state.current_task_state.task.name == "区级审核"
    assert not LessonPackagePage.objects.get(pk=page.pk).live, "school approval alone does not publish"

    district = user("district_reviewer1")
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, district, "approve")
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert LessonPackagePage.objects.get(pk=page.pk).live


def test_school_reviewer_cannot_review_another_schools_lesson(library):
    teacher = user("teacher2", "QSZX")
    reviewer = user("school_reviewer1", "CGYX")
    page = submitted("别校课例", teacher, school_code="QSZX")
    task = page.current_workflow_state.current_task_state.task.specific
    assert task.get_actions(page, reviewer) == []
    assert task.locked_for_user(page, reviewer)
    assert not task.get_task_states_user_can_moderate(reviewer).exists()

    own = submitted("本校课例", user("teacher1", "CGYX"), lesson="几分之几")
    own_task = own.current_workflow_state.current_task_state.task.specific
    assert [name for name, *_ in own_task.get_actions(own, reviewer)] == ["reject", "approve", "approve"]
    assert list(own_task.get_task_states_user_can_moderate(reviewer)) == [own.current_workflow_state.current_task_state]


def test_request_changes_returns_the_lesson_to_its_teacher_unpublished(library):
    teacher = user("teacher1", "CGYX")
    reviewer = user("school_reviewer1", "CGYX")
    page = submitted("需修改", teacher)
    task_state = page.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, reviewer, "reject", comment="请补充板书设计")
    state = WorkflowState.objects.get(pk=page.current_workflow_state.pk)
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert LessonPackagePage.objects.filter(pk=page.pk).exists(), "a lesson is never deleted by review"
    assert page.permissions_for_user(teacher).can_edit()


def test_teacher_cannot_moderate(library):
    teacher = user("teacher1", "CGYX")
    page = submitted("自己审自己", teacher)
    task = page.current_workflow_state.current_task_state.task.specific
    assert task.get_actions(page, teacher) == []
