"""The README's run command serves the site with nothing but ffmpeg installed.

Starts scripts/run.sh with every service variable removed from the
environment, exactly as on a fresh machine, then uses the site and its worker.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.processes import SERVICE_VARS, free_port, run_site, stop

ROOT = Path(__file__).resolve().parents[2]


pytestmark = [pytest.mark.service("ffmpeg"), pytest.mark.slow]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="module")
def embedded_site(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("embedded-var")
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARS}
    env.update({"YOUKE_VAR_DIR": str(var_dir), "PORT": str(port), "PY": sys.executable})
    process, url, log = run_site(env, var_dir, port)
    yield {"url": url, "env": env, "var_dir": var_dir}
    stop(process, timeout=20)
    log.close()


def test_home_page_has_demo_content(embedded_site):
    status, body = fetch(embedded_site["url"] + "/")
    assert status == 200
    assert "优课" in body
    assert "青山乡中心小学" in body


def test_health_reports_the_embedded_default(embedded_site):
    status, body = fetch(embedded_site["url"] + "/healthz")
    checks = json.loads(body)["checks"]
    assert status == 200
    assert {name: check["backend"] for name, check in checks.items()} == {
        "database": "sqlite",
        "search": "database",
        "storage": "filesystem",
        "broker": "filesystem",
        "cache": "memory",
        "identity": "django",
    }
    assert (embedded_site["var_dir"] / "db.sqlite3").exists()


def test_background_job_runs_in_the_worker_started_with_the_site(embedded_site):
    code = "from youke.celery import ping; import json; print(json.dumps(ping.delay().get(timeout=60)))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=embedded_site["env"], capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["pong"] is True
    assert answer["pid"] != os.getpid()


def test_demo_login_works(embedded_site):
    import re

    import requests

    session = requests.Session()
    login_url = embedded_site["url"] + "/admin/login/"
    form = session.get(login_url, timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = session.post(
        login_url,
        data={"username": "teacher1", "password": "youke-demo", "csrfmiddlewaretoken": token},
        headers={"Referer": login_url},
        timeout=10,
    )
    assert response.url == embedded_site["url"] + "/admin/"
    assert "sessionid" in session.cookies


def test_demo_videos_are_transcoded_by_the_embedded_worker(embedded_site):
    # The demo lesson's video goes through the filesystem broker to the transcode worker.
    code = "from media_pipeline.models import Video; print(sorted(set(Video.objects.values_list('status', flat=True))))"
    deadline, statuses = time.monotonic() + 300, ""
    while time.monotonic() < deadline:
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT, env=embedded_site["env"], capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        statuses = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-500:]
        if statuses == "['ready']":
            break
        time.sleep(3)
    assert statuses == "['ready']", statuses
