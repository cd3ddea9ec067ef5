"""`/healthz`: the state of every dependency the site is configured with.

Answers 200 when all are up and 503 otherwise, as JSON, so load balancers,
docker-compose and operators read the same thing. Checks run in parallel and
each is bounded by HEALTHCHECK_TIMEOUT, so one hung service cannot hang the
endpoint. No URL, key or password is ever echoed back.
"""

import json
import os
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sso.keycloak import backend_url, issuer

from .settings.services import redact_url


def _http_json(url, timeout):
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - configured URL
        return json.load(response)


def check_database(timeout):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"status": "up", "backend": connection.vendor}
    finally:
        connection.close()  # this thread's own connection


def check_search(timeout):
    """The cluster's health from the first node that answers: one node down is not search down."""
    config = settings.WAGTAILSEARCH_BACKENDS["default"]
    urls = config.get("URLS")
    if not urls:
        return {"status": "up", "backend": "database"}
    unreachable = []
    for url in urls:
        try:
            # Each node its share of the time, so the last one is still asked before the deadline.
            health = _http_json(url.rstrip("/") + "/_cluster/health", timeout / len(urls))
        except (OSError, ValueError) as exc:  # refused, timed out, 503 without a cluster manager, not JSON
            unreachable.append(f"{redact_url(url)} ({type(exc).__name__})")
            continue
        up = health.get("status") in {"green", "yellow"}
        result = {
            "status": "up" if up else "down",
            "backend": config["BACKEND"].rsplit(".", 1)[-1],
            "url": redact_url(url),
            "cluster": health.get("status"),
            "nodes": health.get("number_of_nodes"),
        }
        if unreachable:
            result["unreachable"] = unreachable
        return result
    raise ConnectionError(f"no search node answers: {', '.join(unreachable)}")


def check_storage(timeout):
    from django.core.files.storage import default_storage

    options = settings.STORAGES["default"].get("OPTIONS", {})
    if "bucket_name" not in options:
        os.makedirs(settings.MEDIA_ROOT, exist_ok=True)
        writable = os.access(settings.MEDIA_ROOT, os.W_OK)
        return {"status": "up" if writable else "down", "backend": "filesystem"}
    client = default_storage.connection.meta.client
    client.head_bucket(Bucket=options["bucket_name"])
    return {"status": "up", "backend": "s3", "url": redact_url(options.get("endpoint_url") or "")}


def check_broker(timeout):
    from kombu import Connection

    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        os.makedirs(folder, exist_ok=True)
        return {"status": "up" if os.access(folder, os.W_OK) else "down", "backend": "filesystem"}
    with Connection(url, connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)
    return {"status": "up", "backend": url.split("://", 1)[0], "url": redact_url(url)}


def check_cache(timeout):
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return {"status": "up", "backend": "memory"}
    # The raw client: the site's cache turns errors into misses (youke/cache.py), this must not.
    cache._cache.get_client(write=True).ping()
    return {"status": "up", "backend": "redis", "url": redact_url(settings.CACHES["default"]["LOCATION"])}


def check_identity(timeout):
    """Keycloak, called where the site calls it (KEYCLOAK_INTERNAL_URL, else the public URL).

    The public address may not even be reachable from the site's host
    (compose: the site reaches keycloak:8080): checking it would report the
    wrong Keycloak. Keycloak names its public issuer whichever address it is
    asked on. Down, the answer still says which backend it is.
    """
    config = settings.KEYCLOAK
    if not config:
        return {"status": "up", "backend": "django"}
    realm_url = f"{backend_url()}realms/{config['REALM']}"
    report = {"backend": "keycloak", "url": redact_url(realm_url)}
    try:
        discovery = _http_json(realm_url + "/.well-known/openid-configuration", timeout)
    except Exception as exc:  # noqa: BLE001 - unreachable or refusing: down, with its reason
        return {"status": "down", **report, "error": f"{type(exc).__name__}: {exc}"[:300]}
    up = discovery.get("issuer", "").rstrip("/") == issuer()
    return {"status": "up" if up else "down", **report}


CHECKS = {
    "database": check_database,
    "search": check_search,
    "storage": check_storage,
    "broker": check_broker,
    "cache": check_cache,
    "identity": check_identity,
}


def _timed(check, timeout):
    started = time.monotonic()
    try:
        result = check(timeout)
    except Exception as exc:  # noqa: BLE001 - any failure means "down", with its reason
        result = {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def run_checks(checks=None):
    """Run every check in parallel; a check still running at the deadline is down."""
    checks = checks or CHECKS
    timeout = settings.HEALTHCHECK_TIMEOUT
    deadline = time.monotonic() + timeout + 1
    pool = ThreadPoolExecutor(max_workers=len(checks))
    futures = {name: pool.submit(_timed, check, timeout) for name, check in checks.items()}
    results = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            results[name] = {"status": "down", "error": f"no answer within {timeout}s"}
    pool.shutdown(wait=False, cancel_futures=True)
    return results


@never_cache
@require_GET
def healthz(request):
    results = run_checks()
    healthy = all(result["status"] == "up" for result in results.values())
    body = {"status": "ok" if healthy else "fail", "checks": results}
    return JsonResponse(body, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})
