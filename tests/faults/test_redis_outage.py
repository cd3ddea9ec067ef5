"""Redis stops while the site serves: pages still answer, /healthz says which part is down, jobs survive.

A private redis-server (port 18420, its own folder, append-only file) stands
in for production's Redis, so the shared one other engineers use is never
touched. The site is the embedded default's settings with REDIS_URL and
CELERY_BROKER_URL pointed at it, as a production host is configured. Outcomes
only: status codes, the health report, the queued job's answer; no timings.
"""

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.faults.helpers import eventually
from tests.processes import ROOT, SERVICE_VARS, stop

pytestmark = [pytest.mark.service("redis"), pytest.mark.slow]

REDIS_PORT, SITE_PORT = 18420, 18421
PAGES = ["/", "/curriculum/", "/search/?q=%E5%88%86%E6%95%B0", "/admin/login/"]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def health(url):
    status, body = get(url + "/healthz")
    return status, json.loads(body)["checks"]


class PrivateRedis:
    def __init__(self, folder):
        self.folder, self.process = folder, None
        folder.mkdir(exist_ok=True)

    def start(self):
        command = [shutil.which("redis-server"), "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--dir"]
        command += [str(self.folder), "--appendonly", "yes", "--appendfsync", "always", "--save", ""]
        log = open(self.folder / "redis.log", "ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        assert eventually(lambda: subprocess.run(
            ["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True, text=True
        ).stdout.strip() == "PONG", 30)  # fmt: skip

    def stop(self):
        stop(self.process)  # SIGTERM: redis flushes its append-only file and exits


@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed (apt-get install redis-server)", pytrace=False)
    work = tmp_path_factory.mktemp("redis-outage")
    redis = PrivateRedis(work / "redis")
    redis.start()
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.update(
        YOUKE_VAR_DIR=str(work / "var"),
        DJANGO_SETTINGS_MODULE="youke.settings.dev",
        DEBUG="0",
        REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",
        CELERY_BROKER_URL=f"redis://127.0.0.1:{REDIS_PORT}/1",
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    log = open(work / "site.log", "wb")
    site = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{SITE_PORT}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{SITE_PORT}"
    try:
        assert eventually(lambda: health(url)[0] == 200, 120), (work / "site.log").read_text()[-3000:]
        yield {"url": url, "env": env, "redis": redis, "work": work}
    finally:
        stop(site)
        log.close()
        redis.stop()


def shell(env, code):
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def test_redis_stops_and_returns(outage):
    url, env, redis = outage["url"], outage["env"], outage["redis"]
    assert {path: get(url + path)[0] for path in PAGES} == dict.fromkeys(PAGES, 200)
    # A job queued before the outage, with no worker running yet to take it.
    job = shell(env, "from youke.celery import ping; print(ping.delay().id)")

    redis.stop()
    during = [get(url + path)[0] for _ in range(3) for path in PAGES]
    assert [code for code in during if code >= 500] == [], during
    status, checks = health(url)
    assert status == 503
    assert checks["cache"]["status"] == "down" and checks["broker"]["status"] == "down"
    assert checks["database"]["status"] == "up"

    redis.start()
    assert eventually(lambda: health(url)[0] == 200, 60)
    assert {path: get(url + path)[0] for path in PAGES} == dict.fromkeys(PAGES, 200)

    # The job queued before the outage is still there: a worker started now answers it.
    log = open(outage["work"] / "worker.log", "wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "youke", "worker", "-Q", "default", "--pool", "solo",
         "--hostname", f"outage-{os.getpid()}@%h", "--loglevel", "INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        code = f"from celery.result import AsyncResult; print(AsyncResult({job!r}).get(timeout=90)['pong'])"
        assert shell(env, code) == "True"
    finally:
        stop(worker)
        log.close()
