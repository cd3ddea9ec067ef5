"""The editor's checklist: required parts, and the video measured against the national guidance."""

import pytest

from resources import demo_files
from resources.checklist import checklist
from tests.resources.helpers import document, package

pytestmark = [pytest.mark.django_db, pytest.mark.service("ffmpeg")]


def test_missing_parts_are_listed(library):
    page = package("缺视频", live=False)
    page.parts.filter(kind="video").delete()
    rows = {label: ok for ok, label, _ in checklist(page)}
    assert rows == {"教学设计": True, "课件及资源": True, "课堂实录": False, "评测练习": True}


def test_short_small_video_is_flagged_against_the_guidance(library):
    page = package("小视频", live=False)
    video_part = page.parts.get(kind="video")
    video_part.document = document("phone.mp4", demo_files.mp4(seconds=2, size="320x180"))
    video_part.save()
    _, _, findings = next(row for row in checklist(page) if row[1] == "课堂实录")
    messages = {message.split("（")[0].split(" ")[0]: ok for ok, message in findings}
    assert messages["编码"] is True, findings
    assert messages["分辨率"] is False
    assert messages["时长"] is False


def test_a_non_video_in_the_video_part_reports_the_probe_error(library):
    page = package("假视频", live=False)  # the helper's MP4 is only a header: ffprobe refuses it
    _, _, findings = next(row for row in checklist(page) if row[1] == "课堂实录")
    assert findings[0][0] is False
    assert "不是有效的音视频文件" in findings[0][1]
