"""In 视频转码, a district administrator follows an upload to the lesson that uses it, in Chromium."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from media_pipeline.models import Video, VideoStatus
from resources.models import PackagePart
from tests.integration.test_publishing_flow import sign_in
from tests.resources.helpers import package

pytestmark = [pytest.mark.service("chromium"), pytest.mark.slow]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "journeys" / "district_admin"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_transcoding_list_links_each_upload_to_its_lesson(page, live_server, library):
    teacher = get_user_model().objects.get(username="teacher1")
    lesson = package("分数的初步认识", owner=teacher)
    video = Video.objects.create(
        owner=teacher, original_filename="失败的实录.mp4", original="x", status=VideoStatus.FAILED, error="没有画面"
    )
    PackagePart.objects.create(package=lesson, kind="micro_lesson", video=video)
    Video.objects.create(owner=teacher, original_filename="未使用.mp4", original="y")
    sign_in(page, live_server, "district_admin1")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(f"{live_server.url}/admin/videos/")
    row = page.locator("tr", has_text="失败的实录.mp4")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "transcoding-list-lesson-links.png", full_page=True)
    assert page.locator("th", has_text="所属课例").count() == 1
    assert page.locator("tr", has_text="未使用.mp4").get_by_role("link", name="分数的初步认识", exact=True).count() == 0
    # The video made from the lesson's 课堂实录 document links there too.
    made = page.locator("tr", has_text="lesson").filter(has_text="排队转码")
    assert made.get_by_role("link", name="分数的初步认识", exact=True).count() == 1
    row.get_by_role("link", name="分数的初步认识", exact=True).click()

    page.wait_for_url(f"**/admin/pages/{lesson.pk}/edit/")
    assert page.locator("#id_title").input_value() == "分数的初步认识"
