"""An anonymous visitor's first minutes, in Chromium on a desktop and on a phone.

The home page shows 优课, the newest lessons and training courses and leads
on by 学段/学科 and by textbook; search on a phone puts the results on the
first screen with the facets folded behind 筛选; /favicon.ico is an image.
Screenshots go to var/screenshots/journeys/visitor/.
"""

from pathlib import Path

import pytest

pytestmark = [pytest.mark.service("chromium"), pytest.mark.slow]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "journeys" / "visitor"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


def _shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def visitor_library(library, settings):
    """Two public lessons (one awarded), one for signed-in teachers only, and a published course."""
    from resources.models import Licence
    from tests.resources.helpers import package
    from tests.search.conftest import refresh
    from tests.training.helpers import course

    engine = bool(settings.WAGTAILSEARCH_BACKENDS["default"].get("URLS"))
    if engine:
        _empty_engine()

    package("几分之一 区级优课示范", licence=Licence.PUBLIC, award_level="district", parts=False)
    package("分数的简单计算 新授课", licence=Licence.PUBLIC, lesson="分数的简单计算", parts=False)
    package("运动的快慢 校内交流", licence=Licence.SIGNED_IN, lesson="运动的快慢", school_code="QSCZ", parts=False)
    course("信息技术支持的课堂导入", kinds=())
    if engine:
        refresh("engine")


@pytest.mark.parametrize("device", VIEWPORTS)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_home_shows_lessons_courses_and_leads_by_stage_and_subject(page, live_server, visitor_library, device):
    page.set_viewport_size(VIEWPORTS[device])
    page.goto(live_server.url + "/")
    featured = page.locator("section.featured")
    assert featured.get_by_role("link", name="几分之一 区级优课示范").is_visible()
    assert featured.get_by_text("区级优课", exact=True).is_visible()
    assert "分数的简单计算 新授课" not in featured.inner_text(), "only awarded lessons are featured"
    newest = page.locator("section.newest")
    assert newest.locator(".card-title").first.inner_text() == "分数的简单计算 新授课", "newest first"
    assert page.locator("section.courses").get_by_role("link", name="信息技术支持的课堂导入").is_visible()
    body = page.locator("main").inner_text()
    assert "运动的快慢 校内交流" not in body, "a signed-in-only lesson stays hidden"
    hint = page.get_by_role("link", name="登录后可查看更多资源")
    assert hint.is_visible() and "/admin/login/" in hint.get_attribute("href")
    _shoot(page, f"home-{device}")
    _no_overflow(page)

    page.locator("section.browse").get_by_role("link", name="数学 2").click()
    page.wait_for_url("**/search/?*stage=*")
    titles = page.locator("ul.results > li > a").all_inner_texts()
    assert sorted(titles) == ["几分之一 区级优课示范", "分数的简单计算 新授课"]
    _shoot(page, f"stage-subject-{device}")


@pytest.mark.parametrize("device", VIEWPORTS)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_curriculum_browse_from_home_and_library_reaches_a_lesson(page, live_server, visitor_library, device):
    page.set_viewport_size(VIEWPORTS[device])
    page.goto(live_server.url + "/")
    page.locator("section.hero").get_by_role("link", name="按教材浏览").click()
    page.wait_for_url("**/curriculum/")
    page.locator("section.stage", has_text="小学").get_by_role("link", name="数学").click()
    page.get_by_role("link", name="三年级上册").first.click()
    page.get_by_role("link", name="几分之一 区级优课示范").click()
    assert page.get_by_role("heading", name="几分之一 区级优课示范").is_visible()

    page.goto(live_server.url + "/")
    page.locator("section.hero").get_by_role("link", name="全部资源").click()
    page.wait_for_url("**/lessons/")
    listing = page.locator("section.library-list")
    assert listing.locator(".card-title").all_inner_texts() == ["分数的简单计算 新授课", "几分之一 区级优课示范"]
    assert listing.get_by_role("link", name="登录后可查看更多资源").is_visible()
    _shoot(page, f"lessons-{device}")
    _no_overflow(page)
    page.locator("aside.library-browse").get_by_role("link", name="数学").first.click()
    page.wait_for_url("**/curriculum/primary/math/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_phone_search_shows_results_first_and_folds_the_facets(page, live_server, visitor_library):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/search/?q=分数")
    results = page.locator("ul.results > li")
    assert results.count() == 1, "the signed-in-only lesson is not among them"
    first = results.first
    assert first.bounding_box()["y"] < PHONE["height"], "the first result is on the first screen"
    stage_facet = page.locator("details[data-facet=stage]")
    assert not stage_facet.is_visible(), "facets are folded"
    _shoot(page, "search-phone")
    _no_overflow(page)

    page.locator("summary", has_text="筛选").click()
    assert stage_facet.get_by_role("link", name="小学").is_visible()
    _shoot(page, "search-phone-filters-open")
    stage_facet.get_by_role("link", name="小学").click()
    page.wait_for_url("**stage=*")
    assert page.get_by_role("link", name="学段：小学 ×").is_visible()
    assert results.all_inner_texts()[0].startswith("一师一优课课例")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_desktop_search_keeps_the_facets_beside_the_results(page, live_server, visitor_library):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/search/?q=分数")
    facet = page.locator("details[data-facet=stage]")
    assert facet.get_by_role("link", name="小学").is_visible(), "open without a click"
    assert not page.locator("summary", has_text="筛选").is_visible()
    facet_box, result_box = facet.bounding_box(), page.locator("ul.results > li").first.bounding_box()
    assert facet_box["x"] + facet_box["width"] <= result_box["x"], "facets in a column left of the results"
    _shoot(page, "search-desktop")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_favicon_is_a_small_cacheable_image(page, live_server, demo_site):
    icons = []
    page.on("response", lambda response: "favicon" in response.url and icons.append(response))
    page.goto(live_server.url + "/")
    linked = page.locator("link[rel=icon]").get_attribute("href")
    response = page.request.get(live_server.url + linked)
    assert response.status == 200 and response.headers["content-type"].startswith("image/")

    response = page.request.get(live_server.url + "/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/")
    assert "max-age" in response.headers["cache-control"]
    assert len(response.body()) < 4000
    assert all(icon.status == 200 for icon in icons)


def _empty_engine():
    """Rows other tests rolled back stay in the shared engine and would count in totals and facets."""
    from wagtail.models import Page

    from search import backends

    engine = backends.get("default")
    index = engine.get_index_for_model(Page)
    engine.es.delete_by_query(index=index.name, body={"query": {"match_all": {}}}, refresh=True, conflicts="proceed")


def _no_overflow(page):
    """Nothing wider than the screen: no sideways scrolling on a phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"
