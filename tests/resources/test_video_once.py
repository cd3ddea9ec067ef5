"""One uploaded video belongs to one lesson package: the second package is refused, the same one is not."""

import pytest
from django.contrib.auth import get_user_model

from media_pipeline.models import Video, VideoStatus
from resources.models import LessonIndexPage, LessonPackagePage, PackagePart
from tests.resources.helpers import package
from tests.resources.test_package_edit import package_data

pytestmark = pytest.mark.django_db

REFUSAL = "已用于课例"


@pytest.fixture
def teacher(library):
    return get_user_model().objects.get(username="teacher1")


@pytest.fixture
def video(teacher):
    return Video.objects.create(owner=teacher, original_filename="实录.mp4", original="x", status=VideoStatus.READY)


def add(client, parts, slug, title):
    index = LessonIndexPage.objects.get()
    data = package_data(parts, slug=slug, title=title)
    return client.post(f"/admin/pages/add/resources/lessonpackagepage/{index.pk}/", data)


def test_a_second_package_may_not_use_the_same_upload(teacher, video, client):
    client.force_login(teacher)
    assert add(client, [("video", "video", video.pk)], "first", "第一课").status_code == 302

    response = add(client, [("micro_lesson", "video", video.pk)], "second", "第二课")

    html = response.content.decode()
    assert response.status_code == 200
    assert "视频“实录.mp4”已用于课例“第一课”，一个视频只能放在一个课例中；请为本课例另行上传。" in html
    assert not LessonPackagePage.objects.filter(slug="second").exists()


def test_the_same_package_saves_with_its_video_again(teacher, video, client):
    client.force_login(teacher)
    add(client, [("video", "video", video.pk)], "first", "第一课")
    page = LessonPackagePage.objects.get(slug="first")

    response = client.post(
        f"/admin/pages/{page.pk}/edit/", package_data([("video", "video", video.pk)], slug="first", title="第一课")
    )

    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_video_only_in_another_packages_unpublished_draft_counts(teacher, video, client):
    published = package("已发布的课", owner=teacher)  # its live parts have no uploaded video
    published.parts.add(PackagePart(kind="micro_lesson", video=video))
    published.save_revision(user=teacher)  # the video is in the draft only
    assert not PackagePart.objects.filter(video=video).exists()
    client.force_login(teacher)

    response = add(client, [("video", "video", video.pk)], "second", "第二课")

    assert response.status_code == 200 and "已用于课例“已发布的课”" in response.content.decode()
