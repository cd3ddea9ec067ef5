"""A task really leaves this process: a Celery worker picks it up from Redis."""

import os
import subprocess
import sys
import time

import pytest

pytestmark = [pytest.mark.service("redis"), pytest.mark.slow]


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "youke.settings.test"}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "youke", "worker", "-Q", "default,transcode",
             "--pool", "solo", "--hostname", f"pytest-{os.getpid()}@%h", "--loglevel", "INFO"],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_task_runs_in_a_separate_worker_process(worker):
    from youke.celery import app, ping

    assert app.conf.broker_url.startswith("redis://")
    result = ping.delay()
    answer = result.get(timeout=60)
    assert answer["pong"] is True
    assert answer["pid"] != os.getpid(), "the task must run in the worker, not eagerly in the test"
    assert answer["pid"] == worker.pid


def test_worker_answers_control_ping(worker):
    from youke.celery import app

    deadline = time.monotonic() + 30
    replies = []
    while not replies and time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0)
    assert any(name.startswith(f"pytest-{os.getpid()}@") for reply in replies for name in reply)
