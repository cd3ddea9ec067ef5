"""What is reviewed is what is published, on every entry point (HTML views, bulk actions, admin API).

Each case was reproduced by hand against the running site before the fix:
reviewers and teachers call the same URLs here that they called there.
"""

import json

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Page, WorkflowState

from resources.models import DistrictReviewTask, LessonIndexPage, LessonPackagePage, SchoolReviewTask
from resources.publishing import ReviewInProgress
from tests.resources.helpers import package
from tests.resources.test_review import user

pytestmark = pytest.mark.django_db

API = "/admin/api/main/pages"


def draft_with_revisions(owner, *descriptions, parts=True):
    """A draft saved once per description, as a teacher saving in the editor: revisions in order."""
    page = package("审核完整性课例", owner=owner, live=False, parts=parts)
    revisions = []
    for text in descriptions:
        page = LessonPackagePage.objects.get(pk=page.pk).get_latest_revision_as_object()
        page.description = text
        revisions.append(page.save_revision(user=owner))
    return LessonPackagePage.objects.get(pk=page.pk), revisions


def submit(page, owner):
    page.get_workflow().start(page, owner)
    return WorkflowState.objects.get(object_id=str(page.pk), status=WorkflowState.STATUS_IN_PROGRESS)


def approve(client, reviewer, page, state, comment="同意"):
    """The reviewer's 通过 button: Wagtail's workflow action view."""
    state.refresh_from_db()
    client.force_login(reviewer)
    url = f"/admin/pages/workflow/action/{page.pk}/approve/{state.current_task_state_id}/"
    return client.post(url, {"comment": comment})


def api_action(client, who, page, action, **data):
    client.force_login(who)
    return client.post(f"{API}/{page.pk}/action/{action}/", json.dumps(data), content_type="application/json")


@pytest.fixture
def people(library):
    return {
        "teacher": user("teacher1", "CGYX"),
        "school": user("school_reviewer1", "CGYX"),
        "district": user("district_reviewer1"),
        "admin": get_user_model().objects.get(username="district_admin1"),
    }


def test_a_revert_after_school_approval_is_refused_and_the_approved_revision_goes_live(people, client):
    teacher = people["teacher"]
    page, (bad, good) = draft_with_revisions(teacher, "错误的版本", "审核通过的版本")
    state = submit(page, teacher)
    assert approve(client, people["school"], page, state).status_code in (200, 302)

    response = api_action(client, teacher, page, "revert_to_page_revision", revision_id=bad.pk)
    assert response.status_code == 403, response.content
    # The school reviewer, who may open the editor, cannot revert either.
    response = api_action(client, people["school"], page, "revert_to_page_revision", revision_id=bad.pk)
    assert response.status_code == 403, response.content
    assert LessonPackagePage.objects.get(pk=page.pk).get_latest_revision().pk == good.pk

    approve(client, people["district"], page, state)
    live = LessonPackagePage.objects.get(pk=page.pk)
    assert live.live and live.description == "审核通过的版本"
    assert live.live_revision_id == good.pk


def test_no_new_revision_of_a_page_in_review_whoever_saves_it(people):
    teacher = people["teacher"]
    page, _revisions = draft_with_revisions(teacher, "提交的版本")
    submit(page, teacher)
    changed = LessonPackagePage.objects.get(pk=page.pk).get_latest_revision_as_object()
    changed.description = "审核期间偷偷修改"
    for who in (teacher, people["school"], people["district"], people["admin"], None):
        with pytest.raises(ReviewInProgress):
            changed.save_revision(user=who)


def test_the_district_reviewer_awards_during_review_and_the_award_is_published(people, client):
    teacher = people["teacher"]
    page, (submitted,) = draft_with_revisions(teacher, "提交的版本")
    state = submit(page, teacher)
    approve(client, people["school"], page, state)

    awarded = LessonPackagePage.objects.get(pk=page.pk).get_latest_revision_as_object()
    awarded.award_level = "district"
    awarded.save_revision(user=people["district"])
    # The award is the only change a reviewer may make.
    awarded.description = "区级审核员改了内容"
    with pytest.raises(ReviewInProgress):
        awarded.save_revision(user=people["district"])

    approve(client, people["district"], page, state)
    live = LessonPackagePage.objects.get(pk=page.pk)
    assert live.live and live.award_level == "district" and live.description == "提交的版本"


def test_a_district_reviewer_cannot_publish_a_draft_through_the_admin_api(people, client):
    page, _ = draft_with_revisions(people["teacher"], "从未提交", parts=False)
    response = api_action(client, people["district"], page, "publish")
    assert response.status_code in (400, 403), response.content
    assert not LessonPackagePage.objects.get(pk=page.pk).live


def test_a_district_reviewer_cannot_bulk_publish_a_draft(people, client):
    page, _ = draft_with_revisions(people["teacher"], "从未提交")
    client.force_login(people["district"])
    url = f"/admin/bulk/wagtailcore/page/publish/?id={page.pk}"
    client.post(url, {"include_descendants": ""})
    assert not LessonPackagePage.objects.get(pk=page.pk).live


