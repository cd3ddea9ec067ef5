"""Redis away: the cache answers misses instead of errors, rate limits let searches through, /healthz names it.

The Redis here is a real address nothing listens on (the connection is
refused), not a stand-in: the same error the site meets when Redis stops.
"""

import pytest
from django.core.cache import caches
from django.test import override_settings

from youke.cache import ResilientRedisCache

GONE = "redis://127.0.0.1:1/0"
CACHES = {"default": {"BACKEND": "youke.cache.ResilientRedisCache", "LOCATION": GONE}}


def test_an_unreachable_redis_is_a_miss_not_an_error():
    cache = ResilientRedisCache(GONE, {"OPTIONS": {"socket_connect_timeout": 1}})
    assert cache.get("课例") is None
    assert cache.get("课例", "默认") == "默认"
    assert cache.get("课例", default=3) == 3
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("counter", 1) is False
    cache.set("课例", "x")  # dropped, not raised
    cache.delete("课例")
    with pytest.raises(ValueError):
        cache.incr("counter")  # what django-ratelimit expects from a cache it cannot reach


@pytest.mark.django_db
def test_search_answers_while_redis_is_away(client):
    # Django's setting_changed handler rebuilds the cache connections for the override.
    with override_settings(CACHES=CACHES):
        assert isinstance(caches["default"], ResilientRedisCache)
        response = client.get("/search/", {"q": "分数"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_health_names_the_cache_when_redis_is_away(client):
    with override_settings(CACHES=CACHES):
        response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["cache"]["status"] == "down"
    assert "Connection" in body["checks"]["cache"]["error"]
