"""The district administrator: the transcoding list, what people searched for, and the review rules.

A visitor's search with no result first (what the insights are made of),
then district_admin1 through the admin's own menu: 视频转码 lists the
district's videos with their state, 检索分析 shows the zero-result search,
and 设置 → 评优推荐规则 changes the city share, which the form keeps.
"""

from tests.journeys.conftest import JOURNEY_MARKS

pytestmark = JOURNEY_MARKS

NOTHING = "量子纠缠实验课"  # no lesson in the demo district


def menu(page, *names):
    for name in names:
        page.get_by_role("navigation").get_by_role("link", name=name).or_(
            page.get_by_role("navigation").get_by_role("button", name=name)
        ).first.click()
    page.wait_for_load_state()


def test_district_admin_sees_transcoding_search_gaps_and_sets_the_review_rules(person):
    visitor = person("visitor")
    page = visitor.go("/")
    page.get_by_role("combobox", name="搜索").fill(NOTHING)
    page.get_by_role("button", name="搜索").click()
    page.wait_for_load_state()

    admin = person("district-admin")
    page = admin.go("/")
    admin.sign_in("district_admin1")
    page.get_by_role("link", name="工作台").click()

    menu(page, "视频转码")
    listing = page.locator("main").inner_text()
    assert "可以播放" in listing, listing[:500]
    admin.shoot("01-transcoding")

    menu(page, "检索分析")
    assert NOTHING in page.locator("main").inner_text(), "the zero-result search, as a content gap"
    admin.shoot("02-search-insights")

    menu(page, "设置", "评优推荐规则")
    share = page.get_by_role("spinbutton", name="推荐市级优课：每学段最多比例（%）")
    share.fill("25")
    page.get_by_role("button", name="保存").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("spinbutton", name="推荐市级优课：每学段最多比例（%）").input_value() == "25"
    admin.shoot("03-review-rules")
