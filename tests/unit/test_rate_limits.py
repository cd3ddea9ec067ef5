"""Request limits (sso.ratelimits) on search, exports and uploads, and the daily upload quota."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

MESSAGE = "操作过于频繁，请稍后再试。"


@pytest.fixture
def limits(settings):
    # Per day: a window boundary cannot fall between the few requests of a test.
    settings.YOUKE_RATE_LIMITS = {**settings.YOUKE_RATE_LIMITS, "search": "3/d", "export": "1/d"}
    return settings.YOUKE_RATE_LIMITS


@pytest.fixture
def admin_user():
    return get_user_model().objects.create_superuser("admin_rl", password="x-password-123")


def test_api_search_over_the_limit_answers_429_json_in_chinese(limits):
    client = Client()
    for _ in range(3):
        assert client.get("/api/search", {"q": "数学"}).status_code == 200
    response = client.get("/api/search", {"q": "数学"})
    assert response.status_code == 429
    assert response.json() == {"error": MESSAGE}
    # Counted per IP for anonymous visitors: another address still searches.
    assert Client(REMOTE_ADDR="10.1.2.3").get("/api/search", {"q": "数学"}).status_code == 200


def test_search_page_over_the_limit_answers_429_html(limits):
    client = Client()
    for _ in range(3):
        assert client.get("/search/", {"q": "数学"}).status_code == 200
    response = client.get("/search/", {"q": "数学"})
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert MESSAGE in response.content.decode()


def test_signed_in_searches_count_per_user(limits, admin_user):
    client = Client()
    client.force_login(admin_user)
    for _ in range(3):
        client.get("/api/search", {"q": "x"})
    assert client.get("/api/search", {"q": "x"}).status_code == 429
    # The same address, anonymous: its own budget.
    assert Client().get("/api/search", {"q": "x"}).status_code == 200


def test_limits_are_read_at_request_time(settings):
    settings.YOUKE_RATE_LIMITS = {**settings.YOUKE_RATE_LIMITS, "search": "1/d"}
    client = Client()
    assert client.get("/api/search", {"q": "x"}).status_code == 200
    assert client.get("/api/search", {"q": "x"}).status_code == 429


def test_insights_export_is_limited_per_user(limits, admin_user):
    client = Client()
    client.force_login(admin_user)
    assert client.get("/admin/search-insights/export.csv").status_code == 200
    response = client.get("/admin/search-insights/export.csv")
    assert response.status_code == 429 and MESSAGE in response.content.decode()


def test_upload_session_over_the_daily_quota_is_refused_with_the_limit(settings, admin_user):
    settings.UPLOAD_DAILY_QUOTA = 10 * 1024 * 1024
    client = Client()
    client.force_login(admin_user)
    url = "/media-pipeline/uploads/"
    first = client.post(url, {"filename": "a.mp4", "size": 6 * 1024 * 1024}, content_type="application/json")
    assert first.status_code == 201
    second = client.post(url, {"filename": "b.mp4", "size": 6 * 1024 * 1024}, content_type="application/json")
    assert second.status_code == 429
    error = second.json()["error"]
    assert "每日上传限额" in error and "10 MB" in error
    # Cancelled uploads give their bytes back.
    client.delete(f"{url}{first.json()['id']}/")
    third = client.post(url, {"filename": "b.mp4", "size": 6 * 1024 * 1024}, content_type="application/json")
    assert third.status_code == 201


def test_upload_sessions_are_rate_limited_per_user(settings, admin_user):
    settings.YOUKE_RATE_LIMITS = {**settings.YOUKE_RATE_LIMITS, "upload_session": "1/d"}
    client = Client()
    client.force_login(admin_user)
    url = "/media-pipeline/uploads/"
    assert client.post(url, {"filename": "a.mp4", "size": 1024}, content_type="application/json").status_code == 201
    response = client.post(url, {"filename": "b.mp4", "size": 1024}, content_type="application/json")
    assert response.status_code == 429 and response.json() == {"error": MESSAGE}
