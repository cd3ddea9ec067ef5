"""Fixtures for tests that need a real Celery worker process for the transcode queue."""

import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from tests.processes import stop


@pytest.fixture
def start_worker(tmp_path):
    """Start `celery worker -Q transcode` on the test database; every one started is stopped at the end."""
    started = []

    def start():
        database = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "youke.settings.test",
            # The worker must see the rows this test commits: the test database, not the configured one.
            "DATABASE_URL": (
                f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{database['PORT']}"
                f"/{database['NAME']}"
            ),
        }
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")  # closed with the process
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "youke", "worker", "-Q", "transcode", "--pool", "solo",
             "--hostname", f"transcode-{os.getpid()}-{len(started)}@%h", "--loglevel", "INFO"],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )  # fmt: skip
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        stop(process)
        log.close()


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")
