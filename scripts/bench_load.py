#!/usr/bin/env python
"""A district's load (scripts/locust_district.py) on the embedded default and on the production shape, side by side.

    .venv/bin/python scripts/bench_load.py --embedded-var DIR --production-env FILE \\
        [--users 4,8,16,32] [--seconds 30] [--workers 4] [--threads 1] [--only embedded|production]
        [--learners 200] [--uploads] [--approve]
        [--production-url https://127.0.0.1:18443 --cafile .prodlike/nginx/certs/tls.crt]

embedded:   `scripts/run.sh`'s configuration (dev settings, SQLite, database
            search, local media) from a prepared YOUKE_VAR_DIR (migrate,
            load_demo, load_training_demo), copied so the run never changes it;
            gunicorn with 2 gthread workers of 4 threads, as run.sh serves it.
production: youke.settings.production under gunicorn (--workers sync workers)
            with the environment in FILE (a shell file of `export` lines:
            DATABASE_URL, REDIS_URL, SEARCH_URL, SEARCH_INDEX_PREFIX, SECRET_KEY,
            YOUKE_VAR_DIR with collected static files...), already migrated and loaded.

--learners N adds N signed-in learners (scripts/bench_learners.py makes their
accounts, enrolments and sessions in the target) to every step, each sending
the player's heartbeat every 10 s ("player heartbeat" in the table): a
training week's 200 concurrent learners are 20 heartbeats a second.

--production-url measures a production shape that is already running (for
scripts/prodlike.sh: nginx, TLS, its gunicorn and hosts) instead of starting
gunicorn; --production-env is then the shape's environment (`prodlike.sh
env`), used only to prepare the learners. Its rate limits are its own: start
it with RATE_LIMIT_SEARCH=1000000/m for a fair search column.

--uploads: in every step one teacher uploads a minute-long lesson video
(ffmpeg-made, about 11 MB) by parts, as the uploader page does; --approve:
the mix's school reviewer approves now and then what waits on the dashboard
(the demo's few pending lessons: a run approves them once, then there is
nothing left to approve until the demo is loaded afresh).

Each target gets the same steps of concurrent locust users (bounded: each
step lasts --seconds, after a short ramp); the server and locust share this
machine's cores, so the numbers are this machine's, not a server's. Prints,
per target and step, throughput and p50/p95/p99 per request kind and errors,
then the knee: the lowest step at which the overall p95 passes 500 ms, and
for each step the cores each part of the machine kept busy (from /proc: web,
postgres, opensearch, locust...), which says what saturates first.
Loopback only (127.0.0.1, ports 18410-18411). Rate limits are raised for the
run (all users share one IP; the limits would answer 429 instead of working).
"""

import argparse
import csv
import json
import os
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PY = str(BIN / "python") if (BIN / "python").exists() else sys.executable
SERVICE_VARS = ("DATABASE_URL", "SEARCH_URL", "S3_BUCKET", "REDIS_URL", "CELERY_BROKER_URL", "KEYCLOAK_SERVER_URL")
PORTS = {"embedded": 18410, "production": 18411}
KNEE_MS = 500
KINDS = ("curriculum", "lesson page", "playlist", "search", "heartbeat", "player heartbeat", "review list")
KINDS += ("approve", "upload", "upload part", "Aggregated")
NO_LIMITS = {f"RATE_LIMIT_{name}": "1000000/m" for name in ("SEARCH", "AUTOCOMPLETE")}


def read_env_file(path):
    """`export A=b C=d` lines, as bash would read them (no expansion needed here)."""
    env = {}
    for line in Path(path).read_text().splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "export":
            words = words[1:]
        for word in words:
            key, _, value = word.partition("=")
            env[key] = value
    return env