def test_not_even_a_district_admin_publishes_an_incomplete_package(people, client):
    incomplete, _ = draft_with_revisions(people["teacher"], "缺少必备内容", parts=False)
    assert api_action(client, people["admin"], incomplete, "publish").status_code in (400, 403)
    assert not LessonPackagePage.objects.get(pk=incomplete.pk).live

    complete, _ = draft_with_revisions(people["teacher"], "内容齐全")
    assert api_action(client, people["admin"], complete, "publish").status_code == 200
    assert LessonPackagePage.objects.get(pk=complete.pk).live


def test_a_teacher_cannot_delete_a_lesson_in_review_or_one_sent_back(people, client):
    teacher = people["teacher"]
    page, _ = draft_with_revisions(teacher, "提交的版本")
    state = submit(page, teacher)
    assert api_action(client, teacher, page, "delete").status_code in (400, 403)
    client.post(f"/admin/bulk/wagtailcore/page/delete/?id={page.pk}")
    client.post(f"/admin/pages/{page.pk}/delete/")
    assert Page.objects.filter(pk=page.pk).exists()

    # Sent back (not selected): it still stays in the teacher's record.
    state.refresh_from_db()
    task = state.current_task_state.task.specific
    task.on_action(state.current_task_state, people["school"], "reject")
    assert api_action(client, teacher, page, "delete").status_code in (400, 403)
    assert Page.objects.filter(pk=page.pk).exists()

    never_sent, _ = draft_with_revisions(teacher, "从未提交的草稿")
    assert api_action(client, teacher, never_sent, "delete").status_code == 204
    assert not Page.objects.filter(pk=never_sent.pk).exists()


def test_a_page_in_review_cannot_be_moved_and_a_copy_cannot_go_live_around_review(people, client):
    teacher = people["teacher"]
    page, _ = draft_with_revisions(teacher, "提交的版本")
    submit(page, teacher)
    home = Page.objects.get(pk=LessonIndexPage.objects.get().get_parent().pk)
    assert api_action(client, people["admin"], page, "move", destination_page_id=home.pk).status_code in (400, 403)

    published = package("已发布课例", owner=teacher)
    index = LessonIndexPage.objects.get()
    response = api_action(
        client, people["district"], published, "copy", destination_page_id=index.pk, keep_live=True, slug="copy-live"
    )
    assert response.status_code in (400, 403), response.content
    assert not LessonPackagePage.objects.filter(slug="copy-live").exists()


def test_a_reviewer_cannot_approve_their_own_lesson_at_either_level(people, client):
    own = people["school"]  # a school reviewer who also teaches
    page, _ = draft_with_revisions(own, "本人的课例")
    state = submit(page, own)
    task = state.current_task_state.task.specific
    assert isinstance(task, SchoolReviewTask)
    assert task.get_actions(page, own) == []
    assert list(task.get_task_states_user_can_moderate(own)) == []
    approve(client, own, page, state)
    state.refresh_from_db()
    assert state.current_task_state.task.specific.__class__ is SchoolReviewTask, "own approval was refused"


def test_a_district_reviewer_named_as_guiding_teacher_cannot_approve(people, client):
    teacher = people["teacher"]
    page, _ = draft_with_revisions(teacher, "有指导教师的课例")
    page = page.get_latest_revision_as_object()
    page.guiding_teachers = "刘洋，张三"  # district_reviewer1 is 刘洋
    page.save_revision(user=teacher)
    page = LessonPackagePage.objects.get(pk=page.pk)
    state = submit(page, teacher)
    approve(client, people["school"], page, state)
    state.refresh_from_db()
    task = state.current_task_state.task.specific
    assert isinstance(task, DistrictReviewTask)
    assert task.get_actions(page, people["district"]) == []
    approve(client, people["district"], page, state)
    assert not LessonPackagePage.objects.get(pk=page.pk).live


def test_an_award_on_a_lesson_with_an_uploaded_video_is_not_taken_for_a_change(people, client):
    """The editor's instance holds the uploaded video's UUID, the revision its text: the same content."""
    from media_pipeline.models import Video, VideoStatus
    from resources.models import PackagePart

    teacher = people["teacher"]
    page, _revisions = draft_with_revisions(teacher, "有在线视频的版本")
    video = Video.objects.create(owner=teacher, original_filename="课堂实录.mp4", status=VideoStatus.READY)
    draft = LessonPackagePage.objects.get(pk=page.pk)
    draft.parts.filter(kind="video").delete()
    draft.parts.add(PackagePart(kind="video", video=video))
    draft.save()
    draft.save_revision(user=teacher)
    state = submit(draft, teacher)
    approve(client, people["school"], draft, state)

    in_editor = LessonPackagePage.objects.get(pk=page.pk)  # what the edit form saves into, parts from the database
    in_editor.award_level = "district"
    in_editor.save_revision(user=people["district"])  # refused before: UUID != its text
    approve(client, people["district"], draft, state)
    live = LessonPackagePage.objects.get(pk=page.pk)
    assert live.live and live.award_level == "district"
