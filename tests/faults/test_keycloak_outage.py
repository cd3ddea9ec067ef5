"""Keycloak goes away while the site serves: signed-in people keep working, new logins get a clear page.

The site reaches Keycloak only through a TCP relay of this test's own
(127.0.0.1:18520, KEYCLOAK_INTERNAL_URL, as compose's web reaches
keycloak:8080), and cutting the relay - listener closed, every open
connection dropped - is the outage as the site meets it: connections
refused. Cheaper on two cores than a second Keycloak JVM, and the shared
Keycloak other engineers use is never stopped. Browsers still open the
public URL, as in production; during the outage the site never sends them
there, because it cannot build the login URL without Keycloak's discovery
document. The site is gunicorn on the embedded default's settings with the
Keycloak variables of a production host. Beside the browsers,
scripts/locust_district.py's mix (tests/faults/load.py) signs its learners in
before the cut and keeps going through it. Outcomes only: what pages say, the
session, the health report, the load's answers; no timings.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests

from sso.testing import DEMO_PASSWORD
from tests.faults.helpers import eventually
from tests.faults.load import DistrictLoad, failures, kinds
from tests.processes import ROOT, SERVICE_VARS, stop

pytestmark = [pytest.mark.service("keycloak"), pytest.mark.service("chromium"), pytest.mark.slow]

PROXY_PORT, SITE_PORT = 18520, 18521
SHOTS = ROOT / "var" / "screenshots" / "faults"
# A page in the site's frame, with 登录 in its header (after `migrate` alone "/" is Wagtail's welcome page).
START = "/search/"


class CuttableRelay:
    """127.0.0.1:PROXY_PORT → Keycloak, byte for byte; cut() makes Keycloak unreachable, resume() brings it back."""

    def __init__(self, target):
        self.target, self.lock, self.sockets, self.listener = target, threading.Lock(), set(), None

    def resume(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", PROXY_PORT))
        listener.listen(64)
        listener.settimeout(0.2)  # accept() wakes up to see that the listener was cut
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self):
        listener, self.listener = self.listener, None
        listener.close()
        with self.lock:
            sockets, self.sockets = self.sockets, set()
        for sock in sockets:
            self._close(sock)

    def _accept(self, listener):
        while self.listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self.lock:
                self.sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                self._close(sock)

    def _close(self, sock):
        with self.lock:
            self.sockets.discard(sock)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()


def shell(env, code):
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def health(url):
    answer = requests.get(url + "/healthz", timeout=30)
    return answer.status_code, answer.json()["checks"]


@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    public = os.environ["KEYCLOAK_SERVER_URL"].rstrip("/")
    work = tmp_path_factory.mktemp("keycloak-outage")
    relay = CuttableRelay(("127.0.0.1", urlsplit(public).port))
    relay.resume()
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.update(
        YOUKE_VAR_DIR=str(work / "var"),
        DJANGO_SETTINGS_MODULE="youke.settings.dev",
        DEBUG="0",
        # Browsers and the tokens' issuer: the public address. The site's own calls: the relay.
        KEYCLOAK_SERVER_URL=public,
        KEYCLOAK_INTERNAL_URL=f"http://127.0.0.1:{PROXY_PORT}/",
        KEYCLOAK_CLIENT_SECRET=os.environ["KEYCLOAK_CLIENT_SECRET"],
        KEYCLOAK_TIMEOUT="3",
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    log = open(work / "site.log", "wb")
    site = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "youke.wsgi", "--bind", f"127.0.0.1:{SITE_PORT}", "--workers", "1",
         "--threads", "4", "--worker-class", "gthread", "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{SITE_PORT}"
    try:
        assert eventually(lambda: health(url)[0] == 200, 120), (work / "site.log").read_text()[-3000:]
        yield {"url": url, "env": env, "relay": relay, "issuer": public + "/realms/youke", "work": work}
    finally:
        stop(site)
        log.close()
        if relay.listener:
            relay.cut()


def sign_in(page, site, issuer, username, *, again=False):
    """Press 登录 on a page (`again`: on the page saying Keycloak was away), fill Keycloak's form, come back."""
    if again:
        page.locator("main").get_by_role("link", name="登录", exact=True).click()
    else:
        page.goto(site + START)
        page.get_by_role("link", name="登录", exact=True).click()
    page.wait_for_url(issuer + "/protocol/openid-connect/auth?**")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#kc-login")
    page.wait_for_url(site + START)
    assert "我的学习" in page.locator(".user-nav").inner_text(), "signed in"


