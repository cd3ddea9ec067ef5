"""Who sees what: trainers only their own courses' cohorts, teachers only their own progress, drafts nobody."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.clients import signed_in
from training import enrolment
from training.models import AssignmentLessonPage, AssignmentSubmission, CoursePage, VideoLessonPage

from .helpers import course, lesson, user

pytestmark = [pytest.mark.service("postgres"), pytest.mark.django_db]
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def two_courses(demo_site):
    mine, theirs = user("tr_mine", role="trainer"), user("tr_theirs", role="trainer")
    return course("我的课程", trainers=[mine]), course("别人的课程", trainers=[theirs]), mine, theirs


def test_a_trainer_sees_only_the_cohorts_of_their_own_courses(two_courses):
    own, other, mine, _theirs = two_courses
    client = signed_in(mine)
    home = client.get("/training/dashboard/").content.decode()
    assert "我的课程" in home and "别人的课程" not in home
    assert client.get(f"/training/dashboard/{own.pk}/").status_code == 200
    for path in ("", "export.csv", "export.xlsx", "submissions/"):
        assert client.get(f"/training/dashboard/{other.pk}/{path}").status_code == 404, path
    assert client.post(f"/training/dashboard/{other.pk}/cohort/", {"school": "CGYX"}).status_code == 404


def test_a_trainer_cannot_edit_publish_or_delete_another_trainers_course(two_courses):
    own, other, mine, _theirs = two_courses
    client = signed_in(mine)
    assert client.get(f"/admin/pages/{own.pk}/edit/").status_code == 200
    module = other.get_children().first()
    # Wagtail's admin turns the refusal into a redirect to the dashboard with a message.
    refused = (302, 403)
    for page in (other, module):
        assert client.get(f"/admin/pages/{page.pk}/edit/").status_code in refused
        assert (
            client.post(f"/admin/pages/{page.pk}/edit/", {"title": "改掉", "action-publish": "1"}).status_code
            in refused
        )
        assert client.post(f"/admin/pages/{page.pk}/delete/").status_code in refused
    assert client.get(f"/admin/pages/add/training/modulepage/{other.pk}/").status_code in refused
    other.refresh_from_db()
    assert other.title == "别人的课程" and other.live and other.get_children().exists()


def test_bulk_actions_cannot_reach_another_trainers_course(two_courses):
    _own, other, mine, _theirs = two_courses
    client = signed_in(mine)
    for action in ("delete", "unpublish"):
        response = client.post(f"/admin/bulk/wagtailcore/page/{action}/?id={other.pk}", {"include_descendants": "on"})
        assert response.status_code in (302, 403), action
    other.refresh_from_db()
    assert other.live and other.get_children().exists()


def test_district_administrators_see_every_course(two_courses):
    own, other, _mine, _theirs = two_courses
    client = signed_in(user("admin_district", role="district_admin"))
    assert client.get(f"/training/dashboard/{own.pk}/").status_code == 200
    assert client.get(f"/training/dashboard/{other.pk}/").status_code == 200


def test_teachers_have_no_dashboard_and_anonymous_visitors_are_sent_to_login(two_courses):
    own, _other, _mine, _theirs = two_courses
    teacher = signed_in(user("t_perm"))
    assert teacher.get("/training/dashboard/").status_code == 403
    assert teacher.get(f"/training/dashboard/{own.pk}/").status_code == 403
    for path in ("/training/", "/training/my/", "/training/dashboard/", own.url):
        response = Client().get(path)
        assert response.status_code == 302 and "/login" in response["Location"], path


def test_a_teacher_sees_only_their_own_learning(demo_site):
    page = course(kinds=("assignment",))
    alice, bob = user("t_alice", name=("赵", "丽")), user("t_bob", name=("钱", "伟"))
    for teacher in (alice, bob):
        enrolment.enrol(teacher, page)
    assignment = lesson(page, AssignmentLessonPage)
    signed_in(alice).post(
        f"/training/lessons/{assignment.pk}/assignment/", {"file": SimpleUploadedFile("教案.pdf", PDF)}
    )
    submission = AssignmentSubmission.objects.get(user=alice)
    bob_client = signed_in(bob)
    assert bob_client.get(f"/training/submissions/{submission.pk}/file/").status_code == 404
    assert "教案.pdf" not in bob_client.get(assignment.url).content.decode()
    assert signed_in(alice).get(f"/training/submissions/{submission.pk}/file/").status_code == 200
    assert bob_client.post(f"/training/submissions/{submission.pk}/review/", {"action": "approve"}).status_code == 403


def test_drafts_never_leak(demo_site):
    draft = course("未发布的课程", live=False)
    teacher = signed_in(user("t_leak"))
    assert "未发布的课程" not in teacher.get("/training/").content.decode()
    assert draft.get_url().startswith("/training/")
    assert teacher.get(draft.get_url()).status_code == 404
    video_lesson = lesson(draft, VideoLessonPage)
    assert video_lesson.live, "a live lesson inside a draft course"
    assert teacher.get(video_lesson.get_url()).status_code == 404
    assert teacher.post(f"/training/courses/{draft.pk}/enrol/").status_code == 404


def test_lessons_need_an_enrolment(demo_site):
    page = course(kinds=("video",))
    video_lesson = lesson(page, VideoLessonPage)
    client = signed_in(user("t_outside"))
    response = client.get(video_lesson.url)
    assert response.status_code == 302 and response["Location"] == page.url


def test_unpublishing_a_course_closes_its_lessons_to_enrolled_teachers(demo_site):
    page = course(kinds=("video",))
    teacher = user("t_unpub")
    enrolment.enrol(teacher, page)
    video_lesson = lesson(page, VideoLessonPage)
    client = signed_in(teacher)
    assert client.get(video_lesson.url).status_code == 200
    CoursePage.objects.get(pk=page.pk).unpublish()
    assert client.get(video_lesson.url).status_code == 404


def test_trainers_preview_draft_lessons_in_the_admin(demo_site):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    trainer = user("tr_preview", role="trainer")
    draft = course("预览中的课程", trainers=[trainer], live=False)
    request = RequestFactory().get("/admin/pages/preview/")
    request.user, request.session = trainer, {}
    request._messages = FallbackStorage(request)
    response = lesson(draft, VideoLessonPage).serve_preview(request, "")
    assert response.status_code == 200
    assert "您以讲师身份预览" in response.rendered_content


def test_a_lesson_may_show_only_the_trainers_own_video(two_courses):
    from media_pipeline.models import Video

    own, _other, mine, theirs = two_courses
    module = own.get_children().first()
    form_class = VideoLessonPage.get_edit_handler().get_form_class()
    foreign = Video.objects.create(owner=theirs, original_filename="别人的.mp4", original="x")
    data = {"title": "第1课", "slug": "lesson-own-video", "video": str(foreign.pk)}
    form = form_class(data, instance=VideoLessonPage(), parent_page=module, for_user=mine)
    assert not form.is_valid() and "只能使用自己上传的视频" in str(form.errors)
    data["video"] = str(Video.objects.create(owner=mine, original_filename="我的.mp4", original="y").pk)
    form = form_class(data, instance=VideoLessonPage(), parent_page=module, for_user=mine)
    assert form.is_valid(), form.errors


def test_unpublishing_a_module_closes_its_lessons(demo_site):
    page = course("模块下线", kinds=("video",))
    video_lesson = page.get_children().first().get_children().first().specific
    teacher = user("t_module")
    enrolment.enrol(teacher, page)
    client = signed_in(teacher)
    assert client.get(video_lesson.url).status_code == 200
    module = video_lesson.get_parent()
    module.unpublish()  # the lesson itself stays live in Wagtail
    assert client.get(video_lesson.url).status_code == 404
    answer = client.post(
        "/training/api/heartbeat",
        {"lesson": video_lesson.pk, "session": "session-module", "seq": 0, "position": 0},
    )
    assert answer.status_code == 404


def test_published_courses_are_a_kind_of_search_result(demo_site):
    from types import SimpleNamespace

    from django.contrib.auth.models import AnonymousUser

    from search import registry
    from training.search import find_courses

    assert registry.get("course").find is find_courses and registry.get("course").label == "培训课程"
    course("信息技术与课堂融合：希沃白板入门")
    course("尚未发布的培训：剪映微课制作").unpublish()
    teacher = user("t_search_courses")

    def asked(words):
        return SimpleNamespace(q=" ".join(words), groups=[[word] for word in words], topic=" ".join(words))

    total, found = find_courses(asked(["希沃白板"]), teacher, 0, 10)
    assert total == 1 and found[0]["title"] == "信息技术与课堂融合：希沃白板入门" and "<mark>" in found[0]["highlight"]
    assert find_courses(asked(["剪映"]), teacher, 0, 10) == (0, []), "drafts are never found"
    assert find_courses(asked(["希沃白板"]), AnonymousUser(), 0, 10) == (0, [])
