"""A visitor, on a computer and on a phone: find a lesson by the textbook and by search, play it,
save data, listen only, and take the small download for the classroom.

The library is the demo district `make run` loads (its lessons are the
setting, not the thing under test); nobody signs in.
"""

import pytest

from tests.journeys.conftest import JOURNEY_MARKS

pytestmark = JOURNEY_MARKS

LESSON = "万以内的加法和减法（一）"


def playing_for(page, seconds):
    page.wait_for_function(f"document.querySelector('video').currentTime > {seconds}", timeout=60_000)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_visitor_finds_plays_saves_data_listens_and_downloads(person, phone):
    visitor = person("visitor", phone=phone)
    page = visitor.go("/")
    assert page.get_by_role("heading", name="优课推荐").is_visible()
    visitor.shoot("01-home")

    # By the textbook: 按教材浏览 → 小学数学 → 人教版 三年级上册 → the lesson.
    page.get_by_role("link", name="按教材浏览").first.click()
    page.locator("main").get_by_role("link", name="数学").first.click()
    page.get_by_role("link", name="三年级上册").first.click()  # 人教版 comes first
    assert "人教版" in page.locator("main").inner_text()
    visitor.shoot("02-textbook")
    page.get_by_role("link", name=LESSON).first.click()
    page.get_by_role("heading", name=LESSON).wait_for()

    # By search, in pinyin, as a teacher types on a phone.
    page.get_by_role("combobox", name="搜索").fill("jiafajianfa")
    page.get_by_role("button", name="搜索").click()
    first = page.locator("main").get_by_role("link", name=LESSON).first
    first.wait_for()
    box = first.bounding_box()
    assert box and box["y"] < 740, "the result is on the first screen, before the filters"
    visitor.shoot("03-search")
    first.click()
    page.get_by_role("heading", name=LESSON).wait_for()

    page.get_by_role("button", name="播放").click()
    playing_for(page, 1)
    visitor.shoot("04-playing")

    page.get_by_label("省流量（144p，适合多人共用的慢网）").check()
    page.wait_for_function("document.querySelector('.yk-player').dataset.level === '144p'", timeout=60_000)
    # Each choice says what it costs, so a teacher on a metered line can decide.
    assert "MB/分钟" in page.locator(".yk-quality option[value='audio']").inner_text()
    page.locator(".yk-quality").select_option("audio")
    page.wait_for_function(
        "(() => { const p = document.querySelector('.yk-player').ykPlayer;"
        " return p.mode === 'audio' && !p.video.paused && p.video.currentTime > 2; })()",
        timeout=60_000,
    )
    notice = page.locator(".yk-audio-only")
    assert notice.is_visible() and "仅声音播放中" in notice.inner_text(), "not a frozen picture"
    visitor.shoot("05-audio-only")
    page.locator(".yk-quality").select_option("auto")
    page.wait_for_function("document.querySelector('.yk-player').ykPlayer.mode === 'video'")
    assert not notice.is_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载课堂用小视频").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".mp4")
    path = download.path()
    assert path and path.stat().st_size > 10_000
