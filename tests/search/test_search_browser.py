"""Searching in a real browser: suggestions while typing, then narrowing the results by facets."""

import pytest

pytestmark = [pytest.mark.service("chromium"), pytest.mark.slow]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_type_pick_a_suggestion_then_filter_by_facets(page, live_server, library, settings):
    from resources.models import Licence
    from tests.resources.helpers import package
    from tests.search.conftest import refresh

    package("小学数学 分数的初步认识", licence=Licence.PUBLIC, parts=False)
    package("分数的简单计算 练习课", licence=Licence.PUBLIC, lesson="分数的简单计算", parts=False)
    package("初中 分数运动的快慢", licence=Licence.PUBLIC, lesson="运动的快慢", school_code="QSCZ", parts=False)
    if settings.WAGTAILSEARCH_BACKENDS["default"].get("URLS"):
        refresh("engine")  # searchable now, not at the engine's next one-second refresh

    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox", name="搜索")
    with page.expect_response(lambda response: "/api/search/autocomplete" in response.url):
        box.press_sequentially("分数", delay=80)
    page.wait_for_function("document.querySelectorAll('#search-suggestions option').length > 0")
    options = page.eval_on_selector_all("#search-suggestions option", "nodes => nodes.map(n => n.value)")
    assert "小学数学 分数的初步认识" in options

    box.fill("分数")
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")
    results = page.locator("ul.results > li")
    assert results.count() == 3
    assert page.locator("ul.results mark").first.inner_text() == "分数"
    assert page.locator("ul.results .badge").first.inner_text() == "一师一优课课例"

    page.locator("summary", has_text="筛选").click()  # on a phone the facets fold behind 筛选
    page.locator("details[data-facet=stage]").get_by_role("link", name="小学").click()
    page.wait_for_url("**stage=*")
    assert "q=%E5%88%86%E6%95%B0" in page.url, "the query is kept"
    assert results.count() == 2
    assert "初中 分数运动的快慢" not in page.locator("ul.results").inner_text()
    assert page.get_by_text("共找到 2 条资源").is_visible()

    page.locator("summary", has_text="筛选").click()
    page.locator("details[data-facet=area]").get_by_role("link", name="城区").click()
    page.wait_for_url("**area=urban*")
    assert "stage=" in page.url, "filters combine"
    assert results.count() == 2

    page.get_by_role("link", name="学段：小学 ×").click()
    page.wait_for_load_state()
    assert "stage=" not in page.url and "area=urban" in page.url
    assert page.get_by_role("combobox", name="搜索").input_value() == "分数"
