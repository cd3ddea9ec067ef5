"""Saving a package again through the real add and edit views (the 500 a teacher hit)."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from media_pipeline.models import Video, VideoStatus
from resources.models import KnowledgeNode, LessonIndexPage, LessonPackagePage, School
from tests.resources.helpers import PDF, PPTX, document

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher(library):
    return get_user_model().objects.get(username="teacher1")


def package_data(parts, **extra):
    data = nested_form_data({
        "title": "分数的初步认识",
        "slug": "fenshu-edit",
        "licence": "signed_in",
        "knowledge_node": KnowledgeNode.objects.get(title="几分之一").pk,
        "school": School.objects.get(code="CGYX").pk,
        "parts": inline_formset([{"kind": kind, field: str(value)} for kind, field, value in parts]),
        "comments": inline_formset([]),
    })  # fmt: skip
    data.update(extra)
    return data


def own(teacher, name, content):
    doc = document(name, content)
    doc.uploaded_by_user = teacher
    doc.save(update_fields=["uploaded_by_user"])
    return doc


def test_a_package_with_an_uploaded_video_and_documents_saves_twice(teacher, client):
    video = Video.objects.create(owner=teacher, original_filename="实录.mp4", original="x", status=VideoStatus.READY)
    parts = [
        ("teaching_design", "document", own(teacher, "design.pdf", PDF).pk),
        ("courseware", "document", own(teacher, "slides.pptx", PPTX).pk),
        ("video", "video", video.pk),
    ]
    client.force_login(teacher)
    index = LessonIndexPage.objects.get()
    response = client.post(f"/admin/pages/add/resources/lessonpackagepage/{index.pk}/", package_data(parts))
    assert response.status_code == 302, response.content.decode()[:2000]
    page = LessonPackagePage.objects.get(slug="fenshu-edit")

    response = client.post(f"/admin/pages/{page.pk}/edit/", package_data(parts, description="第二次保存"))
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = LessonPackagePage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert latest.description == "第二次保存"
    assert video.pk in {part.video_id for part in latest.parts.all() if part.kind == "video"}


def test_a_newly_chosen_file_of_another_teacher_is_not_taken_for_an_attached_one(teacher, client):
    other = get_user_model().objects.get(username="teacher2")
    mine = own(teacher, "design.pdf", PDF)
    theirs = own(other, "theirs.pdf", PDF + b"theirs")
    client.force_login(teacher)
    index = LessonIndexPage.objects.get()
    client.post(
        f"/admin/pages/add/resources/lessonpackagepage/{index.pk}/",
        package_data([("teaching_design", "document", mine.pk)]),
    )
    page = LessonPackagePage.objects.get(slug="fenshu-edit")
    response = client.post(
        f"/admin/pages/{page.pk}/edit/",
        package_data([("teaching_design", "document", mine.pk), ("exercise", "document", theirs.pk)]),
    )
    assert response.status_code == 200 and "只能使用自己上传的文件" in response.content.decode()
