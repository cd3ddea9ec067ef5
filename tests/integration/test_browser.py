"""The site in a real browser: Debian's Chromium driven by Playwright (fixtures in tests/conftest.py)."""

import pytest

from tests.conftest import CHROMIUM_ARGS  # noqa: F401 - kept importable for other browser tests

pytestmark = [pytest.mark.service("chromium"), pytest.mark.slow]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_home_page_renders_in_chinese_and_search_box_works(page, live_server, demo_site):
    page.goto(live_server.url + "/")
    assert "优课" in page.title()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_text("青山乡中心小学").is_visible()

    page.get_by_role("combobox", name="搜索").fill("分数")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/search/?q=*")
    assert page.get_by_role("heading", name="搜索：分数").is_visible()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_admin_login_with_demo_account(page, live_server, demo_site, settings):
    settings.KEYCLOAK = None  # Django's own login: the embedded default
    page.goto(live_server.url + "/admin/")
    page.wait_for_url("**/sso/login/?next=/admin/")  # the site's own sign-in page
    page.fill("input[name=username]", "teacher1")
    page.fill("input[name=password]", "youke-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/admin/")
    assert page.title().startswith("控制面板"), "the admin dashboard, in Chinese"
    assert page.locator("input[name=password]").count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_wrong_password_stays_on_login_with_a_chinese_message(page, live_server, demo_site, settings):
    settings.KEYCLOAK = None  # Django's own login: the embedded default
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "teacher1")
    page.fill("input[name=password]", "wrong-password")
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "/admin/login/" in page.url
    assert "密码不匹配" in page.locator("body").inner_text()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_typing_fills_suggestions_from_the_autocomplete_api(page, live_server, library):
    from resources.models import Licence
    from tests.resources.helpers import package

    package("小学数学 分数的初步认识", licence=Licence.PUBLIC)
    page.goto(live_server.url + "/")
    with page.expect_response(lambda response: "/api/search/autocomplete" in response.url):
        page.get_by_role("combobox", name="搜索").type("分数")
    page.wait_for_function("document.querySelectorAll('#search-suggestions option').length > 0")
    options = page.eval_on_selector_all("#search-suggestions option", "nodes => nodes.map(n => n.value)")
    assert "小学数学 分数的初步认识" in options
    assert "分数的简单计算" in options
