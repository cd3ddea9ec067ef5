"""Which real service each part of the platform talks to.

Each function reads one group of environment variables and returns the
Django setting for it. With the variable unset the embedded default is
returned, so a fresh checkout runs with nothing installed but ffmpeg.
They are plain functions so that unit tests can call them with any
environment.
"""

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from core.env import env_bool, env_int, env_str

# Wagtail 8 searches through modelsearch; each engine needs the backend
# module of its own major version, and the matching client package.
# search.backends wraps modelsearch's opensearch3 / elasticsearch9 with
# Chinese analysis and recorded (then retried) index failures.
SEARCH_BACKENDS = {
    # opensearch-py 3.x (pinned) speaks to OpenSearch 2.x and 3.x servers.
    "opensearch": "search.backends.opensearch",
    "opensearch2": "search.backends.opensearch",
    "opensearch3": "search.backends.opensearch",
    "elasticsearch": "search.backends.elasticsearch",
    "elasticsearch9": "search.backends.elasticsearch",
}
# The Chinese analysis each engine is first asked for (search.analysis steps
# down smartcn → cjk → bigram when the engine lacks the plugin or module).
CHINESE_ANALYSIS = {"opensearch": "smartcn", "elasticsearch": "cjk"}


def database(var_dir: Path) -> dict:
    """`DATABASE_URL`, else SQLite in the project's var/ folder."""
    default = f"sqlite:///{var_dir / 'db.sqlite3'}"
    # Connections are kept for a minute (CONN_MAX_AGE) and checked before a
    # request reuses one: after a database restart the kept ones are dead, and
    # without the check each would fail one request before being replaced.
    config = dj_database_url.parse(env_str("DATABASE_URL", default), conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"].endswith("sqlite3"):
        # SQLite cannot create the folder of its file; a fresh clone has no var/.
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # WAL lets the worker write while the site reads; the timeout makes a
        # writer wait for the other process instead of failing at once. But a
        # plain BEGIN starts as a reader, and a reader that later writes after
        # another connection committed fails at once with "database is locked"
        # (the timeout cannot help: its snapshot is stale). IMMEDIATE takes the
        # write lock at BEGIN, so every transaction waits its turn instead.
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        config["CONN_MAX_AGE"] = 0
    elif "postgresql" in config["ENGINE"]:
        # A database host that drops packets (not one that refuses) would hold each request
        # until the kernel gives up, minutes later: fail within seconds instead, into the 503 page.
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5))
    return config


def search() -> dict:
    """`SEARCH_URL` (+ `SEARCH_ENGINE`), else Wagtail's database backend (made Chinese-aware by core.chinese).

    `SEARCH_URL` may list the nodes of a cluster, comma-separated: the client
    spreads requests over them and carries on with the others when one dies.
    `SEARCH_REPLICAS` sets each new index's number_of_replicas (unset: the
    cluster's default); a copy on another node is what lets search survive one.
    """
    urls = [url.strip() for url in env_str("SEARCH_URL").split(",") if url.strip()]
    if not urls:
        database = {"BACKEND": "search.backends.database"}
        return {"default": database, "database": database}
    engine = env_str("SEARCH_ENGINE", "opensearch").lower()
    if engine not in SEARCH_BACKENDS:
        raise ValueError(f"SEARCH_ENGINE must be one of {sorted(SEARCH_BACKENDS)}, not {engine!r}")
    from search.analysis import index_settings  # plain data, no Django: safe while settings load

    family = "opensearch" if engine.startswith("opensearch") else "elasticsearch"
    settings = index_settings(env_str("SEARCH_CHINESE_ANALYSIS", CHINESE_ANALYSIS[family]))
    replicas = env_str("SEARCH_REPLICAS")
    if replicas:
        if not replicas.isdigit():
            raise ValueError(f"SEARCH_REPLICAS must be a whole number, not {replicas!r}")
        settings["settings"].setdefault("index", {})["number_of_replicas"] = int(replicas)
    return {
        # Kept up to date beside the engine, so search can fall back to it when the engine is down.
        "database": {"BACKEND": "search.backends.database"},
        "default": {
            "BACKEND": SEARCH_BACKENDS[engine],
            "URLS": urls,
            "INDEX_PREFIX": env_str("SEARCH_INDEX_PREFIX", "youke_"),
            # A slow engine must not hold a web worker for long.
            "TIMEOUT": env_int("SEARCH_TIMEOUT", 5),
            # No "OPTIONS" dict here: modelsearch writes the timeout into it, in place.
            "INDEX_SETTINGS": settings,
        },
    }


