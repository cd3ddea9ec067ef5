#!/usr/bin/env python
"""A lesson on a rural line: how long until the first picture, what it costs, and does it keep playing?

    sudo .venv/bin/python scripts/bench_slowlink.py            # 5f3d39d vs this working tree, 256kbit and 1mbit
    sudo .venv/bin/python scripts/bench_slowlink.py --quick    # 1 run, 256kbit only, 20 s play: about 10 min
    sudo .venv/bin/python scripts/bench_slowlink.py --quick --only yours     # this tree alone: about 6 min
    sudo .venv/bin/python scripts/bench_slowlink.py --rate 256kbit --runs 5 --tests anonymous,signed_in
    sudo .venv/bin/python scripts/bench_slowlink.py --url http://127.0.0.1:8000   # a site already running here

Needs root (it makes a network namespace). Headless Chromium runs inside a
namespace of its own whose only way out is a veth pair shaped in both
directions (tbf, default 256 kbit/s each way, 80 ms round trip; see
slowlink_net for how the delay is made without netem). For each
configuration and rate it measures, cold cache and median of --runs:
anonymous and signed-in loads of one lesson page, pressing 播放 at
DOMContentLoaded (page ready, first video frame, bytes before it by kind),
then one viewer and two viewers sharing the line playing for --play-seconds
(stalls, time stalled, rungs fetched). Side by side: --baseline (a temporary
git worktree) against this working tree, each served by its own
scripts/run.sh on 127.0.0.1:18101/18102 with its own temporary
YOUKE_VAR_DIR and a generated lesson clip (90 s of 1280x720; 40 s with
--quick) in place of the demo's 4 s one.

What it watches is the page, not a particular player: the first frame is
the <video> element's (requestVideoFrameCallback, else the first timeupdate
past 0); bytes are the DevTools protocol's encodedDataLength of every real
response, sorted by kind, and segments behind opaque (signed) URLs are named
by the playlists that list them; a stall is a `waiting` event or the
position standing still while playing; rungs are the rendition folders of
the segments fetched. Times are from navigation start.

The defaults (3 runs, two rates, 60 s play) take about 35 min with both
configurations, most of it the baseline's slow signed-in loads (over a
minute each at 256 kbit/s). Ctrl-C or SIGTERM removes the namespace, the
relays, the sites and the worktree.
"""

import argparse
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import slowlink_sites as sites
from slowlink_measure import table
from slowlink_net import HOST_ADDRESS, Link, Relay

PY = sites.ROOT / ".venv" / "bin" / "python"
TESTS = ("anonymous", "signed_in", "one_viewer", "two_viewers")
PORTS = {"today": 18101, "yours": 18102}


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", action="append", help="rate each way, tc units (default 256kbit, 1mbit; repeatable)")
    parser.add_argument("--rtt", type=float, default=80, help="round trip in ms (default 80)")
    parser.add_argument("--runs", type=int, default=3, help="cold loads per kind, the median is shown (default 3)")
    parser.add_argument("--play-seconds", type=int, default=60, help="how long the stall tests play (default 60)")
    parser.add_argument("--timeout", type=int, default=90, help="give up on a first frame after this many s")
    parser.add_argument("--baseline", default="5f3d39d", help="the revision called 'today' (default 5f3d39d)")
    parser.add_argument("--only", choices=("today", "yours"), help="start one configuration only")
    parser.add_argument("--url", action="append", help="measure an already running site on this host instead")
    parser.add_argument("--lesson", help="the lesson page's path (default: found from the home page)")
    parser.add_argument(
        "--forward",
        type=int,
        action="append",
        default=[],
        help="also carry this host port over the link (a --url site's object store, Keycloak)",
    )
    parser.add_argument("--cafile", help="the CA of an https --url site's certificate (scripts/prodlike.sh's)")
    parser.add_argument("--tests", default=",".join(TESTS), help=f"which of {','.join(TESTS)} (default all)")
    parser.add_argument("--clip-seconds", type=int, default=90, help="the generated lesson video's length")
    parser.add_argument("--clip-size", default="1280x720", help="the generated lesson video's picture size")
    parser.add_argument("--demo-clip", action="store_true", help="keep the demo's own 4 s clip")
    parser.add_argument("--setup-timeout", type=int, default=900, help="s to wait for a started site's video")
    parser.add_argument("--username", default="teacher1")
    parser.add_argument("--password", default="youke-demo")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--json", action="store_true", help="print the results as JSON after the table")
    parser.add_argument("--quick", action="store_true", help="1 run, 256kbit only, 20 s play, a 40 s clip")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.quick:
        options.runs, options.rate, options.play_seconds = 1, ["256kbit"], min(options.play_seconds, 20)
        options.clip_seconds = min(options.clip_seconds, 40)
    return options


def say(text):
    print(text, file=sys.stderr, flush=True)


def interrupt(signum, frame):
    raise KeyboardInterrupt


def run_client(link, job, limit):
    """Run one job inside the namespace (this script again, with --client); its JSON result."""
    command = [*link.exec_prefix(), str(PY if PY.exists() else sys.executable), __file__, "--client"]
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        out, err = process.communicate(json.dumps(job), timeout=limit)
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)  # the client and its Chromium: the group we made
        process.wait()
        raise
    if process.returncode:
        raise RuntimeError(f"client failed ({process.returncode}):\n{err[-3000:]}")
    return json.loads(out)["result"]


