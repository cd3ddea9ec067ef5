"""Each environment variable switches one part from the embedded default to a real service."""

from pathlib import Path

import pytest

from youke.settings import services

SERVICE_VARS = [
    "DATABASE_URL", "SEARCH_URL", "SEARCH_ENGINE", "SEARCH_REPLICAS", "S3_BUCKET", "S3_ENDPOINT_URL",
    "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL", "KEYCLOAK_SERVER_URL",
]  # fmt: skip


@pytest.fixture
def clean_env(monkeypatch):
    for var in SERVICE_VARS:
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_embedded_default_needs_no_service(clean_env, tmp_path):
    """With no variable set every part uses something that runs in-process or on disk."""
    assert services.database(tmp_path)["ENGINE"] == "django.db.backends.sqlite3"
    assert services.search()["default"]["BACKEND"] == "search.backends.database"
    assert services.storages(tmp_path / "media")["default"]["BACKEND"].endswith("FileSystemStorage")
    broker, options = services.celery_broker(tmp_path)
    assert broker == "filesystem://"
    assert Path(options["data_folder_in"]).is_dir()
    assert services.celery_results(tmp_path).startswith("file://")
    assert services.cache()["default"]["BACKEND"].endswith("LocMemCache")
    assert services.keycloak() is None


def test_sqlite_folder_is_created(clean_env, tmp_path):
    """A fresh clone has no var/ folder; SQLite cannot create it itself."""
    var_dir = tmp_path / "fresh" / "var"
    services.database(var_dir)
    assert var_dir.is_dir()


def test_each_variable_switches_one_part(clean_env, tmp_path):
    clean_env.setenv("DATABASE_URL", "postgres://u:p@127.0.0.1:5432/youke")
    clean_env.setenv("SEARCH_URL", "http://127.0.0.1:9200")
    clean_env.setenv("S3_BUCKET", "media")
    clean_env.setenv("S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    clean_env.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/1")
    clean_env.setenv("KEYCLOAK_SERVER_URL", "http://127.0.0.1:8080")

    assert services.database(tmp_path)["ENGINE"] == "django.db.backends.postgresql"
    search = services.search()["default"]
    assert search["BACKEND"] == "search.backends.opensearch"  # modelsearch's opensearch3 + Chinese analysis
    assert search["URLS"] == ["http://127.0.0.1:9200"]
    storage = services.storages(tmp_path)["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["querystring_auth"] is True, "private media must be served through signed URLs"
    assert services.celery_broker(tmp_path)[0] == "redis://127.0.0.1:6379/1"
    assert services.celery_results(tmp_path) == "redis://127.0.0.1:6379/1"
    assert services.keycloak()["SERVER_URL"] == "http://127.0.0.1:8080/"


def test_kept_database_connections_are_checked_before_reuse(clean_env, tmp_path):
    """After a PostgreSQL restart a kept connection is dead; checked first, it is replaced, not failed on."""
    clean_env.setenv("DATABASE_URL", "postgres://u:p@127.0.0.1:5432/youke")
    config = services.database(tmp_path)
    assert config["CONN_MAX_AGE"] > 0 and config["CONN_HEALTH_CHECKS"] is True


def test_a_silent_database_host_fails_within_seconds(clean_env, tmp_path):
    """A host that drops packets must not hold each request for minutes: libpq's connect_timeout is set."""
    clean_env.setenv("DATABASE_URL", "postgres://u:p@127.0.0.1:5432/youke")
    assert services.database(tmp_path)["OPTIONS"]["connect_timeout"] == 5
    clean_env.setenv("DATABASE_CONNECT_TIMEOUT", "2")
    assert services.database(tmp_path)["OPTIONS"]["connect_timeout"] == 2


def test_search_engine_choice(clean_env):
    clean_env.setenv("SEARCH_URL", "http://127.0.0.1:9200")
    clean_env.setenv("SEARCH_ENGINE", "elasticsearch")
    assert services.search()["default"]["BACKEND"] == "search.backends.elasticsearch"
    clean_env.setenv("SEARCH_ENGINE", "solr")
    with pytest.raises(ValueError, match="SEARCH_ENGINE"):
        services.search()


def test_search_url_may_list_every_node_of_a_cluster(clean_env):
    """Each node its own URL: the client goes on with the others when one dies."""
    clean_env.setenv("SEARCH_URL", "http://127.0.0.1:18531, http://127.0.0.1:18532/,")
    assert services.search()["default"]["URLS"] == ["http://127.0.0.1:18531", "http://127.0.0.1:18532/"]


def test_search_replicas_sets_the_copies_of_each_new_index(clean_env):
    clean_env.setenv("SEARCH_URL", "http://127.0.0.1:9200")
    assert "index" not in services.search()["default"]["INDEX_SETTINGS"]["settings"], "unset: the cluster decides"
    clean_env.setenv("SEARCH_REPLICAS", "1")
    index = services.search()["default"]["INDEX_SETTINGS"]["settings"]["index"]
    assert index == {"number_of_replicas": 1}
    clean_env.setenv("SEARCH_REPLICAS", "one")
    with pytest.raises(ValueError, match="SEARCH_REPLICAS"):
        services.search()


def test_blank_variable_counts_as_unset(clean_env, tmp_path):
    """docker-compose passes `VAR=` for unset values; that must not mean an empty URL."""
    clean_env.setenv("DATABASE_URL", "  ")
    assert services.database(tmp_path)["ENGINE"] == "django.db.backends.sqlite3"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://youke:secret@db.example:5432/youke", "postgres://db.example:5432"),
        ("redis://:pw@127.0.0.1:6379/0", "redis://127.0.0.1:6379"),
        ("http://127.0.0.1:9200/", "http://127.0.0.1:9200"),
    ],
)
def test_redact_url_drops_credentials(url, expected):
    assert services.redact_url(url) == expected