def storages(media_root: Path) -> dict:
    """`S3_BUCKET` (+ endpoint and keys), else files under MEDIA_ROOT."""
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    bucket = env_str("S3_BUCKET")
    if not bucket:
        return {
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(media_root)},
            },
            "staticfiles": static,
        }
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
                "access_key": env_str("S3_ACCESS_KEY_ID") or None,
                "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
                "region_name": env_str("S3_REGION", "us-east-1"),
                "signature_version": "s3v4",
                "addressing_style": env_str("S3_ADDRESSING_STYLE", "path"),
                # Media is private: every read goes through a signed URL that
                # expires, never a public bucket path.
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": env_int("S3_URL_EXPIRE_SECONDS", 600),
                "file_overwrite": False,
            },
        },
        "staticfiles": static,
    }


def celery_broker(var_dir: Path) -> tuple[str, dict]:
    """`CELERY_BROKER_URL`, else kombu's filesystem transport under var/.

    The filesystem broker needs no server, yet jobs still run in a separate
    worker process, outside the web request, exactly as in production.
    """
    url = env_str("CELERY_BROKER_URL")
    if url:
        return url, {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3 * 3600)}
    folder = var_dir / "broker"
    # kombu does not create its folders; the site and the worker both need them.
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return "filesystem://", {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        # kombu puts its exchange files in ./control unless told otherwise.
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


def celery_results(var_dir: Path) -> str:
    """`CELERY_RESULT_BACKEND`, else Redis when the broker is Redis, else files."""
    explicit = env_str("CELERY_RESULT_BACKEND")
    if explicit:
        return explicit
    broker = env_str("CELERY_BROKER_URL")
    if broker.startswith(("redis://", "rediss://")):
        return broker
    (var_dir / "results").mkdir(parents=True, exist_ok=True)
    return f"file://{var_dir / 'results'}"


def cache() -> dict:
    """`REDIS_URL`, else a per-process memory cache."""
    url = env_str("REDIS_URL")
    if url:
        # Short socket timeouts, and a miss instead of an error while Redis is away (youke/cache.py).
        options = {"socket_connect_timeout": 1, "socket_timeout": 1}
        return {"default": {"BACKEND": "youke.cache.ResilientRedisCache", "LOCATION": url, "OPTIONS": options}}
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def keycloak() -> dict | None:
    """`KEYCLOAK_*`, else None (Django's own login with local accounts)."""
    server = env_str("KEYCLOAK_SERVER_URL")
    if not server:
        return None
    return {
        "SERVER_URL": server.rstrip("/") + "/",
        "REALM": env_str("KEYCLOAK_REALM", "youke"),
        "CLIENT_ID": env_str("KEYCLOAK_CLIENT_ID", "youke-web"),
        "CLIENT_SECRET": env_str("KEYCLOAK_CLIENT_SECRET"),
        # Seconds to keep the realm's signing keys before fetching them again;
        # an unknown key id triggers an early refresh anyway.
        "JWKS_TTL": env_int("KEYCLOAK_JWKS_TTL", 3600),
        "TIMEOUT": env_int("KEYCLOAK_TIMEOUT", 5),
        "VERIFY_TLS": env_bool("KEYCLOAK_VERIFY_TLS", True),
        # The service account `sync_keycloak` reads users and groups with
        # (realm-management view-users, query-users, query-groups, view-realm).
        "SYNC_CLIENT_ID": env_str("KEYCLOAK_SYNC_CLIENT_ID", "youke-sync"),
        "SYNC_CLIENT_SECRET": env_str("KEYCLOAK_SYNC_CLIENT_SECRET"),
        # A site session ends this long after login at the latest, even while
        # Keycloak is unreachable; 10 h is the realm's ssoSessionMaxLifespan.
        "SESSION_MAX_AGE": env_int("KEYCLOAK_SESSION_MAX_AGE", 36000),
    }


def redact_url(url: str) -> str:
    """scheme://host:port of a URL, without credentials, path or query."""
    parts = urlsplit(url)
    if not parts.scheme:
        return url
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"
