"""Who sees and changes other teachers' unpublished work: reviewers by school, the admin's lists, deletion."""

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from media_pipeline.models import Video, VideoStatus
from resources import api, checklist
from resources.models import LessonIndexPage, LessonPackagePage, School
from sso.models import SsoProfile
from tests.resources.helpers import PDF, document, package

pytestmark = pytest.mark.django_db


def at_school(name, code):
    account = get_user_model().objects.get(username=name)
    SsoProfile.objects.update_or_create(
        user=account, defaults={"sub": f"test-{name}", "school": School.objects.get(code=code)}
    )
    return get_user_model().objects.get(pk=account.pk)  # drop cached relations


@pytest.fixture
def people(library):
    return {
        "author": at_school("teacher1", "CGYX"),
        "colleague_reviewer": at_school("school_reviewer1", "CGYX"),
        "other_teacher": at_school("teacher2", "QSZX"),
        "district": get_user_model().objects.get(username="district_reviewer1"),
    }


def draft_by(owner, title="未发布课例"):
    page = package(title, owner=owner, live=False)
    doc = page.parts.first().document
    doc.uploaded_by_user = owner
    doc.save()
    return page, doc


def test_reviewers_open_draft_files_of_their_own_school_only(people, client):
    page, doc = draft_by(people["author"])
    assert api.can_download(doc, people["colleague_reviewer"])
    assert api.can_download(doc, people["district"])
    assert not api.can_download(doc, people["other_teacher"])

    other_reviewer = at_school("school_reviewer1", "QSZX")
    assert not api.can_download(doc, other_reviewer)
    client.force_login(other_reviewer)
    assert client.get(doc.url).status_code == 403


def test_reviewers_watch_draft_videos_of_their_own_school_only(people):
    video = Video.objects.create(owner=people["author"], original_filename="实录.mp4", original="x")
    assert api.can_watch_video(people["colleague_reviewer"], video)
    assert api.can_watch_video(people["district"], video)
    assert not api.can_watch_video(at_school("school_reviewer1", "HXZX"), video)
    assert not api.can_watch_video(people["other_teacher"], video)


def test_document_chooser_lists_only_the_teachers_own_files(people, client):
    document("王老师的教案.pdf", PDF, user=people["author"])
    document("李老师的教案.pdf", PDF + b"2", user=people["other_teacher"])
    client.force_login(people["author"])
    html = client.get("/admin/documents/chooser/").json()["html"]
    assert "王老师的教案" in html and "李老师的教案" not in html
    client.force_login(people["district"])
    html = client.get("/admin/documents/chooser/").json()["html"]
    assert "王老师的教案" in html and "李老师的教案" in html


VIEWERS_WHO_SEE_THE_DRAFT = (
    ("other_teacher", False), ("author", True), ("colleague_reviewer", True), ("district", True),
)  # fmt: skip


def test_admin_explorer_hides_other_teachers_drafts(people, client):
    draft_by(people["author"], "王老师的草稿课例")
    index = LessonIndexPage.objects.get()
    for viewer, sees in VIEWERS_WHO_SEE_THE_DRAFT:
        client.force_login(people[viewer])
        explorer = client.get(f"/admin/pages/{index.pk}/").content.decode()
        assert ("王老师的草稿课例" in explorer) is sees, viewer


@pytest.mark.service("search")  # the database backend does not segment 草稿课例; the engine does
def test_admin_search_hides_other_teachers_drafts(people, client):
    draft_by(people["author"], "王老师的草稿课例")
    # The engine makes new documents searchable about once a second; the admin search asks it at once.
    from modelsearch.backends import get_search_backend

    get_search_backend().refresh_indexes()
    for viewer, sees in VIEWERS_WHO_SEE_THE_DRAFT:
        client.force_login(people[viewer])
        search = client.get("/admin/pages/search/", {"q": "草稿课例"}).content.decode()
        assert ("王老师的草稿课例" in search) is sees, viewer


def test_school_comes_from_the_teachers_profile_and_the_author_is_recorded(people):
    from tests.resources.test_package_form import form_for

    teacher = at_school("teacher2", "QSZX")
    form = form_for([], submit=False, user=teacher, school=School.objects.get(code="CGYX").pk)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["school"].code == "QSZX", "a teacher cannot send work to another school's reviewers"
    assert form.instance.teacher == teacher


def test_someone_elses_file_cannot_be_put_in_a_package(people):
    from tests.resources.test_package_form import all_errors, form_for

    theirs = document("别人的教案.pdf", PDF, user=people["other_teacher"])
    form = form_for([("teaching_design", theirs)], submit=False, user=people["author"])
    assert not form.is_valid()
    assert "只能使用自己上传的文件" in all_errors(form)


def test_lessons_are_kept_when_admins_try_to_delete_them(people, client):
    published = package("已发布课例", owner=people["author"])
    admin = get_user_model().objects.create_user("district_admin2", is_staff=True)
    from sso.roles import ensure_role_groups

    admin.groups.add(ensure_role_groups()["district_admin"])
    client.force_login(admin)
    client.post(f"/admin/pages/{published.pk}/delete/")
    assert LessonPackagePage.objects.filter(pk=published.pk).exists()
    index = LessonIndexPage.objects.get()
    client.post(f"/admin/pages/{index.pk}/delete/")
    assert LessonIndexPage.objects.filter(pk=index.pk).exists(), "deleting the library would take every lesson"

    own_draft = package("刚建的草稿", owner=people["author"], live=False, lesson="几分之几")
    client.force_login(people["author"])
    client.post(f"/admin/pages/{own_draft.pk}/delete/")
    assert not LessonPackagePage.objects.filter(pk=own_draft.pk).exists(), "an author may discard a fresh draft"


def test_district_reviewers_cannot_bulk_publish_around_review(people, client):
    page, _doc = draft_by(people["author"], "未经审核")
    client.force_login(people["district"])
    url = f"/admin/bulk/wagtailcore/page/publish/?id={page.pk}"
    client.post(url, {"include_descendants": "false"})
    assert not LessonPackagePage.objects.get(pk=page.pk).live


def test_checklist_judges_an_uploaded_video(people):
    page, _doc = draft_by(people["author"], "上传实录")
    video = Video.objects.create(
        owner=people["author"],
        original_filename="实录.mp4",
        original="x",
        status=VideoStatus.READY,
        probe={"width": 1280, "height": 720, "video_codec": "h264", "audio_codec": "aac", "duration": 2400,
               "size": 2400 * 100_000},
    )  # fmt: skip
    part = page.parts.get(kind="video")
    part.document, part.video = None, video
    part.save()
    rows = {label: (ok, findings) for ok, label, findings in checklist.checklist(page)}
    ok, findings = rows["课堂实录"]
    assert ok and all(good for good, _message in findings), findings
    assert any("40.0 分钟" in message for _good, message in findings)

    video.probe = {**video.probe, "width": 640, "height": 360}
    video.save()
    findings = {label: f for _ok, label, f in checklist.checklist(page)}["课堂实录"]
    assert any(not good and "640×360" in message for good, message in findings)


def test_demo_accounts_teach_at_a_school_on_the_embedded_default(library):
    from resources import demo

    with override_settings(KEYCLOAK=None):
        demo.load()
    reviewer = get_user_model().objects.get(username="school_reviewer1")
    assert reviewer.sso_profile.school.code == "CGYX"
    assert get_user_model().objects.get(username="teacher2").sso_profile.school.code == "QSZX"
