#!/usr/bin/env python
"""A district's load (scripts/locust_district.py) on the embedded default and on the production shape, side by side.

    .venv/bin/python scripts/bench_load.py --embedded-var DIR --production-env FILE \\
        [--users 4,8,16,32] [--seconds 30] [--workers 4] [--threads 1] [--only embedded|production]

embedded:   `scripts/run.sh`'s configuration (dev settings, SQLite, database
            search, local media) from a prepared YOUKE_VAR_DIR (migrate,
            load_demo, load_training_demo), copied so the run never changes it;
            Django's threaded runserver, as run.sh serves it.
production: youke.settings.production under gunicorn (--workers sync workers)
            with the environment in FILE (a shell file of `export` lines:
            DATABASE_URL, REDIS_URL, SEARCH_URL, SEARCH_INDEX_PREFIX, SECRET_KEY,
            YOUKE_VAR_DIR with collected static files...), already migrated and loaded.

Each target gets the same steps of concurrent locust users (bounded: each
step lasts --seconds, after a short ramp); the server and locust share this
machine's cores, so the numbers are this machine's, not a server's. Prints,
per target and step, throughput and p50/p95/p99 per request kind and errors,
then the knee: the lowest step at which the overall p95 passes 500 ms.
Loopback only (127.0.0.1, ports 18410-18411). Rate limits are raised for the
run (all users share one IP; the limits would answer 429 instead of working).
"""

import argparse
import csv
import os
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
KINDS = ("curriculum", "lesson page", "playlist", "search", "heartbeat", "review list", "Aggregated")
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


def start(target, args, work):
    port = PORTS[target]
    base_env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    log = open(work / f"{target}.log", "w")
    if target == "embedded":
        var = work / "var"
        shutil.copytree(args.embedded_var, var)
        env = {**base_env, **NO_LIMITS, "YOUKE_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "youke.settings.dev"}
        env["DEBUG"] = "0"
        command = [PY, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    else:
        env = {**base_env, **read_env_file(args.production_env), **NO_LIMITS}
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


def run_step(base, users, seconds, work, name):
    prefix = work / name
    command = [str(BIN / "locust"), "-f", str(ROOT / "scripts" / "locust_district.py"), "--headless"]
    command += ["-u", str(users), "-r", str(max(1, users // 2)), "-t", f"{seconds}s", "--host", base]
    command += ["--csv", str(prefix), "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING"]
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=seconds + 180)
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


def report(results, targets, steps):
    width = 44
    print(f"\nper kind: req/s p50/p95/p99 errors (users = concurrent locust users)\n{'kind':<14}{'users':>6}  ", end="")
    print("".join(f"{t:<{width}}" for t in targets))
    for kind in KINDS:
        for users in steps:
            print(f"{kind:<14}{users:>6}  ", end="")
            print("".join(f"{cell(results[t].get(users, {}).get(kind)):<{width}}" for t in targets))
    print(f"\nknee: total req/s at the first step where a kind's p95 passes {KNEE_MS} ms")
    for target in targets:
        for kind in KINDS:
            over = [u for u in steps if float(results[target][u].get(kind, {}).get("p95", 0) or 0) > KNEE_MS]
            if not over:
                print(f"  {target:<11} {kind:<12} not reached up to {steps[-1]} users")
                continue
            total = results[target][over[0]]["Aggregated"]["rps"]
            print(f"  {target:<11} {kind:<12} at {over[0]} users, {total:.1f} req/s in all")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedded-var", help="a prepared YOUKE_VAR_DIR for the embedded default")
    parser.add_argument("--production-env", help="a file of export lines for the production shape")
    parser.add_argument("--users", default="4,8,16,32")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (>1: gthread)")
    parser.add_argument("--only", choices=PORTS)
    args = parser.parse_args()
    steps = [int(n) for n in args.users.split(",")]
    targets = [args.only] if args.only else list(PORTS)
    results = {}
    work = Path(tempfile.mkdtemp(prefix="youke-bench-load-"))
    try:
        for target in targets:
            server, base = start(target, args, work)
            try:
                results[target] = {}
                for users in steps:
                    results[target][users] = run_step(base, users, args.seconds, work, f"{target}-{users}")
                    agg = results[target][users].get("Aggregated", {})
                    print(f"{target} {users} users: {cell(agg)}", flush=True)
            finally:
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
