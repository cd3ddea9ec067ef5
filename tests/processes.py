"""Processes the tests start: the site as scripts/run.sh starts it, and workers; stopped as a group."""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Removed from the environment for the embedded default, as on a fresh machine.
SERVICE_VARS = {
    "DATABASE_URL", "SEARCH_URL", "SEARCH_ENGINE", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL", "KEYCLOAK_SERVER_URL",
    "KEYCLOAK_CLIENT_SECRET", "DJANGO_SETTINGS_MODULE",
}  # fmt: skip


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process, timeout=30):
    """SIGTERM the process group, then SIGKILL what is still there after `timeout` seconds."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def _status(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def run_site(env, var_dir, port, *, wait=120):
    """Start scripts/run.sh with `env`; wait for /healthz. Returns (process, url, log file)."""
    log = open(Path(var_dir) / "run.log", "wb")  # closed by the caller with the process
    process = subprocess.Popen(
        ["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"run.sh exited {process.returncode}:\n{(Path(var_dir) / 'run.log').read_text()[-3000:]}")
        try:
            if _status(url + "/healthz") == 200:
                return process, url, log
        except OSError:
            pass
        time.sleep(0.5)
    stop(process)
    log.close()
    pytest.fail(f"site did not come up:\n{(Path(var_dir) / 'run.log').read_text()[-3000:]}")
