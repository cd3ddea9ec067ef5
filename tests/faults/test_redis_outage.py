"""Redis stops while the site serves a district's load: pages still answer, /healthz says which part is
down, jobs survive, and every heartbeat the site credited meanwhile is in the training ledger.

A private redis-server (port 18420, its own folder, append-only file) stands
in for production's Redis, so the shared one other engineers use is never
touched. The site is the embedded default's settings with REDIS_URL and
CELERY_BROKER_URL pointed at it, as a production host is configured, with the
demo library and training course loaded; scripts/locust_district.py's mix
(tests/faults/load.py) runs from before the outage until after Redis is back.
Outcomes only: status codes, the health report, the queued job's answer, the
ledger; no timings.
"""

import os
import shutil
import subprocess
import sys
import time

import pytest

from tests.faults.helpers import eventually, get, health, manage, shell, site_env, start_site
from tests.faults.load import DistrictLoad, failures, kinds, ledger_shortfalls
from tests.processes import ROOT, stop

pytestmark = [pytest.mark.service("redis"), pytest.mark.slow]

REDIS_PORT, SITE_PORT = 18420, 18421
PAGES = ["/", "/curriculum/", "/search/?q=%E5%88%86%E6%95%B0", "/admin/login/"]


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
    env = site_env(
        work, REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}/0", CELERY_BROKER_URL=f"redis://127.0.0.1:{REDIS_PORT}/1"
    )
    site = log = None
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_demo")  # what the load browses, and its demo accounts
        manage(env, "load_training_demo")  # the course and transcoded video the learners' heartbeats are for
        site, log, url = start_site(env, SITE_PORT, work / "site.log")
        assert eventually(lambda: health(url)[0] == 200, 120), (work / "site.log").read_text()[-3000:]
        yield {"url": url, "env": env, "redis": redis, "work": work}
    finally:
        if site:
            stop(site)
            log.close()
        redis.stop()


def test_redis_stops_and_returns_under_load(outage):
    url, env, redis = outage["url"], outage["env"], outage["redis"]
    assert {path: get(url + path)[0] for path in PAGES} == dict.fromkeys(PAGES, 200)
    # A job queued before the outage, with no worker running yet to take it.
    job = shell(env, "from youke.celery import ping; print(ping.delay().id)")

    with DistrictLoad(url, outage["work"]) as load:
        load.wait_for_credit()
        redis.stop()
        stopped = time.time()
        during = [get(url + path)[0] for _ in range(3) for path in PAGES]
        assert [code for code in during if code >= 500] == [], during
        status, checks = health(url)
        assert status == 503
        assert checks["cache"]["status"] == "down" and checks["broker"]["status"] == "down"
        assert checks["database"]["status"] == "up"
        load.wait_for_answers(stopped, 40, 180, "the load's answers while Redis is down")
        in_outage = load.answers(since=stopped)
        redis.start()
        assert eventually(lambda: health(url)[0] == 200, 60)
        back = time.time()
        load.wait_for_answers(back, 40, 180, "the load's answers once Redis is back")
    answers = load.answers()
    assert failures(answers) == [], kinds(answers)
    assert {kind for kind, status in kinds(in_outage) if status == 200} >= {"curriculum", "lesson page", "heartbeat"}
    assert ledger_shortfalls(env, answers) == [], "every heartbeat the site credited is in the ledger"
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
