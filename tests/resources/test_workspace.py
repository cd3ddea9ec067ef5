"""我的课例, the reviewers' quota panel and the words after a decision, over HTTP as the admin serves them.

The ORM builds only the setting (a submitted lesson); what is under test is
what each person's pages say. The whole journey in Chromium is tests/journeys/.
"""

import pytest

from tests.clients import signed_in as signed_in_with
from tests.resources.helpers import package
from tests.resources.test_review import submitted, user

pytestmark = pytest.mark.django_db


def signed_in(account):
    return signed_in_with(account, backend="sso.backends.LocalPasswordBackend")


def test_workspace_lists_only_the_teachers_own_lessons_with_their_state(library):
    teacher = user("teacher1", "CGYX")
    package("我的草稿", owner=teacher, live=False, parts=False)
    submitted("我的送审课例", teacher)
    package("别人的课例", owner=user("teacher2", "QSZX"), school_code="QSZX", live=False)
    text = signed_in(teacher).get("/admin/my-lessons/").content.decode()
    assert "我的草稿" in text and "我的送审课例" in text
    assert "别人的课例" not in text
    assert "草稿" in text and "校级审核中" in text
    assert "教学设计、课件及资源、课堂实录、评测练习" in text, "what the draft still lacks"
    assert "新建晒课课例" in text


def test_dashboard_shows_my_lessons_first_for_a_teacher(library):
    teacher = user("teacher1", "CGYX")
    submitted("仪表盘上的课例", teacher)
    text = signed_in(teacher).get("/admin/").content.decode()
    assert text.index("我的课例") < text.index("仪表盘上的课例")


def test_reviewers_see_the_quotas_left_teachers_do_not(library):
    teacher = user("teacher1", "CGYX")
    page = submitted("待评课例", teacher)
    school_view = signed_in(user("school_reviewer1", "CGYX")).get(f"/admin/pages/{page.pk}/edit/")
    assert "推荐名额" in school_view.content.decode(), "the school sees what the district decides within"
    state = page.current_workflow_state.current_task_state
    state.task.specific.on_action(state, user("school_reviewer1", "CGYX"), "approve")
    reviewer_view = signed_in(user("district_reviewer1")).get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "推荐名额" in reviewer_view
    assert "推荐市级优课：剩余" in reviewer_view
    assert "同一课限推荐一节：本课（几分之一）尚无课例被推荐" in reviewer_view
    teacher_view = signed_in(teacher).get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "推荐名额" not in teacher_view
    assert "评优推荐" not in teacher_view, "the reviewers' tab is not shown to the teacher"


def test_a_decision_says_what_happened(library):
    teacher = user("teacher1", "CGYX")
    page = submitted("待审课例", teacher)
    reviewer = signed_in(user("school_reviewer1", "CGYX"))
    task_state = page.current_workflow_state.current_task_state
    url = f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/"
    response = reviewer.post(url, {"comment": "教学设计清楚"}, follow=True)
    assert "已通过校级审核，已提交区级审核。" in response.content.decode()

    district = signed_in(user("district_reviewer1"))
    page.refresh_from_db()
    task_state = page.current_workflow_state.current_task_state
    response = district.post(f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/", {}, follow=True)
    assert "已通过区级审核，课例已发布。" in response.content.decode()


def test_a_rejection_says_the_teacher_may_resubmit(library):
    page = submitted("要修改的课例", user("teacher1", "CGYX"))
    reviewer = signed_in(user("school_reviewer1", "CGYX"))
    task_state = page.current_workflow_state.current_task_state
    url = f"/admin/pages/workflow/action/{page.pk}/reject/{task_state.pk}/"
    response = reviewer.post(url, {"comment": "缺少板书设计"}, follow=True)
    assert "已退回：校级审核未通过" in response.content.decode()