def target_env(target, args, work):
    base_env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    if target == "embedded":
        var = work / "var"
        if not var.exists():
            shutil.copytree(args.embedded_var, var)
        env = {**base_env, **NO_LIMITS, "YOUKE_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "youke.settings.dev"}
        env["DEBUG"] = "0"
        return env
    return {**base_env, **read_env_file(args.production_env), **NO_LIMITS}


def prepare_learners(target, args, work):
    """scripts/bench_learners.py in the target: the file locust's Player class reads, or None."""
    if not args.learners:
        return None
    code = f"import sys; sys.path.insert(0, 'scripts'); import bench_learners; bench_learners.main({args.learners})"
    result = subprocess.run(
        [PY, "manage.py", "shell", "-c", code], cwd=ROOT, env=target_env(target, args, work),
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    if result.returncode:
        raise SystemExit(f"preparing {args.learners} learners on {target} failed:\n{result.stderr[-3000:]}")
    path = work / f"{target}-learners.json"
    path.write_text(result.stdout.strip().splitlines()[-1])
    return path


def start(target, args, work):
    if target == "production" and args.production_url:
        return None, args.production_url.rstrip("/")  # already running: scripts/prodlike.sh behind nginx
    port = PORTS[target]
    log = open(work / f"{target}.log", "w")
    env = target_env(target, args, work)
    if target == "embedded":  # as scripts/run.sh serves it
        command = [str(BIN / "gunicorn"), "youke.wsgi", "-b", f"127.0.0.1:{port}", "--workers", "2"]
        command += ["--worker-class", "gthread", "--threads", "4", "--timeout", "120"]
    else:
        command = [str(BIN / "gunicorn"), "youke.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(args.workers)]
        command += ["--timeout", "60", "--access-logfile", "-"]
        if args.threads > 1:  # gthread: a slow request (a sign-in's password hash) no longer holds a whole worker
            command += ["--worker-class", "gthread", "--threads", str(args.threads)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(base + "/curriculum/", timeout=5).status_code < 500:
                return server, base
        except requests.RequestException:
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"{target} did not answer on {base}; see {work / (target + '.log')}")


def make_clip(work):
    """A minute of 640x360 video at 1.5 Mbit/s (about 11 MB): a lesson's upload in two or three parts."""
    path = work / "lesson.mp4"
    command = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=60"]
    command += ["-f", "lavfi", "-i", "sine=frequency=440:duration=60", "-c:v", "libx264", "-preset", "ultrafast"]
    command += ["-b:v", "1500k", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)]
    subprocess.run(command, check=True, timeout=300)
    return path


def run_step(base, users, seconds, work, name, learners=None, cafile=None, extra=None):
    prefix = work / name
    env = {**os.environ, **(extra or {})}
    if cafile:  # the production shape's test certificate, for locust and the requests it makes
        env["YOUKE_LOAD_CA"] = env["REQUESTS_CA_BUNDLE"] = cafile
    players = 0
    if learners:  # the signed-in learners come on top of the step's users, all at the start
        env["YOUKE_LOAD_PLAYERS"] = str(learners)
        players = len(json.loads(learners.read_text())["sessions"])
    command = [str(BIN / "locust"), "-f", str(ROOT / "scripts" / "locust_district.py"), "--headless"]
    command += ["-u", str(users + players), "-r", str(max(1, users // 2) + players), "-t", f"{seconds}s"]
    command += ["--host", base, "--csv", str(prefix), "--only-summary", "--stop-timeout", "5"]
    command += ["--loglevel", "WARNING"]
    subprocess.run(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=seconds + 180
    )
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = {
                "n": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": row["50%"],
                "p95": row["95%"],
                "p99": row["99%"],
            }
    with open(f"{prefix}_failures.csv", newline="") as f:
        # What went wrong, not only how often: 5xx, timeouts, dropped connections.
        for row in csv.DictReader(f):
            print(f"  {name} error: {row['Method']} {row['Name']}: {row['Error'][:160]} x{row['Occurrences']}")
    return rows


def cell(row):
    if not row:
        return "-"
    return f"{row['rps']:6.1f}/s {row['p50']:>5}/{row['p95']:>5}/{row['p99']:>5} ms err {row['errors']}"


# Which part of the platform a process is, by its command line: the CPU split says what saturates first.
PARTS = (("locust", "locust"), ("celery", "celery"), ("gunicorn", "web"), ("runserver", "web"),
         ("opensearch", "opensearch"), ("keycloak", "keycloak"), ("s3proxy", "s3"), ("postgres", "postgres"),
         ("redis-server", "redis"), ("nginx", "nginx"), ("ffmpeg", "ffmpeg"))  # fmt: skip
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_by_part():
    """{part: CPU seconds used so far} over this machine's live processes (/proc), and locust's.

    locust starts and ends within a step, so /proc never sees it twice: its
    time is the one of this script's waited-for children.
    """
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = {"locust": children.ru_utime + children.ru_stime}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        part = next((name for marker, name in PARTS if marker in command), "other")
        if part == "locust":
            continue  # counted above, once it has ended
        used[part] = used.get(part, 0.0) + (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
    return used


def cpu_line(before, after, seconds):
    """Cores each part kept busy during a step, busiest first."""
    cores = {part: (after.get(part, 0.0) - before.get(part, 0.0)) / seconds for part in after}
    busy = sorted(((c, part) for part, c in cores.items() if c >= 0.02), reverse=True)
    return "  cores: " + ", ".join(f"{part} {c:.2f}" for c, part in busy)


def report(results, targets, steps):
    width = 44
    print(f"\nper kind: req/s p50/p95/p99 errors (users = concurrent locust users)\n{'kind':<18}{'users':>6}  ", end="")
    print("".join(f"{t:<{width}}" for t in targets))
    for kind in KINDS:
        for users in steps:
            print(f"{kind:<18}{users:>6}  ", end="")
            print("".join(f"{cell(results[t].get(users, {}).get(kind)):<{width}}" for t in targets))
    print(f"\nknee: total req/s at the first step where a kind's p95 passes {KNEE_MS} ms")
    for target in targets:
        for kind in KINDS:
            over = [u for u in steps if float(results[target][u].get(kind, {}).get("p95", 0) or 0) > KNEE_MS]
            if not over:
                print(f"  {target:<11} {kind:<16} not reached up to {steps[-1]} users")
                continue
            total = results[target][over[0]]["Aggregated"]["rps"]
            print(f"  {target:<11} {kind:<16} at {over[0]} users, {total:.1f} req/s in all")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedded-var", help="a prepared YOUKE_VAR_DIR for the embedded default")
    parser.add_argument("--production-env", help="a file of export lines for the production shape")
    parser.add_argument("--users", default="4,8,16,32")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (>1: gthread)")
    parser.add_argument("--only", choices=PORTS)
    parser.add_argument("--production-url", help="measure a running production shape instead (no server started)")
    parser.add_argument("--cafile", help="the CA of --production-url's certificate")
    parser.add_argument("--uploads", action="store_true", help="a teacher uploads a lesson by parts in each step")
    parser.add_argument("--approve", action="store_true", help="the reviewer approves what waits for review")
    parser.add_argument("--learners", type=int, default=0, help="signed-in learners beating every 10 s, per step")
    args = parser.parse_args()
    steps = [int(n) for n in args.users.split(",")]
    extra = {"YOUKE_LOAD_APPROVE": "1"} if args.approve else {}
    targets = [args.only] if args.only else list(PORTS)
    results = {}
    work = Path(tempfile.mkdtemp(prefix="youke-bench-load-"))
    if args.uploads:  # one teacher uploading a lesson by parts at the start of every step
        extra |= {"YOUKE_LOAD_CLIP": str(make_clip(work)), "YOUKE_LOAD_UPLOADS": "1"}
    try:
        for target in targets:
            learners = prepare_learners(target, args, work)
            server, base = start(target, args, work)
            try:
                results[target] = {}
                for users in steps:
                    name = f"{target}-{users}"
                    cafile = args.cafile if target == "production" else None
                    before, began = cpu_by_part(), time.monotonic()
                    step = run_step(base, users, args.seconds, work, name, learners, cafile, extra)
                    results[target][users] = step
                    split = cpu_line(before, cpu_by_part(), time.monotonic() - began)
                    agg = results[target][users].get("Aggregated", {})
                    print(f"{target} {users} users: {cell(agg)}\n{split}", flush=True)
            finally:
                if server:
                    server.terminate()
                    server.wait(20)
        report(results, targets, steps)
    finally:
        if os.environ.get("KEEP_BENCH"):
            print("kept:", work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
