"""A lesson's file served to a teacher is a use of the lesson; a refused one is not."""

import pytest
from django.contrib.auth import get_user_model

from supervision.models import UsageEvent
from tests.resources.helpers import package

pytestmark = pytest.mark.django_db


def _part(lesson, kind):
    return lesson.parts.get(kind=kind).document


def test_document_and_video_file_downloads_are_uses(client, library):
    from resources.models import School
    from sso.models import SsoProfile

    lesson = package("认识分数", school_code="CGYX")
    teacher = get_user_model().objects.get(username="teacher2")
    # With Keycloak configured the school comes from the sign-in; here, as the demo has it.
    school = School.objects.exclude(code="CGYX").first()
    SsoProfile.objects.update_or_create(user=teacher, defaults={"sub": "test-teacher2", "school": school})
    client.force_login(teacher)
    # 200 when Wagtail serves the file itself, 302 to a signed URL on S3: a use either way.
    assert client.get(_part(lesson, "teaching_design").url).status_code in (200, 302)
    assert client.get(_part(lesson, "video").url).status_code in (200, 302)
    kinds = sorted(UsageEvent.objects.values_list("kind", flat=True))
    assert kinds == ["document", "video_download"]


def test_a_draft_file_refused_to_a_teacher_is_no_use(client, library):
    draft = package("草稿课例", school_code="CGYX", live=False)
    client.force_login(get_user_model().objects.get(username="teacher2"))
    assert client.get(_part(draft, "teaching_design").url).status_code in (403, 404)
    assert not UsageEvent.objects.exists()
