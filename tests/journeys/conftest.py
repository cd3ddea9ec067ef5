"""Journeys: the platform started as `make run` starts it, used only through Chromium.

Each configuration is a real site in its own processes (scripts/run.sh: the
web server and its Celery workers), so nothing here builds the thing under
test in the ORM or shares a transaction with the site:

- "embedded": every service variable removed, as on a fresh machine
  (SQLite, database search, local files, Django accounts, filesystem broker);
- "services": the real services of `scripts/services.sh` (PostgreSQL in a
  fresh database, OpenSearch under its own index prefix, S3, Redis, and
  sign-in through Keycloak's own login page).

Screenshots go to var/screenshots/journeys/<configuration>/<persona>/, which
CI keeps; look at them.
"""

import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.journeys.steps import make_teaching_files
from tests.processes import SERVICE_VARS, free_port, run_site, stop

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots" / "journeys"
PASSWORD = "youke-demo"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
# Extra service variables the journeys' own site gets on top of scripts/services.sh env.
JOURNEY_DB = "youke_journeys"
JOURNEY_INDEX_PREFIX = "journeys_"

# For each journey module: it needs Chromium and ffmpeg, and starts the site.
JOURNEY_MARKS = [pytest.mark.service("chromium"), pytest.mark.service("ffmpeg"), pytest.mark.slow]


def _services_env():
    """The site's environment on the real services: a fresh database and search prefix of its own."""
    needed = ("DATABASE_URL", "SEARCH_URL", "S3_BUCKET", "KEYCLOAK_SERVER_URL", "REDIS_URL")
    missing = [name for name in needed if not os.environ.get(name)]
    if missing:
        if os.environ.get("YOUKE_REQUIRE_SERVICES"):
            pytest.fail(f"journeys on the real services need {', '.join(missing)}")
        pytest.skip(f"real services not configured ({', '.join(missing)})")
    import psycopg

    base = os.environ["DATABASE_URL"]
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {JOURNEY_DB} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {JOURNEY_DB}")
    search = os.environ["SEARCH_URL"].rstrip("/")
    request = urllib.request.Request(f"{search}/{JOURNEY_INDEX_PREFIX}*", method="DELETE")
    try:
        urllib.request.urlopen(request, timeout=30).close()
    except urllib.error.HTTPError as error:
        if error.code != 404:
            raise
    redis = os.environ["REDIS_URL"].rsplit("/", 1)[0]
    return {
        "DATABASE_URL": base.rsplit("/", 1)[0] + "/" + JOURNEY_DB,
        "SEARCH_INDEX_PREFIX": JOURNEY_INDEX_PREFIX,
        # Databases of their own on the shared Redis: the test suite's workers never take these jobs.
        "REDIS_URL": f"{redis}/8",
        "CELERY_BROKER_URL": f"{redis}/9",
    }


@pytest.fixture(scope="session", params=["embedded", "services"])
def platform(request, tmp_path_factory):
    """A running platform: {"name", "url", "var_dir", "keycloak"}.

    YOUKE_JOURNEY_URL=http://127.0.0.1:8000 points the journeys at a site you
    already run on the embedded default (while writing a journey), instead.
    """
    name = request.param
    existing = os.environ.get("YOUKE_JOURNEY_URL")
    if existing:
        if name != "embedded":
            pytest.skip("YOUKE_JOURNEY_URL: the one site given")
        yield {"name": "given", "url": existing.rstrip("/"), "var_dir": None, "keycloak": False, "log": None}
        return
    var_dir = tmp_path_factory.mktemp(f"journeys-{name}")
    if name == "services":
        env = {**os.environ, **_services_env()}
        env.pop("DJANGO_SETTINGS_MODULE", None)
    else:  # as on a fresh machine
        env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARS}
    port = free_port()
    env.update({"YOUKE_VAR_DIR": str(var_dir), "PORT": str(port), "PY": sys.executable})
    env.pop("YOUKE_REQUIRE_SERVICES", None)
    process, url, log = run_site(env, var_dir, port, wait=240)
    yield {"name": name, "url": url, "var_dir": var_dir, "keycloak": name == "services", "log": var_dir / "run.log"}
    stop(process)
    log.close()


class Person:
    """One person at one screen: a browser context of their own, and their screenshots."""

    def __init__(self, browser, platform, persona, viewport):
        self.platform = platform
        self.persona = persona
        self.url = platform["url"]
        self.context = browser.new_context(locale="zh-CN", viewport=viewport, accept_downloads=True)
        self.context.set_default_timeout(30_000)
        self.page = self.context.new_page()
        self.size = "phone" if viewport["width"] < 600 else "desktop"
        self.problems = []
        # Every server error the person meets is a failure, even where the page hides it.
        self.page.on("response", lambda r: self.problems.append(f"{r.status} {r.url}") if r.status >= 500 else None)

    def go(self, path):
        self.page.goto(self.url + path)
        return self.page

    def folder(self):
        folder = SHOTS / self.platform["name"] / self.persona
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def shoot(self, name):
        self.page.screenshot(path=str(self.folder() / f"{name}-{self.size}.png"), full_page=True)

    def sign_in(self, username, password=PASSWORD):
        """Sign in as a person does: 登录 in the site's header, then the form the site shows."""
        page = self.page
        if not page.url.startswith(self.url):
            self.go("/")
        page.get_by_role("link", name="登录").first.click()
        if self.platform["keycloak"]:
            page.wait_for_selector("#kc-login")
            page.fill("#username", username)
            page.fill("#password", password)
            page.click("#kc-login")
        else:
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill(password)
            page.get_by_role("button", name="登录").click()
        page.wait_for_url(self.url + "/**")
        try:
            page.get_by_role("button", name="退出").wait_for()
        except Exception as exc:
            self.shoot("sign-in-failed")
            text = page.locator("body").inner_text()[:400]
            raise AssertionError(f"{username} not signed in at {page.url}: {text}") from exc

    def sign_out(self):
        self.page.get_by_role("button", name="退出").click()
        self.page.wait_for_load_state()

    def close(self):
        self.context.close()
        assert not self.problems, f"server errors met by {self.persona}: {self.problems}"


@pytest.fixture
def person(browser, platform):
    """person(persona, phone=False) -> Person; every context is closed (and checked) at the end."""
    people = []

    def make(persona, phone=False):
        people.append(Person(browser, platform, persona, PHONE if phone else DESKTOP))
        return people[-1]

    yield make
    for someone in people:
        someone.close()


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    """The teaching files a teacher uploads (tests.journeys.steps.make_teaching_files)."""
    return make_teaching_files(tmp_path_factory.mktemp("teaching-files"))
