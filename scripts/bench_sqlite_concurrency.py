#!/usr/bin/env python
"""A few teachers at once beside a busy worker, on the embedded default's SQLite: how many 5xx?

    .venv/bin/python scripts/bench_sqlite_concurrency.py [--clients 8] [--seconds 20] [--only old|new]

Runs the site twice, each time on a fresh copy of one demo database in a
temporary YOUKE_VAR_DIR (never var/): once with the SQLite options before
`transaction_mode: IMMEDIATE` ("old") and once with today's
`services.database` ("new"). Each time N signed-in clients do what teachers
do - open the upload page, start an upload, PUT its chunks, poll it, complete
it - while a stand-in worker writes the way a transcode does (progress
updates, and the read-then-write claim/finish transactions), for a fixed
number of seconds. Prints the 5xx count and the server's "database is locked"
lines side by side. Rate limits are off in both runs so they do not hide
anything. Bounded: about a minute to prepare, then 2 x (seconds + 15).
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
SERVICE_VARS = ("DATABASE_URL", "SEARCH_URL", "S3_BUCKET", "REDIS_URL", "CELERY_BROKER_URL", "KEYCLOAK_SERVER_URL")
PART = 256 * 1024
SETUP = "from home import demo; from resources import provision; demo.load(); provision.ensure_library()"

SETTINGS = """from youke.settings.dev import *  # noqa: F403
YOUKE_RATE_LIMITS = {{}}
UPLOAD_PART_SIZE = {part}
if {old}:  # the options before transaction_mode IMMEDIATE
    DATABASES["default"]["OPTIONS"].pop("transaction_mode", None)  # noqa: F405
"""

# The worker's writes, as media_pipeline.tasks makes them: a progress UPDATE
# every few hundred ms, and claim/finish transactions that read, then write.
WORKER = """
import time, uuid
from django.db import transaction
from django.utils import timezone
from django.contrib.auth import get_user_model
from media_pipeline.models import Video
owner = get_user_model().objects.get(username="teacher1")
video = Video.objects.create(owner=owner, title="worker", original_filename="w.mp4", size=1)
errors = 0
end = time.monotonic() + {seconds}
while time.monotonic() < end:
    try:
        for _ in range(5):
            Video.objects.filter(pk=video.pk).update(progress=int(time.time()) % 99, heartbeat_at=timezone.now())
            time.sleep(0.05)
        with transaction.atomic():
            current = Video.objects.select_for_update().get(pk=video.pk)
            time.sleep(0.02)  # what _make does between reading and writing (listing outputs)
            current.task_id = uuid.uuid4().hex
            current.save()
    except Exception as error:
        errors += 1
        print("worker error:", error, flush=True)
print("WORKER_ERRORS", errors, flush=True)
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(var_dir, settings_dir):
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.update(
        YOUKE_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="bench_settings",
        PYTHONPATH=f"{settings_dir}{os.pathsep}{ROOT}",
        DEBUG="0",
    )
    return env


