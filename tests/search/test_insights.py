"""Search insights: an anonymised log, top and zero-result queries, for district administrators only."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone

from resources.models import Licence
from search import insights
from search.models import QueryLog
from tests.resources.helpers import package

pytestmark = pytest.mark.django_db

DATABASE_ONLY = {"default": {"BACKEND": "wagtail.search.backends.database"},
                 "database": {"BACKEND": "wagtail.search.backends.database"}}  # fmt: skip


def user(name):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def searched(library, client):
    package("小学数学 分数的初步认识", licence=Licence.PUBLIC, parts=False)
    with override_settings(WAGTAILSEARCH_BACKENDS=DATABASE_ONLY):
        client.get("/api/search", {"q": "分数"})
        client.get("/search/", {"q": "  ＦＥＮＳＨＵ  "})
        client.force_login(user("teacher1"))
        client.get("/api/search", {"q": "分数"})
        client.get("/api/search", {"q": "量子力学"})
        client.get("/api/search", {"q": "量子力学"})
        client.get("/api/search", {"stage": "小学"})  # browsing without a query is not logged
    client.logout()
    return client


def test_each_search_is_logged_without_who_searched(searched):
    rows = list(QueryLog.objects.order_by("pk").values())
    assert [row["query"] for row in rows] == ["分数", "fenshu", "分数", "量子力学", "量子力学"]
    assert [row["role"] for row in rows] == ["anonymous", "anonymous", "teacher", "teacher", "teacher"]
    assert rows[0]["results"] == 1 and rows[3]["results"] == 0
    assert rows[0]["backend"] == "database"
    field_names = {field.name for field in QueryLog._meta.fields}
    assert not field_names & {"user", "user_id", "session", "ip", "address"}
    assert all(row["hour"].minute == 0 and row["hour"].second == 0 for row in rows), "time only to the hour"


def test_top_and_zero_result_queries_over_a_period(searched):
    since = timezone.now() - timedelta(days=30)
    top = insights.top_queries(since)
    assert [(row["query"], row["searches"]) for row in top][:2] == [("分数", 2), ("量子力学", 2)]
    zero = insights.top_queries(since, zero_only=True)
    assert [(row["query"], row["zero"]) for row in zero] == [("量子力学", 2)]
    QueryLog.objects.update(hour=timezone.now() - timedelta(days=40))
    assert insights.top_queries(since) == []


def test_only_district_admins_open_the_page(searched, client):
    assert client.get("/admin/search-insights/").status_code == 302  # to the login
    for name in ("teacher1", "school_reviewer1", "district_reviewer1", "trainer1"):
        client.force_login(user(name))
        for url in ("/admin/search-insights/", "/admin/search-insights/export.csv"):
            response = client.get(url)
            # Wagtail turns the refusal into a redirect to the dashboard with a message.
            assert (response.status_code, response.get("Location")) in {(403, None), (302, "/admin/")}, name
        assert "/admin/search-insights/" not in client.get("/admin/").content.decode()

    admin = user("district_admin1")
    admin.is_superuser = False  # the group alone is enough
    admin.save()
    client.force_login(admin)
    assert "/admin/search-insights/" in client.get("/admin/").content.decode()  # the 检索分析 menu item
    html = client.get("/admin/search-insights/", {"days": "30"}).content.decode()
    assert "量子力学" in html and "无结果的检索词" in html


def test_csv_export_is_streamed_and_opens_in_excel(searched, client):
    QueryLog.objects.create(query="=cmd|' /c calc'!a0", role="teacher", results=0, backend="engine",
                            hour=timezone.now())  # fmt: skip
    client.force_login(user("district_admin1"))
    response = client.get("/admin/search-insights/export.csv", {"days": "7", "zero": "1"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff检索词,检索次数,无结果次数")
    assert "量子力学,2,2" in body and "分数" not in body
    assert "'=cmd" in body, "a formula-like query stays text in a spreadsheet"


def test_a_pasted_essay_is_logged_cut(library, client):
    with override_settings(WAGTAILSEARCH_BACKENDS=DATABASE_ONLY):
        QueryLog.objects.all().delete()
        long_query = "分" * 10_000
        response = client.get("/api/search", {"q": long_query})
    assert response.status_code == 200
    assert len(QueryLog.objects.get().query) == insights.MAX_QUERY


def test_normalise():
    assert insights.normalise("  ＰＰＴ  课件\t") == "ppt 课件"
    assert insights.normalise("") == ""
