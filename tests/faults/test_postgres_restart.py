"""PostgreSQL restarts while the site serves a district's load: requests fail cleanly, then recover
without a site restart, and every heartbeat the site credited is in the training ledger.

A private PostgreSQL 15 cluster (port 18510, its own data folder, run by the
unprivileged service user as scripts/services/postgres.sh runs the shared
one) stands in for production's database, so the shared one is never
touched. The site is gunicorn as production runs it (gthread, persistent
connections: CONN_MAX_AGE) on the embedded default's settings with
DATABASE_URL pointed at the private cluster, as a production host is
configured, with the demo library and training course loaded. During the long
outage scripts/locust_district.py's mix (tests/faults/load.py) runs beside the
test's own requests. Outcomes only: status codes, the error page, the health
report, the saved form, the ledger; no timings.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.faults.helpers import eventually
from tests.faults.load import DistrictLoad, failures, kinds, ledger_shortfalls
from tests.processes import ROOT, SERVICE_VARS, stop

pytestmark = [pytest.mark.service("postgres"), pytest.mark.slow]

PG_PORT, SITE_PORT = 18510, 18511
PG_BIN = Path("/usr/lib/postgresql/15/bin")
SERVICE_USER = os.environ.get("YOUKE_SERVICE_USER", "youke")
PAGES = ["/", "/curriculum/", "/search/?q=%E5%88%86%E6%95%B0", "/training/"]
ADMIN = ("pgfault_admin", "pgfault-Pass-1")


class PrivatePostgres:
    """A throwaway cluster in a folder the service user owns (postgres refuses to run as root).

    Not under pytest's tmp_path: that sits in a 0700 folder of root's, which
    the service user cannot enter.
    """

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="youke-pg-fault-"))
        self.data = self.folder / "data"
        if os.geteuid() == 0:
            shutil.chown(self.folder, SERVICE_USER)

    def run(self, *command, check=True):
        prefix = ["runuser", "-u", SERVICE_USER, "--"] if os.geteuid() == 0 else []
        result = subprocess.run(
            [*prefix, *map(str, command)], cwd=self.folder, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0 or not check, f"{command[0]}: {result.stderr}"
        return result

    def init(self):
        self.run(PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--encoding=UTF8", "--locale=C.UTF-8",
                 "--auth-local=trust", "--auth-host=scram-sha-256")  # fmt: skip
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {PG_PORT}\nunix_socket_directories = '{self.data}'\n"
                "fsync = off\nfull_page_writes = off\n"
            )
        self.start()
        # Two -c: CREATE DATABASE cannot run in the transaction one -c with two statements is.
        self.run(PG_BIN / "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.data, "-p", PG_PORT,
                 "-U", "postgres", "-d", "postgres", "-c", "CREATE ROLE youke LOGIN PASSWORD 'youke'",
                 "-c", "CREATE DATABASE youke OWNER youke")  # fmt: skip

    def start(self):
        result = self.run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.folder / "postgres.log", "-w", "-t", "60",
                          "start", check=False)  # fmt: skip
        assert result.returncode == 0, result.stderr + self.log()

    def stop(self):
        self.run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "60", "stop", check=False)

    def log(self):
        path = self.folder / "postgres.log"
        return path.read_text()[-3000:] if path.exists() else ""

    def remove(self):
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip()


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    if not (PG_BIN / "pg_ctl").exists():
        pytest.fail("PostgreSQL 15 is not installed (scripts/services.sh up postgres)", pytrace=False)
    work = tmp_path_factory.mktemp("postgres-restart")
    postgres = PrivatePostgres()
    try:
        postgres.init()
        env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
        env.update(
            YOUKE_VAR_DIR=str(work / "var"),
            DJANGO_SETTINGS_MODULE="youke.settings.dev",
            DEBUG="0",
            DATABASE_URL=f"postgres://youke:youke@127.0.0.1:{PG_PORT}/youke",
        )
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_demo")  # what the load browses, and its demo accounts
        manage(env, "load_training_demo")  # the course and transcoded video the learners' heartbeats are for
        name, password = ADMIN
        code = f"from django.contrib.auth.models import User; User.objects.create_superuser({name!r}, '', {password!r})"
        manage(env, "shell", "-c", code)
        log = open(work / "site.log", "wb")
        # As scripts/run.sh and docker-compose.yml serve the site: gthread workers keep their connections.
        site = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "youke.wsgi", "--bind", f"127.0.0.1:{SITE_PORT}", "--workers", "1",
             "--threads", "4", "--worker-class", "gthread", "--timeout", "60", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        url = f"http://127.0.0.1:{SITE_PORT}"
        try:
            up = eventually(lambda: requests.get(url + "/healthz", timeout=30).status_code == 200, 120)
            assert up, (work / "site.log").read_text()[-3000:]
            yield {"url": url, "env": env, "postgres": postgres, "work": work}
        finally:
            stop(site)
            log.close()
    finally:
        postgres.remove()


def statuses(session, url):
    return {path: session.get(url + path, timeout=30).status_code for path in PAGES}


def signed_in(url):
    session = requests.Session()
    form = session.get(url + "/admin/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    answer = session.post(
        url + "/admin/login/",
        data={"csrfmiddlewaretoken": token, "username": ADMIN[0], "password": ADMIN[1], "next": "/admin/"},
        headers={"Referer": url + "/admin/login/"},
        timeout=30,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[-2000:]
    return session


def add_collection(session, url, name):
    form = session.get(url + "/admin/collections/add/", timeout=30)
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    parent = re.search(r'name="parent"[^>]*value="(\d+)"', form.text) or re.search(r'<option value="(\d+)"', form.text)
    return session.post(
        url + "/admin/collections/add/",
        data={"csrfmiddlewaretoken": token, "name": name, "parent": parent.group(1)},
        headers={"Referer": url + "/admin/collections/add/"},
        timeout=30,
        allow_redirects=False,
    )


def test_quick_restart_is_invisible(database):
    """A restart between two requests: the connections kept from before are dead, the site notices and reconnects."""
    url, postgres = database["url"], database["postgres"]
    visitor = requests.Session()
    assert statuses(visitor, url) == dict.fromkeys(PAGES, 200)

    postgres.stop()
    postgres.start()
    # The very first requests, not eventually: each would otherwise fail once on its stale connection.
    assert statuses(visitor, url) == dict.fromkeys(PAGES, 200)
    assert statuses(requests.Session(), url) == dict.fromkeys(PAGES, 200)


def test_outage_fails_cleanly_and_recovers(database):
    url, env, postgres = database["url"], database["env"], database["postgres"]
    admin = signed_in(url)
    assert admin.get(url + "/admin/", timeout=30).status_code == 200
    assert statuses(requests.Session(), url) == dict.fromkeys(PAGES, 200)

    with DistrictLoad(url, database["work"]) as load:
        load.wait_for_credit()
        postgres.stop()
        stopped = time.time()
        visitor = requests.Session()
        during = [visitor.get(url + path, timeout=30) for _ in range(2) for path in PAGES]
        during += [admin.get(url + path, timeout=30) for path in ["/admin/", "/admin/collections/add/"]]
        assert [r.status_code for r in during if r.status_code >= 500 and r.status_code != 503] == [], "no 500 storm"
        for answer in during:
            assert "Traceback" not in answer.text and "OperationalError" not in answer.text, answer.text[:2000]
        # Pages that need the database say so; the others (the login form, search's own fallback) still answer.
        needs_database = [r for r in during if r.url in {url + "/", url + "/curriculum/"} or "/admin/" in r.url]
        assert len(needs_database) == 6 and {r.status_code for r in needs_database} == {503}
        for answer in needs_database:
            assert "数据库暂时无法访问" in answer.text and "稍后刷新" in answer.text, answer.text[:2000]
            assert answer.headers.get("Retry-After")
        health = visitor.get(url + "/healthz", timeout=30)
        assert health.status_code == 503
        assert health.json()["checks"]["database"]["status"] == "down"

        load.wait_for_answers(stopped, 40, 180, "load in the outage")
        in_outage = load.answers(since=stopped)
        postgres.start()
        # No site restart: the first requests after the database is back are answered.
        assert statuses(visitor, url) == dict.fromkeys(PAGES, 200)
        assert admin.get(url + "/admin/", timeout=30).status_code == 200, "the session from before the outage is kept"
        saved = add_collection(admin, url, "故障恢复后新建")
        assert saved.status_code == 302, saved.text[-2000:]
        code = "from wagtail.models import Collection; print(Collection.objects.filter(name='故障恢复后新建').count())"
        assert manage(env, "shell", "-c", code).splitlines()[-1] == "1", "the form posted after recovery is saved"
        health = visitor.get(url + "/healthz", timeout=30)
        assert health.status_code == 200 and health.json()["checks"]["database"]["status"] == "up"
        back = time.time()
        load.wait_for_answers(back, 40, 180, "load after it")

    # The load's side: the outage answered 503 (never 500, never a dropped connection), pages came back,
    # and what the site said it credited before and after is stored.
    answers = load.answers()
    assert failures(answers, allowed=(503,)) == [], kinds(answers)
    assert (("curriculum", 503) in kinds(in_outage)) and failures(load.answers(since=back)) == [], kinds(answers)
    assert [a for a in in_outage if a["kind"] == "heartbeat" and a["status"] == 200 and a["t"] > stopped + 5] == []
    assert ledger_shortfalls(env, answers) == [], "every heartbeat the site credited is in the ledger"
