"""Browsing by the curriculum tree: counts, badges, and a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resources.models import Licence, Textbook
from tests.resources.helpers import package

pytestmark = pytest.mark.django_db


def test_home_lists_stages_and_subjects_with_counts(library, client):
    package("甲", licence=Licence.PUBLIC)
    package("乙", licence=Licence.PUBLIC, lesson="几分之几")
    package("丙", licence=Licence.PUBLIC, live=False)
    html = client.get("/curriculum/").content.decode()
    assert "小学" in html and "初中" in html
    math = html[html.index("/curriculum/primary/math/") :]
    assert '<small class="count">2</small>' in math[:200]


def test_textbook_outline_shows_lessons_packages_and_awards(library, client):
    package("区级好课", licence=Licence.PUBLIC, award_level="district")
    textbook = Textbook.objects.get(edition__name="人教版", grade__name="三年级")
    html = client.get(f"/curriculum/textbook/{textbook.pk}/").content.decode()
    assert "8 分数的初步认识" in html and "几分之一" in html and "分数的简单计算" in html
    assert "区级好课" in html and "区级优课" in html


def test_subject_page_groups_volumes_by_edition(library, client):
    html = client.get("/curriculum/primary/math/").content.decode()
    assert html.index("人教版") < html.index("三年级上册")
    assert "北师大版" in html and "三年级下册" in html
    assert client.get("/curriculum/primary/no-such-subject/").status_code == 404


@pytest.mark.parametrize("url", ["/curriculum/", "/curriculum/primary/math/", "textbook"])
def test_listing_queries_do_not_grow_with_the_library(library, client, django_assert_num_queries, url):
    textbook = Textbook.objects.get(edition__name="人教版", grade__name="三年级")
    url = f"/curriculum/textbook/{textbook.pk}/" if url == "textbook" else url
    package("一", licence=Licence.PUBLIC)
    client.get(url)  # warm per-process caches (site root, content types)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    assert len(few.captured_queries) <= 8
    for n in range(6):
        package(f"更多{n}", licence=Licence.PUBLIC, lesson="几分之几", school_code="QSZX")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
