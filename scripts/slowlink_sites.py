"""The sites scripts/bench_slowlink.py measures: started from a checkout with scripts/run.sh, or given by URL.

Each started site gets its own temporary YOUKE_VAR_DIR (SQLite, media,
broker, collected static files), so two configurations share nothing.
Before run.sh loads the demo, the demo's lesson video (the document titled
课堂实录示例.mp4, which the demo loader reuses by title) is made from a longer
generated clip, so a viewer can watch for a minute: the demo's own clip is
4 s of 320x180. The site's workers transcode it as they would any upload.
"""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
SERVICE_VARS = (
    "DATABASE_URL", "SEARCH_URL", "S3_BUCKET", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND",
    "KEYCLOAK_SERVER_URL", "DJANGO_SETTINGS_MODULE", "SEARCH_INDEX_PREFIX", "YOUKE_REQUIRE_SERVICES",
)  # fmt: skip
CLIP_TITLE = "课堂实录示例.mp4"
CLIP_DOCUMENT = """
from pathlib import Path
from django.core.files import File
from wagtail.documents import get_document_model
Document = get_document_model()
if not Document.objects.filter(title={title!r}).exists():
    document = Document(title={title!r})
    with open({path!r}, "rb") as clip:
        document.file.save({title!r}, File(clip), save=False)
    document._set_document_file_metadata()
    document.save()
"""
SKIP_PREFIXES = ("/admin", "/django-admin", "/static", "/media", "/documents", "/sso", "/accounts", "/media-pipeline")


def make_clip(path, seconds, size):
    """A lesson-like clip: moving test picture with a little grain (so the rungs' caps matter), and a tone."""
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration={seconds},noise=alls=6:allf=t",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "128k", "-shortest", "-movflags", "+faststart", str(path),
        ],
        check=True,
        timeout=600,
    )  # fmt: skip


class Site:
    """One configuration's site from its own checkout, on 127.0.0.1:port, until stop()."""

    def __init__(self, label, checkout, work, port, clip=None):
        self.label, self.checkout, self.port, self.clip = label, Path(checkout), port, clip
        self.var = Path(work) / f"var-{label}"
        self.log_path = Path(work) / f"site-{label}.log"
        self.base = f"http://127.0.0.1:{port}"
        self.process = None

    def environment(self):
        env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
        python = ROOT / ".venv" / "bin" / "python"
        env.update(
            YOUKE_VAR_DIR=str(self.var), HOST="127.0.0.1", PORT=str(self.port), DEBUG="0",
            PY=str(python if python.exists() else sys.executable),
        )  # fmt: skip
        return env

    def start(self):
        """Migrate and seed the clip (quick), then run.sh in its own process group, in the background."""
        self.var.mkdir(parents=True, exist_ok=True)
        env = self.environment()
        log = open(self.log_path, "w")
        if self.clip:
            for command in (["migrate", "--noinput", "-v0"], ["shell", "-c", self._clip_code()]):
                subprocess.run([env["PY"], "manage.py", *command], cwd=self.checkout, env=env,
                               stdout=log, stderr=subprocess.STDOUT, check=True)  # fmt: skip
        self.process = subprocess.Popen(
            ["bash", "scripts/run.sh"], cwd=self.checkout, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        return self

    def _clip_code(self):
        return CLIP_DOCUMENT.format(title=CLIP_TITLE, path=str(self.clip))

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)  # run.sh, its server and its two workers: one group we made
            except ProcessLookupError:
                return
            try:
                self.process.wait(wait)
                time.sleep(0.5)  # the workers leave after run.sh's trap
                return
            except subprocess.TimeoutExpired:
                continue

    def alive(self):
        return self.process is None or self.process.poll() is None

    def log_tail(self, lines=20):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# TLS for an https site (scripts/prodlike.sh): the CA of its test certificate, set by bench_slowlink --cafile.
TLS = None


def get(url, timeout=10):
    """(status, text) of a plain GET on this host (not over the shaped link); (None, '') if it cannot connect."""
    try:
        # S310: our own site on 127.0.0.1
        with urllib.request.urlopen(url, timeout=timeout, context=TLS) as response:  # noqa: S310
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, OSError):
        return None, ""


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


PLAYER = re.compile(r'<figure[^>]*class="[^"]*yk-player[^"]*"[^>]*>')


def player_of(html):
    """{'status_url', 'master'} of the first lesson player in `html`, or None."""
    match = PLAYER.search(html)
    if not match:
        return None
    tag = match.group(0)
    status = re.search(r'data-status-url="([^"]+)"', tag)
    master = re.search(r'data-master="([^"]+)"', tag)
    return {"status_url": status and status.group(1), "master": master and master.group(1).replace("&amp;", "&")}


def find_lesson(base, limit=120):
    """The path of a page an anonymous visitor sees with a video player: breadth first from the home page."""
    queue, seen = deque(["/"]), {"/"}
    while queue and len(seen) <= limit:
        path = queue.popleft()
        status, html = get(base + path)
        if status != 200:
            continue
        if player_of(html):
            return path
        parser = Links()
        parser.feed(html)
        for href in parser.hrefs:
            url = urlsplit(urljoin(base + path, href))
            if url.netloc != urlsplit(base).netloc or url.path.startswith(SKIP_PREFIXES) or url.path in seen:
                continue
            seen.add(url.path)
            queue.append(url.path + (f"?{url.query}" if url.query and "page=" in url.query else ""))
    return None


def wait_for_lesson(site, deadline, given=None):
    """Wait until the site answers, has a lesson with a player, and its video is playable; returns the path."""
    lesson = given
    while time.monotonic() < deadline:
        if not site.alive():
            raise RuntimeError(f"the {site.label} site stopped:\n{site.log_tail()}")
        if lesson is None and get(site.base + "/")[0] == 200:
            lesson = find_lesson(site.base)
        if lesson:
            _, html = get(site.base + lesson)
            player = player_of(html) or {}
            if player.get("master"):
                return lesson
        time.sleep(3)
    raise RuntimeError(f"no playable lesson on the {site.label} site in time:\n{site.log_tail()}")


def video_seconds(base, lesson):
    """The lesson video's length from its playlists (the first variant's EXTINF sum), or None."""
    player = player_of(get(base + lesson)[1]) or {}
    if not player.get("master"):
        return None
    master_url = urljoin(base + lesson, player["master"])
    _, master = get(master_url)
    variant = next((line for line in master.splitlines() if line and not line.startswith("#")), None)
    if not variant:
        return None
    _, playlist = get(urljoin(master_url, variant))
    return round(sum(float(x) for x in re.findall(r"#EXTINF:([\d.]+)", playlist)), 1) or None


def baseline_checkout(rev, work):
    """A temporary git worktree of `rev` (removed by remove_checkout)."""
    path = Path(work) / "baseline-src"
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(path), rev], cwd=ROOT, check=True)
    return path


def remove_checkout(path):
    subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False, capture_output=True)
    subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=False, capture_output=True)