def start_sites(options, work, stack):
    """[(label, base, lesson path)] for the configurations, started here or given by --url."""
    if options.url:
        labels = ["today", "yours"] if len(options.url) == 2 else [f"site{n + 1}" for n in range(len(options.url))]
        found = []
        for label, url in zip(labels, options.url, strict=False):
            base = url.rstrip("/")
            lesson = options.lesson or sites.find_lesson(base)
            if not lesson:
                raise RuntimeError(f"no page with a video player found from {base}/")
            found.append((label, base, lesson))
        return found
    clip = None
    if not options.demo_clip:
        clip = Path(work) / "lesson.mp4"
        say(f"making a {options.clip_seconds} s {options.clip_size} lesson clip…")
        sites.make_clip(clip, options.clip_seconds, options.clip_size)
    started = []
    for label in ("today", "yours"):
        if options.only and options.only != label:
            continue
        if label == "today":
            checkout = sites.baseline_checkout(options.baseline, work)
            stack.append(lambda checkout=checkout: sites.remove_checkout(checkout))
        else:
            checkout = sites.ROOT
        site = sites.Site(label, checkout, work, PORTS[label], clip)
        stack.append(site.stop)
        say(f"starting the {label} site ({checkout}) on {site.base}…")
        started.append(site.start())
    deadline = time.monotonic() + options.setup_timeout
    found = []
    for site in started:
        lesson = sites.wait_for_lesson(site, deadline, options.lesson)
        say(f"{site.label}: {site.base}{lesson} is playable")
        found.append((site.label, site.base, lesson))
    return found


def measure(options, link, label, base, lesson, test):
    job = {
        "base": base, "lesson": lesson, "chromium": options.chromium, "timeout": options.timeout,
        "username": options.username, "password": options.password, "play_seconds": options.play_seconds,
        "runs": options.runs, "task": "load" if test in ("anonymous", "signed_in") else "play",
        "signed_in": test == "signed_in", "viewers": 2 if test == "two_viewers" else 1,
        "forward": options.forward,
    }  # fmt: skip
    limit = options.runs * (options.timeout + 60) + options.play_seconds + 120
    result = run_client(link, job, limit)
    if job["task"] == "load":
        frames = ", ".join("—" if r["first_frame"] is None else f"{r['first_frame']:.1f}" for r in result)
        say(f"  {label} {test}: first frame {frames} s")
    else:
        say(f"  {label} {test}: stalls {[v['stalls'] for v in result]}, rungs {[v['rungs'] for v in result]}")
    return result


def main():
    options = arguments()
    if options.client:
        import slowlink_client

        slowlink_client.main()
        return
    if os.geteuid() != 0:
        sys.exit("bench_slowlink needs root: it makes a network namespace and shapes it with tc")
    signal.signal(signal.SIGTERM, interrupt)
    rates = [r for value in options.rate or ["256kbit", "1mbit"] for r in value.split(",")]
    tests = [t for t in options.tests.split(",") if t in TESTS]
    if options.cafile:
        sites.TLS = ssl.create_default_context(cafile=options.cafile)
    work = tempfile.mkdtemp(prefix="yk-slowlink-")
    stack, results = [], {}
    began = time.monotonic()
    try:
        found = start_sites(options, work, stack)
        link = Link(options.rtt)
        stack.append(link.down)
        link.up()
        delay = link.shape(rates[0])
        ports = [int(base.rsplit(":", 1)[1]) for _, base, _ in found] + options.forward
        routes = [((HOST_ADDRESS, port), ("127.0.0.1", port)) for port in ports]
        relay = Relay(routes, delay=delay, handshake=2 * delay).start()
        stack.append(relay.stop)
        say(f"link: tbf both ways, delay by {'netem' if link.netem else 'the relay'}")
        for label, base, lesson in found:
            results[label] = {"lesson": lesson, "video_seconds": sites.video_seconds(base, lesson)}
        for rate in rates:
            link.shape(rate)
            say(f"{rate}:")
            for test in tests:
                for label, base, lesson in found:
                    results[label].setdefault(rate, {})[test] = measure(options, link, label, base, lesson, test)
        report(options, results, [label for label, _, _ in found], rates, time.monotonic() - began)
    except KeyboardInterrupt:
        say("interrupted: cleaning up")
        sys.exit(130)
    finally:
        for undo in reversed(stack):
            try:
                undo()
            except Exception as error:  # noqa: BLE001 - clean up the rest whatever one step says
                say(f"cleanup: {error}")
        shutil.rmtree(work, ignore_errors=True)


def report(options, results, labels, rates, seconds):
    for rate in rates:
        print(table(results, labels, rate, f"{options.rtt:g}", options.runs, options.play_seconds))
        print()
    for label in labels:
        length = results[label]["video_seconds"]
        print(f"{label}: {results[label]['lesson']} (video {length} s)")
    print(f"measured in {seconds / 60:.1f} min")
    if options.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
