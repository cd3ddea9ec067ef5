"""A district's mix for locust (scripts/bench_load.py runs it; loopback only).

Visitors browse the curriculum and open lesson pages;
teachers search with the judged queries (scripts/search_queries.json);
learners enrolled in the demo course fetch the video's HLS playlists and
send the player's heartbeats (the demo's library videos are not transcoded); a school
reviewer opens the admin's list of pages waiting for review. Each request is
named by its kind so the report groups them. Everything is discovered from
the pages at start, the way a browser would find it, so the mix follows the
demo data rather than hard-coded ids.

With YOUKE_LOAD_LOG=FILE every answer is also written to FILE, a JSON line
each (time, kind, status, and for a heartbeat who sent it and what the server
said it credited): the fault tests (tests/faults/load.py) read it to check
that nothing the site acknowledged was lost.
"""

import itertools
import json
import os
import random  # a load mix, not secrets
import re
import sys
import threading
import time
import uuid
from pathlib import Path

from locust import HttpUser, between, constant, events, task

# The project's root, for the tests' Keycloak sign-in (sso.testing imports no Django).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sso.testing import authorize, keycloak_browser

QUERIES = [q["q"] for q in json.loads((Path(__file__).parent / "search_queries.json").read_text(encoding="utf-8"))]
PASSWORD = "youke-demo"  # noqa: S105 - the demo accounts' published password
LEARNERS = itertools.cycle(["teacher1", "teacher2"])
found = {"subjects": [], "lessons": []}
pick = random.Random().choice  # noqa: S311 - which page to open next, not a secret
lock = threading.Lock()
# Signed-in learners for the Player class (scripts/bench_learners.py's JSON), if any.
PLAYERS = json.loads(Path(os.environ["YOUKE_LOAD_PLAYERS"]).read_text()) if os.environ.get("YOUKE_LOAD_PLAYERS") else {}
APPROVE = os.environ.get("YOUKE_LOAD_APPROVE") == "1"
# A lesson video for the Uploader class, if any.
CLIP = Path(os.environ["YOUKE_LOAD_CLIP"]) if os.environ.get("YOUKE_LOAD_CLIP") else None
# The production shape's test certificate (YOUKE_LOAD_CA): locust's session trusts only the default CAs.
VERIFY = os.environ.get("YOUKE_LOAD_CA") or True
# Line-buffered: a line is whole on disk as soon as it is written, even if locust is killed.
ANSWERS = open(os.environ["YOUKE_LOAD_LOG"], "a", buffering=1) if os.environ.get("YOUKE_LOAD_LOG") else None


@events.request.add_listener
def log_answer(name, response=None, exception=None, context=None, **_):
    if ANSWERS is None:
        return
    status = getattr(response, "status_code", 0) or 0
    line = {"t": time.time(), "kind": name, "status": status, "error": repr(exception)[:200] if exception else ""}
    if name == "heartbeat" and status == 200:
        try:
            line |= {k: v for k, v in response.json().items() if k in ("outcome", "watched_percent", "met")}
        except ValueError:
            line["outcome"] = "unreadable"
    line |= context or {}
    ANSWERS.write(json.dumps(line, ensure_ascii=False) + "\n")


def links(html, pattern):
    return sorted(set(re.findall(pattern, html)))


@events.test_start.add_listener
def discover(environment, **_):
    """Subject pages and lesson pages, from the site's own links (anonymous, as a visitor sees them)."""
    import requests

    host = environment.host
    home = requests.get(host + "/curriculum/", timeout=60, verify=VERIFY).text
    found["subjects"] = links(home, r'href="(/curriculum/[a-z0-9_-]+/[a-z0-9_-]+/)"')[:30]
    for page in ("/", "/lessons/"):
        html = requests.get(host + page, timeout=60, verify=VERIFY).text
        found["lessons"] += links(html, r'href="(/lessons/[^"#?]+/)"')
    found["lessons"] = list(dict.fromkeys(found["lessons"]))[:60]
    print("discovered:", {k: len(v) for k, v in found.items()}, flush=True)


class DistrictUser(HttpUser):
    abstract = True

    def on_start(self):
        self.client.verify = VERIFY


