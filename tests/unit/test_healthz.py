"""`/healthz` reports each dependency and never hangs on one."""

import threading

import pytest
from django.test import override_settings

from youke import health


@pytest.mark.django_db
def test_all_up_is_200(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "search", "storage", "broker", "cache", "identity"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_unreachable_search_engine_is_503(client, settings):
    """A search engine that refuses connections makes the site report 503, naming the part."""
    backends = {"default": {"BACKEND": "modelsearch.backends.opensearch3", "URLS": ["http://127.0.0.1:1"]}}
    with override_settings(WAGTAILSEARCH_BACKENDS=backends):
        response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["checks"]["search"]["status"] == "down"
    assert "error" in body["checks"]["search"]


def test_hung_check_is_reported_down_in_bounded_time(settings):
    settings.HEALTHCHECK_TIMEOUT = 0.2
    release = threading.Event()

    def hangs(timeout):
        release.wait(5)
        return {"status": "up"}

    results = health.run_checks({"slow": hangs, "fast": lambda timeout: {"status": "up"}})
    release.set()
    assert results["slow"]["status"] == "down"
    assert results["fast"]["status"] == "up"


def test_exception_becomes_down_with_reason(settings):
    def broken(timeout):
        raise ConnectionRefusedError("refused")

    results = health.run_checks({"broken": broken})
    assert results["broken"] == {
        "status": "down",
        "error": "ConnectionRefusedError: refused",
        "ms": results["broken"]["ms"],
    }


def test_only_get(client):
    assert client.post("/healthz").status_code == 405
