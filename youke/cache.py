"""The Redis cache, made optional: when Redis is away the site answers without it.

Django's RedisCache raises on every call while Redis is unreachable, and the
cache sits under every search (rate limits) and every cached fragment, so a
Redis restart became a storm of 500s. Here a failed call is a miss: reads
return the default, writes are dropped, incr raises ValueError (what
django-ratelimit expects from an unreachable cache). Sessions and login
throttling live in the database, so nobody is signed out. /healthz still names
the cache as down (youke.health.check_cache), so operators see it.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _missing(method, fallback):
    def call(self, *args, **kwargs):
        try:
            return getattr(super(ResilientRedisCache, self), method)(*args, **kwargs)
        except UNREACHABLE as exc:
            log.warning("cache %s skipped, Redis unreachable: %s", method, exc)
            if isinstance(fallback, type) and issubclass(fallback, Exception):
                raise fallback("cache unavailable") from exc
            return fallback(args, kwargs) if callable(fallback) else fallback

    call.__name__ = method
    return call


class ResilientRedisCache(RedisCache):
    get = _missing("get", lambda args, kwargs: kwargs.get("default", args[1] if len(args) > 1 else None))
    get_many = _missing("get_many", {})
    has_key = _missing("has_key", False)
    set = _missing("set", None)
    add = _missing("add", False)
    touch = _missing("touch", False)
    set_many = _missing("set_many", [])
    delete = _missing("delete", False)
    delete_many = _missing("delete_many", None)
    incr = _missing("incr", ValueError)
    clear = _missing("clear", False)
