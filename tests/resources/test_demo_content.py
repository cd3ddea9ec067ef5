"""The demo library the run command loads: many subjects, both stages, every review state."""

import pytest
from wagtail.models import WorkflowState

from resources import demo
from resources.models import LessonPackagePage, ResourcePage
from tests.conftest import CURRICULUM_FIXTURE

pytestmark = [pytest.mark.django_db, pytest.mark.service("ffmpeg")]


def test_demo_library_covers_stages_subjects_and_review_states(demo_site):
    summary = demo.load_library(CURRICULUM_FIXTURE)
    pages = list(LessonPackagePage.objects.filter(external_id__startswith="demo-")) + list(
        ResourcePage.objects.filter(external_id__startswith="demo-")
    )
    assert summary["demo_items"] == len(pages) == 11  # the small fixture has 11 lessons
    assert {page.stage.name for page in pages} == {"小学", "初中"}
    assert len({page.subject_id for page in pages}) >= 2
    assert any(not page.live for page in pages) and any(page.live for page in pages)
    statuses = set(WorkflowState.objects.values_list("status", flat=True))
    assert {WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES} <= statuses
    assert ResourcePage.objects.filter(external_id__startswith="demo-").exists()

    again = demo.load_library(CURRICULUM_FIXTURE)
    assert again["demo_items"] == summary["demo_items"], "loading twice does not duplicate"


def test_demo_package_is_complete_with_a_real_video(demo_site):
    demo.load_library(CURRICULUM_FIXTURE)
    package = LessonPackagePage.objects.filter(external_id__startswith="demo-").first()
    assert package.missing_required_parts() == []
    video = package.parts.get(kind="video").document
    with video.open_file() as handle:
        assert handle.read(12)[4:8] == b"ftyp"
