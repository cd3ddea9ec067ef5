"""A 课堂实录 uploaded through the media pipeline is attached to a package part by its id."""

import pytest
from django.contrib.auth import get_user_model

from media_pipeline.models import Video, VideoStatus
from tests.resources.helpers import PDF, PPTX, document
from tests.resources.test_package_form import all_errors, form_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher(library):
    return get_user_model().objects.get(username="teacher1")


def uploaded_video(owner, status=VideoStatus.QUEUED, error=""):
    return Video.objects.create(owner=owner, original_filename="课堂实录.mp4", original="x", status=status, error=error)


def complete_with(video_field, teacher):
    parts = [
        ("teaching_design", document("design.pdf", PDF)),
        ("courseware", document("slides.pptx", PPTX)),
        ("exercise", document("exercise.pdf", PDF + b"x")),
    ]
    extra = {"parts-3-kind": "video", "parts-3-video": video_field, "parts-3-ORDER": "3", "parts-TOTAL_FORMS": "4"}
    return form_for(parts, submit=True, user=teacher, **extra)


def test_an_uploaded_video_counts_as_the_video_part(teacher):
    form = complete_with(str(uploaded_video(teacher).pk), teacher)
    assert form.is_valid(), form.errors


def test_someone_elses_video_is_refused(teacher):
    other = get_user_model().objects.get(username="teacher2")
    form = complete_with(str(uploaded_video(other).pk), teacher)
    assert not form.is_valid() and "只能使用自己上传的视频" in all_errors(form)


def test_a_failed_video_is_refused_with_its_reason(teacher):
    video = uploaded_video(teacher, VideoStatus.FAILED, "文件中没有视频画面（只有声音）")
    form = complete_with(str(video.pk), teacher)
    assert not form.is_valid() and "只有声音" in all_errors(form)


def test_the_edit_page_offers_the_resumable_uploader(teacher, client):
    from resources.models import LessonIndexPage

    client.force_login(teacher)
    index = LessonIndexPage.objects.get()
    html = client.get(f"/admin/pages/add/resources/lessonpackagepage/{index.pk}/").content.decode()
    assert "data-youke-uploader" in html and "media_pipeline/js/uploader.js" in html
