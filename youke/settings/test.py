"""Test runs: same services as configured by the environment, faster hashing."""

from core.env import env_str

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-insecure-key"  # noqa: S105 - used by the test suite only
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Each test run indexes into its own prefix so a run never reads another's data.
if WAGTAILSEARCH_BACKENDS["default"].get("URLS"):  # noqa: F405
    WAGTAILSEARCH_BACKENDS["default"]["INDEX_PREFIX"] = env_str("SEARCH_INDEX_PREFIX", "youke_test_")  # noqa: F405
# A per-process cache: tests roll the database back, and a shared Redis cache
# would keep (and share between parallel runs) entries about rolled-back rows,
# such as Wagtail's site root paths. tests/integration/test_redis_cache.py
# still exercises Django's Redis cache against the real server.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tables computed afresh in every test (tests/supervision/test_cache.py turns it on).
SUPERVISION_CACHE_SECONDS = 0
# One process, one memory cache: its increments are atomic there (see base.py's note).
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]  # noqa: F405