def session_data(env, context):
    key = next(c["value"] for c in context.cookies() if c["name"] == "sessionid")
    code = (
        "import json; from django.contrib.sessions.backends.db import SessionStore; "
        f"s = SessionStore({key!r}); print(json.dumps({{'user': s.get('_auth_user_id'), **s.get('sso', {{}})}}))"
    )
    return key, json.loads(shell(env, code))


def expire_access_token(env, key):
    """As if the access token's five minutes were over: the next page asks Keycloak for a new one."""
    code = (
        "from django.contrib.sessions.backends.db import SessionStore; "
        f"s = SessionStore({key!r}); d = s['sso']; d.update(access_expires_at=0, retry_at=0); s['sso'] = d; s.save()"
    )
    shell(env, code + "; print('ok')")


def open_page(page, url):
    response = page.goto(url)
    return response.status, page.url


def test_keycloak_goes_away_and_comes_back(outage, browser):
    site, env, relay, issuer = outage["url"], outage["env"], outage["relay"], outage["issuer"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    teacher = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    newcomer = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    load = DistrictLoad(site, outage["work"])
    try:
        page = teacher.new_page()
        sign_in(page, site, issuer, "teacher1")
        assert open_page(page, site + "/training/my/") == (200, site + "/training/my/")
        key, before = session_data(env, teacher)
        assert before["user"] and before["retry_at"] == 0
        # The district's mix beside the teacher: its learners and reviewer sign in through Keycloak now.
        load.start()
        load.wait_for(lambda answers: ("heartbeat", 404) in kinds(answers), 120, "the load's learners signed in")

        relay.cut()
        cut = time.time()
        # The signed-in teacher's access token runs out during the outage: the refresh fails, the session stays.
        expire_access_token(env, key)
        assert open_page(page, site + "/training/my/") == (200, site + "/training/my/"), "still signed in"
        assert "我的学习" in page.locator(".user-nav").inner_text()
        _, during = session_data(env, teacher)
        assert during["user"] == before["user"], "the session was kept"
        assert during["retry_at"] > time.time(), "a refresh was tried, found Keycloak unreachable, and is put off"

        # A new visitor pressing 登录 is told what is going on, in Chinese, and what to do.
        visitor = newcomer.new_page()
        visitor.goto(site + START)
        with visitor.expect_navigation() as navigation:
            visitor.get_by_role("link", name="登录", exact=True).click()
        assert navigation.value.status == 503
        assert visitor.url.startswith(site + "/sso/login/"), "not sent to a Keycloak that is not there"
        text = visitor.locator("body").inner_text()
        assert "统一身份认证服务暂时无法访问" in text and "请稍后再试" in text, text
        assert "Traceback" not in visitor.content() and "服务器出错了" not in text
        visitor.screenshot(path=str(SHOTS / "keycloak-outage-login.png"), full_page=True)

        status, checks = health(site)
        assert status == 503
        assert checks["identity"]["status"] == "down" and checks["identity"]["backend"] == "keycloak"
        assert checks["database"]["status"] == "up"

        load.wait_for_answers(cut, 60, 180, "load in the outage")
        in_outage = load.answers(since=cut)
        relay.resume()
        assert eventually(lambda: health(site)[0] == 200, 60)
        # Pressing 登录 on the page that said "later" signs in and comes back to where the visitor was.
        sign_in(visitor, site, issuer, "teacher2", again=True)
        assert open_page(visitor, site + "/training/my/") == (200, site + "/training/my/")
        visitor.screenshot(path=str(SHOTS / "keycloak-back-signed-in.png"), full_page=True)
        # The teacher's next refresh reaches Keycloak again.
        expire_access_token(env, key)
        assert open_page(page, site + "/training/my/") == (200, site + "/training/my/")
        _, after = session_data(env, teacher)
        assert after["user"] == before["user"] and after["retry_at"] == 0 and after["access_expires_at"] > time.time()
        load.stop()
        # The load's learners stayed signed in throughout (a signed-out heartbeat is answered 401; theirs are
        # for no lesson of this site's: 404), and nothing it asked was answered 5xx or dropped.
        answers = load.answers()
        assert failures(answers) == [], kinds(answers)
        assert ("heartbeat", 404) in kinds(in_outage) and ("heartbeat", 401) not in kinds(answers), kinds(answers)
    finally:
        load.stop()
        teacher.close()
        newcomer.close()
