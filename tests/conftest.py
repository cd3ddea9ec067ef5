"""Shared fixtures. Integration tests talk to real services over their real
connections; `scripts/services.sh up` starts them and `make test` runs the
suite with YOUKE_REQUIRE_SERVICES=1, under which a service that is not
configured fails the test instead of skipping it.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would
# otherwise refuse database access from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Which environment variable configures each real service.
SERVICE_ENV = {
    "postgres": "DATABASE_URL",
    "redis": "CELERY_BROKER_URL",
    "search": "SEARCH_URL",
    "elasticsearch": "ELASTICSEARCH_TEST_URL",
    "keycloak": "KEYCLOAK_SERVER_URL",
    "s3": "S3_BUCKET",
    "chromium": "CHROMIUM_PATH",
}


def _require(name):
    var = SERVICE_ENV.get(name)
    configured = bool(os.environ.get(var)) if var else True
    if name == "postgres":
        configured = os.environ.get("DATABASE_URL", "").startswith("postgres")
    if name == "ffmpeg":
        configured = shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None
    if configured:
        return
    missing(f"{name} is not configured ({var or 'not on PATH'}); start it with scripts/services.sh up {name}")


def missing(message):
    """Skip a test whose service is absent - or fail it under `make test`."""
    if os.environ.get("YOUKE_REQUIRE_SERVICES") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Create the search engine's indexes with their real mappings before any test.

    Without this the first page saved makes the engine guess a mapping (no
    copy to the all-text field), and searches of that index find nothing.
    """
    from django.conf import settings
    from django.core.management import call_command

    if settings.WAGTAILSEARCH_BACKENDS["default"].get("URLS"):
        with django_db_blocker.unblock():
            call_command("update_index", backend_name="default", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache, as the database starts clean."""
    from django.core.cache import cache

    cache.clear()


def _services_of(item):
    return [marker.args[0] for marker in item.iter_markers("service")]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Skip (or fail) a test whose service is absent before any of its fixtures is set up.

    A fixture doing it would come after the test's other fixtures had already
    built a library or started a process for nothing.
    """
    for name in _services_of(item):
        _require(name)


@pytest.fixture(autouse=True)
def _service_marker(request):
    if "keycloak" in _services_of(request.node):
        _forget_login_failures()


def _forget_login_failures():
    """Clear the realm's brute-force records: one Keycloak serves the whole suite.

    Its brute-force detection sometimes marks a demo user temporarily disabled
    after a burst of quick sign-ins from other tests (seen in CI with no failed
    login at all), and the lock would fail unrelated tests for a minute.
    """
    from sso.testing import realm_admin

    admin = realm_admin()
    admin.connection.raw_delete(f"admin/realms/{admin.connection.realm_name}/attack-detection/brute-force/users")


@pytest.fixture
def demo_site(request):
    """The demo schools, users and home page, as `make run` loads them.

    Uses whatever database access the test's django_db mark asks for, so that
    live-server tests keep their transactional database.
    """
    assert request.node.get_closest_marker("django_db"), "demo_site needs a django_db mark"
    from home import demo

    return demo.load()


@pytest.fixture
def sso_demo_site(keycloak_settings, demo_site):
    """The demo site as it is with Keycloak: the demo accounts carry the e-mails the
    realm verified for their namesakes (so Keycloak logins adopt them) and no "local:" profile.

    Keycloak's settings come from the environment; without them (the fast tier) one
    pointing nowhere stands in (keycloak_settings), since loading accounts calls no server.
    """
    from sso.testing import give_demo_accounts_their_realm_emails

    give_demo_accounts_their_realm_emails()
    return demo_site


@pytest.fixture
def keycloak_settings(settings, monkeypatch):
    """settings.KEYCLOAK as the environment gives it, else one pointing nowhere (for pure mapping tests)."""
    if not settings.KEYCLOAK:
        from youke.settings import services

        monkeypatch.setenv("KEYCLOAK_SERVER_URL", "http://keycloak.invalid")
        settings.KEYCLOAK = services.keycloak()
    return settings.KEYCLOAK


@pytest.fixture
def realm():
    """Changes made to the Keycloak realm by a test, undone afterwards."""
    from sso.testing import RealmChanges

    changes = RealmChanges()
    yield changes
    changes.undo()


CURRICULUM_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "curriculum_small"


@pytest.fixture
def curriculum(request):
    """A small curriculum (three textbook volumes, one cross-edition link)."""
    assert request.node.get_closest_marker("django_db"), "curriculum needs a django_db mark"
    from resources import taxonomy_loader

    return taxonomy_loader.load_all(CURRICULUM_FIXTURE)


@pytest.fixture
def library(demo_site, curriculum):
    """Demo schools and users, the small curriculum and the lesson library page."""
    from resources.provision import ensure_library

    return ensure_library()


# Without the background-networking flags Chromium keeps trying to reach
# Google's hosts, which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run (a second sync Playwright in one thread is refused)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})  # an ordinary phone
    page = context.new_page()
    yield page
    context.close()