def prepare(template):
    """One demo database for both runs (migrating and loading the demo takes a while)."""
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.update(YOUKE_VAR_DIR=str(template), DJANGO_SETTINGS_MODULE="youke.settings.dev", DEBUG="0")
    # The demo's people and roles only (load_demo's whole library takes minutes).
    for command in (["migrate", "--noinput", "-v0"], ["shell", "-c", SETUP]):
        subprocess.run([PY, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)


class Client(threading.Thread):
    def __init__(self, base, number, deadline, statuses):
        super().__init__(daemon=True)
        self.base, self.number, self.deadline, self.statuses = base, number, deadline, statuses
        self.session = requests.Session()

    def call(self, method, path, **kwargs):
        try:
            response = self.session.request(method, self.base + path, timeout=30, **kwargs)
        except requests.RequestException:
            self.statuses["connection error"] += 1
            return None
        self.statuses[response.status_code] += 1
        if response.status_code >= 400 and response.status_code != 422:
            self.statuses[f"{response.status_code} {method} {re.sub(r'[0-9a-f-]{36}', '<id>', path)}"] += 1
        return response

    def sign_in(self):
        self.call("GET", "/admin/login/")
        token = self.session.cookies.get("csrftoken")
        username = ("teacher1", "teacher2")[self.number % 2]
        data = {"username": username, "password": "youke-demo", "csrfmiddlewaretoken": token}
        self.call("POST", "/admin/login/?next=/admin/", data=data, headers={"Referer": self.base + "/admin/login/"})
        self.headers = {"X-CSRFToken": self.session.cookies.get("csrftoken"), "Referer": self.base + "/admin/"}

    def run(self):
        self.sign_in()
        api = "/media-pipeline/uploads/"
        body = os.urandom(PART * 3)
        while time.monotonic() < self.deadline:
            self.call("GET", "/admin/video-upload/")
            created = self.call(
                "POST", api, json={"filename": f"c{self.number}.mp4", "size": len(body)}, headers=self.headers
            )
            if created is None or created.status_code != 201:
                continue
            upload = created.json()["id"]
            for n in range(1, 4):
                self.call(
                    "PUT", f"{api}{upload}/chunks/{n}/", data=body[(n - 1) * PART : n * PART], headers=self.headers
                )
                self.call("GET", f"{api}{upload}/", headers=self.headers)  # progress polling
            # Random bytes: the check refuses them (422) - after joining the parts, as for a real file.
            self.call("POST", f"{api}{upload}/complete/", headers=self.headers)


def run(mode, template, clients, seconds):
    work = Path(tempfile.mkdtemp(prefix=f"youke-bench-{mode}-"))
    try:
        var_dir, settings_dir = work / "var", work / "settings"
        shutil.copytree(template, var_dir)
        settings_dir.mkdir()
        (settings_dir / "bench_settings.py").write_text(SETTINGS.format(part=PART, old=mode == "old"))
        env = environment(var_dir, settings_dir)
        port = free_port()
        log = open(work / "server.log", "w+")
        server = subprocess.Popen(
            [PY, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                requests.get(base + "/admin/login/", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.2)
        worker = subprocess.Popen(
            [PY, "manage.py", "shell", "-c", WORKER.format(seconds=seconds)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        statuses = Counter()
        deadline = time.monotonic() + seconds
        threads = [Client(base, i, deadline, statuses) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + 60)
        worker_out, _ = worker.communicate(timeout=60)
        server.terminate()
        server.wait(10)
        log.seek(0)
        server_log = log.read()
        log.close()
        worker_errors = int((re.findall(r"WORKER_ERRORS (\d+)", worker_out) or ["-1"])[-1])
        return {
            "requests": sum(c for s, c in statuses.items() if not isinstance(s, str) or s == "connection error"),
            "5xx": sum(c for s, c in statuses.items() if isinstance(s, int) and s >= 500),
            "locked (server log)": server_log.count("database is locked"),
            "worker errors": worker_errors,
            "statuses": dict(sorted(statuses.items(), key=str)),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=12)
    parser.add_argument("--only", choices=("old", "new"))
    args = parser.parse_args()
    template = Path(tempfile.mkdtemp(prefix="youke-bench-template-")) / "var"
    try:
        prepare(template)
        modes = [args.only] if args.only else ["old", "new"]
        results = {mode: run(mode, template, args.clients, args.seconds) for mode in modes}
    finally:
        shutil.rmtree(template.parent, ignore_errors=True)
    print(f"{args.clients} clients, {args.seconds} s, worker writing beside them, SQLite (embedded default)")
    rows = ["requests", "5xx", "locked (server log)", "worker errors", "statuses"]
    print(f"{'':22}" + "".join(f"{mode:>12}" for mode in modes))
    for row in rows[:-1]:
        print(f"{row:22}" + "".join(f"{results[mode][row]:>12}" for mode in modes))
    for mode in modes:
        print(f"{mode} statuses: {results[mode]['statuses']}")


if __name__ == "__main__":
    main()
