"""Django's cache on the real Redis server, as production configures it with REDIS_URL."""

import os
import uuid

import pytest

from youke.cache import ResilientRedisCache as RedisCache

pytestmark = pytest.mark.service("redis")


@pytest.fixture
def redis_cache():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail("REDIS_URL is not set; scripts/services.sh env provides it", pytrace=False)
    return RedisCache(url, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})


def test_values_round_trip_and_expire(redis_cache):
    redis_cache.set("课例", {"标题": "分数的初步认识"}, timeout=60)
    assert redis_cache.get("课例") == {"标题": "分数的初步认识"}
    redis_cache.set("short", 1, timeout=0)
    assert redis_cache.get("short") is None


def test_two_clients_share_values(redis_cache):
    """What one web worker caches, another one reads: the point of Redis over a local cache."""
    other = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": redis_cache.key_prefix})
    redis_cache.set("shared", "yes", timeout=60)
    assert other.get("shared") == "yes"
    assert redis_cache.add("counter", 0)
    assert redis_cache.incr("counter") == 1
    assert other.get("counter") == 1
