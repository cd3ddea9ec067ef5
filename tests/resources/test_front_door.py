"""The home page and the library's index: what they list, for whom, and at a fixed cost in queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resources.models import Licence
from tests.resources.helpers import package

pytestmark = pytest.mark.django_db

HINT = "登录后可查看更多资源"


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/", "/lessons/"])
def test_front_door_queries_do_not_grow_with_the_library(library, client, django_assert_max_num_queries, url):
    from tests.training.helpers import course

    package("甲", licence=Licence.PUBLIC, award_level="district", parts=False)
    course("培训一", kinds=())
    client.get(url)  # Wagtail's site root paths and the facet labels are cached after the first request
    few = _queries(client, url)
    for n in range(8):
        package(f"课{n}", licence=Licence.PUBLIC, award_level="city" if n % 2 else "", lesson="几分之几", parts=False)
    course("培训二", kinds=())
    with django_assert_max_num_queries(few):
        html = client.get(url).content.decode()
    assert "课7" in html
    # A small, fixed number whatever the size of the library (printed when it fails: raise it knowingly).
    assert few <= 16, few


def test_home_lists_awarded_and_newest_lessons_and_courses(library, client):
    from tests.training.helpers import course

    package("旧的区级优课", licence=Licence.PUBLIC, award_level="district", parts=False)
    package("新的普通课例", licence=Licence.PUBLIC, parts=False)
    package("未发布的优课", licence=Licence.PUBLIC, award_level="city", live=False, parts=False)
    course("已发布的培训", kinds=())
    course("草稿培训", kinds=(), live=False)
    html = client.get("/").content.decode()
    featured = html[html.index('class="featured"') : html.index('class="newest"')]
    newest = html[html.index('class="newest"') : html.index('class="browse"')]
    assert "旧的区级优课" in featured and "新的普通课例" not in featured
    assert newest.index("新的普通课例") < newest.index("旧的区级优课")
    assert "未发布的优课" not in html
    assert "已发布的培训" in html and "草稿培训" not in html
    assert "/search/?stage=%E5%B0%8F%E5%AD%A6&amp;subject=%E6%95%B0%E5%AD%A6" in html


@pytest.mark.parametrize("url", ["/", "/lessons/"])
def test_anonymous_visitors_are_told_signing_in_shows_more(library, client, django_user_model, url):
    package("公开课", licence=Licence.PUBLIC, parts=False)
    assert HINT not in client.get(url).content.decode(), "nothing is hidden yet"
    package("仅限登录的课", licence=Licence.SIGNED_IN, parts=False)
    html = client.get(url).content.decode()
    assert HINT in html and "仅限登录的课" not in html
    assert "/admin/login/?next=" in html

    client.force_login(django_user_model.objects.get(username="teacher1"))
    html = client.get(url).content.decode()
    assert HINT not in html and "仅限登录的课" in html


def test_library_index_pages_through_packages_and_resources(library, client):
    for n in range(22):
        package(f"第{n:02d}课", licence=Licence.PUBLIC, parts=False)
    first = client.get("/lessons/").content.decode()
    assert "第21课" in first and "第02课" in first and "第01课" not in first
    assert "共 22 条" in first and "第 1 / 2 页" in first
    second = client.get("/lessons/?page=2").content.decode()
    assert "第01课" in second and "第00课" in second and "第21课" not in second


def test_favicon_is_served_small_and_cacheable(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00", "an ICO file"
    assert len(response.content) < 4000
    assert "max-age=604800" in response["Cache-Control"] and "public" in response["Cache-Control"]