class SignedIn(DistrictUser):
    abstract = True
    username = "teacher1"

    def sign_in(self, username):
        form = self.client.get("/admin/login/", name="sign in")
        if form.url.startswith(self.host):
            token = self.client.cookies.get("csrftoken")
            self.client.post(
                "/admin/login/?next=/admin/",
                data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
                headers={"Referer": self.host + "/admin/login/"},
                name="sign in",
            )
        else:  # production signs in through Keycloak only: its form, then the site's callback
            self.sign_in_through_keycloak(username)
        self.csrf = {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": self.host + "/"}

    def sign_in_through_keycloak(self, username):
        start = self.client.get("/sso/login/?next=/", allow_redirects=False, name="sign in")
        # Keycloak's own form, as the tests sign in (another host: not part of the measured mix).
        answer = authorize(keycloak_browser(), start.headers["Location"], username, PASSWORD)
        self.client.get(answer.headers["Location"], name="sign in")


class Visitor(DistrictUser):
    weight = 6
    wait_time = between(1, 3)

    @task(2)
    def curriculum(self):
        self.client.get("/curriculum/", name="curriculum")
        if found["subjects"]:
            self.client.get(pick(found["subjects"]), name="curriculum")

    @task(3)
    def lesson(self):
        if found["lessons"]:
            self.client.get(pick(found["lessons"]), name="lesson page")


class Teacher(DistrictUser):
    weight = 2
    wait_time = between(2, 5)

    @task
    def search(self):
        self.client.get("/search/", params={"q": pick(QUERIES)}, name="search")


class Learner(SignedIn):
    """The player's heartbeat every few seconds while a lesson plays."""

    weight = 3
    wait_time = between(2, 4)

    def on_start(self):
        super().on_start()
        with lock:
            username = next(LEARNERS)
        self.sign_in(username)
        self.username = username
        self.session, self.seq, self.position = uuid.uuid4().hex, 0, 0.0
        self.lesson, self.playlists = None, []
        catalogue = self.client.get("/training/", name="my learning").text
        for course in links(catalogue, r'href="(/training/[a-z0-9-]+/)"'):
            if course == "/training/my/":
                continue
            page = self.client.get(course, name="my learning").text
            for enrol in links(page, r'action="(/training/courses/\d+/enrol/)"'):
                self.client.post(enrol, headers=self.csrf, name="enrol")
                page = self.client.get(course, name="my learning").text
            inside = r'href="(' + re.escape(course) + r'[^"]+/)"'
            for lesson in links(page, inside):
                if self.find_video(lesson):
                    return

    def find_video(self, lesson):
        """The tracked video lesson: its id for heartbeats, its master and variant playlists."""
        html = self.client.get(lesson, name="my learning").text
        ids, masters = re.findall(r'data-lesson="(\d+)"', html), re.findall(r'data-master="([^"]+)"', html)
        if not (ids and masters):
            return False
        self.lesson, self.playlists = int(ids[0]), [masters[0]]
        master = self.client.get(masters[0], name="playlist").text
        variants = re.findall(r"^([^#\s].*\.m3u8)$", master, re.M)
        self.playlists += [masters[0].rsplit("/", 1)[0] + "/" + v for v in variants[:2]]
        return True

    @task(1)
    def playlist(self):
        if self.playlists:
            self.client.get(pick(self.playlists), name="playlist")

    @task(3)
    def heartbeat(self):
        self.seq += 1
        start, self.position = self.position, self.position + 3
        beat = {"session": self.session, "lesson": self.lesson or 0, "seq": self.seq, "start": start}
        beat["position"] = self.position
        who = {"user": self.username, "lesson": self.lesson}  # for the fault tests' ledger check
        with self.client.post(
            "/training/api/heartbeat", json=beat, headers=self.csrf, name="heartbeat", catch_response=True, context=who
        ) as response:
            # A refused beat (not enrolled, video not ready, past the end) is the
            # server's considered answer; only 5xx and dropped connections are errors.
            if response.status_code < 500:
                response.success()


class Player(DistrictUser):
    """A learner signed in before the measured hour, watching the course's video: a heartbeat every 10 s.

    Only with YOUKE_LOAD_PLAYERS=FILE (scripts/bench_learners.py's output):
    exactly one locust user per session in it, on top of the mix's users.
    At the video's end it seeks back to the start in the same player session
    (the demo's video is short), as a learner who watches it again.
    """

    abstract = not PLAYERS
    fixed_count = len(PLAYERS.get("sessions", []))
    # The player's 10 s (constant_pacing would count the start's spread below into the first wait and
    # bunch every learner's second beat into the same second).
    wait_time = constant(10)

    def on_start(self):
        super().on_start()
        # Learners pressed play at different moments, not all in the same second (locust's sleep is gevent's).
        time.sleep(random.uniform(0, 10))  # noqa: S311 - a spread, not a secret
        with lock:
            key = PLAYERS["sessions"].pop()
        self.client.cookies.set("sessionid", key)
        token = uuid.uuid4().hex  # an unmasked CSRF secret of 32 characters, sent as cookie and header
        self.client.cookies.set("csrftoken", token)
        self.headers = {"X-CSRFToken": token, "Referer": self.host + "/"}
        self.session, self.seq, self.position = uuid.uuid4().hex, 0, 0.0

    @task
    def heartbeat(self):
        if self.position >= PLAYERS["duration"]:
            self.position = 0.0
        self.seq += 1
        start, self.position = self.position, min(self.position + 10, PLAYERS["duration"])
        beat = {"session": self.session, "lesson": PLAYERS["lesson"], "seq": self.seq, "start": start}
        beat["position"] = self.position
        self.client.post("/training/api/heartbeat", json=beat, headers=self.headers, name="player heartbeat")


class Uploader(SignedIn):
    """A teacher uploading a lesson's video by parts, as the uploader page does: create, parts, complete.

    Only with YOUKE_LOAD_CLIP=FILE.mp4: one locust user, YOUKE_LOAD_UPLOADS
    uploads (3 unless said) a minute apart, then it waits. Parts go where the
    site says: S3 on presigned URLs in production, the site itself on the
    embedded default. Each accepted upload is a transcode job for the workers.
    """

    abstract = not CLIP
    fixed_count = 1
    wait_time = constant(60)

    def on_start(self):
        super().on_start()
        self.sign_in("teacher2")
        self.left = int(os.environ.get("YOUKE_LOAD_UPLOADS", "3"))

    @task
    def upload(self):
        if self.left <= 0:
            return
        self.left -= 1
        api, data = "/media-pipeline/uploads/", CLIP.read_bytes()
        body = {"filename": f"课堂实录-{uuid.uuid4().hex[:6]}.mp4", "size": len(data), "content_type": "video/mp4"}
        info = self.client.post(api, json=body, headers=self.csrf, name="upload").json()
        size, numbers = info["part_size"], list(range(1, info["parts_total"] + 1))
        if info["backend"] == "s3":  # presigned URLs, straight to the object store
            asked = {"numbers": numbers}
            urls = self.client.post(f"{api}{info['id']}/parts/", json=asked, headers=self.csrf, name="upload").json()
            urls = {int(number): url for number, url in urls["urls"].items()}
        else:  # the embedded default takes the parts itself
            urls = {number: f"{api}{info['id']}/chunks/{number}/" for number in numbers}
        for number in numbers:
            part = data[(number - 1) * size : number * size]
            self.client.put(urls[number], data=part, headers=self.csrf, name="upload part")
        self.client.post(f"{api}{info['id']}/complete/", headers=self.csrf, name="upload")


class Reviewer(SignedIn):
    """A school reviewer on the admin's dashboard; with YOUKE_LOAD_APPROVE=1 approving now and then what
    waits for review there (the fault tests leave the demo's review states alone)."""

    weight = 1
    wait_time = between(3, 6)

    def on_start(self):
        super().on_start()
        self.sign_in("school_reviewer1")

    @task
    def waiting_list(self):
        page = self.client.get("/admin/", name="review list").text
        actions = links(page, r'"(/admin/pages/workflow/action/\d+/approve/\d+/)"')
        if APPROVE and actions and random.random() < 0.2:  # noqa: S311 - how often, not a secret
            self.client.post(pick(actions), headers=self.csrf, name="approve")
