"""The browser half of scripts/bench_slowlink.py, run inside the shaped namespace.

Reads one job as JSON on stdin, prints its result as JSON on stdout. Every
load is a new browser context (an empty cache). The init script presses 播放
as soon as DOMContentLoaded fires - the way a teacher who came for the video
does - and records the first video frame (requestVideoFrameCallback; the first
timeupdate past 0 where there is none), the media events, and a sample of the
playback position and picture height every 100 ms. Bytes come from the
DevTools protocol (encodedDataLength: what crossed the wire, compressed).
"""

import asyncio
import base64
import json
import re
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from slowlink_measure import bytes_by_category, heights, playlist_entries, rungs_fetched, stalls
from slowlink_net import HOST_ADDRESS, Relay

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # The teacher pressed 播放 (a real gesture); the synthetic press must be allowed to start sound too.
    "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip

INIT_SCRIPT = """
(() => {
  if (window.top !== window) return;
  const yk = window.__yk = {dcl: null, clicked: null, played: null, rvfc: null, timeupdate: null,
                            events: [], samples: [], levels: []};
  const now = () => performance.now();
  let video = null;
  function hook(v) {
    if (!v || v.__ykHooked) return;
    v.__ykHooked = true;
    video = v;
    if (v.requestVideoFrameCallback) v.requestVideoFrameCallback(t => { if (yk.rvfc === null) yk.rvfc = t; });
    v.addEventListener('timeupdate', () => { if (yk.timeupdate === null && v.currentTime > 0) yk.timeupdate = now(); });
    v.addEventListener('play', () => { if (yk.played === null) yk.played = now(); });
    for (const type of ['waiting', 'playing', 'pause', 'ended', 'stalled', 'seeking', 'error']) {
      v.addEventListener(type, () => yk.events.push([now(), type]));
    }
  }
  // The player's own 播放 button (any markup: its class, or a button that says 播放), else the <video> itself.
  function playButton(scope) {
    const named = scope.querySelector('.yk-play');
    if (named) return named;
    return [...scope.querySelectorAll('button')].find(
      b => /播放/.test(b.textContent + ' ' + (b.getAttribute('aria-label') || '')));
  }
  function visible(element) { return !element.hidden && element.getClientRects().length > 0; }
  function press() {
    const figure = document.querySelector('figure.yk-player') || document;
    hook(figure.querySelector('video') || document.querySelector('video'));
    const button = playButton(figure);
    // Counted from page ready: a slow page is not given up on.
    if (yk.played !== null || now() > yk.dcl + 15000) return;
    if (button && visible(button)) {
      button.click();
      if (yk.clicked === null) yk.clicked = now();
    } else if (video && yk.clicked === null && now() > yk.dcl + 5000) {
      video.play().catch(() => {});  // no button after 5 s: the bare element, as a last resort
      yk.clicked = now();
    }
    // Again while the button is still showing and nothing plays (a player that set itself up late).
    setTimeout(press, yk.clicked === null ? 50 : 1000);
  }
  document.addEventListener('DOMContentLoaded', () => { yk.dcl = now(); setTimeout(press, 0); });
  setInterval(() => {
    if (!video) return;
    yk.samples.push([now(), video.currentTime, video.paused ? 1 : 0, video.ended ? 1 : 0, video.videoHeight]);
    const level = (video.closest('[data-level]') || {dataset: {}}).dataset.level;
    if (level && yk.levels[yk.levels.length - 1] !== level) yk.levels.push(level);
  }, 100);
})();
"""

FIRST_FRAME = "() => window.__yk && (window.__yk.rvfc !== null || window.__yk.timeupdate !== null)"


class Network:
    """Every request of one page from the DevTools protocol, in monotonic seconds."""

    def __init__(self, cdp):
        self.cdp, self.requests, self.navigation = cdp, {}, None
        self.media, self._reading = {}, []  # segment URL -> (rung, kind, seconds), from the playlists' bodies
        cdp.on("Network.requestWillBeSent", self.sent)
        cdp.on("Network.responseReceived", self.response)
        cdp.on("Network.dataReceived", self.data)
        cdp.on("Network.loadingFinished", self.finished)
        cdp.on("Network.loadingFailed", self.failed)

    def sent(self, event):
        if event["request"]["url"].startswith(("data:", "blob:")):
            return  # made in the page, nothing crossed the line
        known = self.requests.get(event["requestId"])
        if known and event.get("redirectResponse"):
            known["redirects"] += event["redirectResponse"].get("encodedDataLength", 0)
            known["url"] = event["request"]["url"]
            return
        headers = {k.lower(): v for k, v in event["request"].get("headers", {}).items()}
        self.requests[event["requestId"]] = {
            "url": event["request"]["url"], "type": event.get("type", ""), "mime": "", "ranged": "range" in headers,
            "start": event["timestamp"], "end": None, "encoded": 0, "chunks": [], "redirects": 0, "status": None,
        }  # fmt: skip
        if self.navigation is None and event.get("type") == "Document":
            self.navigation = (event["timestamp"], event["wallTime"])

    def response(self, event):
        request = self.requests.get(event["requestId"])
        if request:
            request["mime"] = event["response"].get("mimeType", "")
            request["status"] = event["response"].get("status")
            request["type"] = event.get("type", request["type"])

    def data(self, event):
        request = self.requests.get(event["requestId"])
        if request:
            request["chunks"].append((event["timestamp"], event.get("encodedDataLength", 0)))

    def finished(self, event):
        request = self.requests.get(event["requestId"])
        if request:
            request["end"], request["encoded"] = event["timestamp"], event.get("encodedDataLength", 0)
            if request["url"].split("?", 1)[0].endswith(".m3u8") or "mpegurl" in request["mime"].lower():
                self._reading.append(asyncio.ensure_future(self._read_playlist(event["requestId"], request["url"])))

    async def _read_playlist(self, request_id, url):
        try:
            body = await self.cdp.send("Network.getResponseBody", {"requestId": request_id})
        except Exception:  # noqa: BLE001 - the page went away first: its segments stay unnamed
            return
        text = body["body"] if not body.get("base64Encoded") else base64.b64decode(body["body"]).decode()
        self.media.update(playlist_entries(url, text))

    async def settle(self):
        """Wait for the playlists read so far; the requests as plain dicts with what the playlists said."""
        await asyncio.gather(*self._reading, return_exceptions=True)
        return list(self.requests.values())

    def failed(self, event):
        request = self.requests.get(event["requestId"])
        if request:
            request["end"] = event["timestamp"]

    def monotonic(self, time_origin_ms, page_ms):
        """A page's performance.now() in the protocol's monotonic seconds (through the navigation's wall time)."""
        timestamp, wall = self.navigation
        return (time_origin_ms + page_ms) / 1000 - wall + timestamp


class FormFinder(HTMLParser):
    """The login link (登录) of a page, or the inputs of the form holding a password field."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self._href, self._form = [], [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self._href = attrs.get("href")
        elif tag == "form":
            self._form = {"action": attrs.get("action") or "", "inputs": {}, "password": False}
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and attrs.get("name"):
            self._form["inputs"][attrs["name"]] = attrs.get("value") or ""
            self._form["password"] |= attrs.get("type") == "password"

    def handle_data(self, data):
        if self._href and "登录" in data:
            self.links.append(self._href)

    def handle_endtag(self, tag):
        if tag == "a":
            self._href = None
        elif tag == "form":
            self._form = None


def _parse(html):
    finder = FormFinder()
    finder.feed(html)
    return finder


async def sign_in(context, page_url, username, password):
    """Sign in over the same link, with the HTML alone (no page assets: the measured load is what counts)."""
    landing = await context.request.get(page_url)
    links = _parse(await landing.text()).links
    login_url = urljoin(page_url, links[0] if links else "/accounts/login/")
    form_page = await context.request.get(login_url)
    forms = [form for form in _parse(await form_page.text()).forms if form["password"]]
    if not forms:
        raise RuntimeError(f"no password form at {form_page.url}")
    fields = dict(forms[0]["inputs"])
    user_field = next((name for name in fields if re.search("user|login|email", name)), "username")
    pass_field = next((name for name in fields if "pass" in name), "password")
    fields.update({user_field: username, pass_field: password})
    action = urljoin(form_page.url, forms[0]["action"] or form_page.url)
    answer = await context.request.post(action, form=fields, headers={"Referer": form_page.url})
    cookies = {cookie["name"] for cookie in await context.cookies()}
    if "sessionid" not in cookies:
        raise RuntimeError(f"sign-in as {username} failed at {action} ({answer.status})")


async def open_lesson(browser, job, signed_in=False):
    context = await browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, ignore_https_errors=job["base"].startswith("https:")
    )
    await context.add_init_script(INIT_SCRIPT)
    url = job["base"] + job["lesson"]
    if signed_in:
        await sign_in(context, url, job["username"], job["password"])
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    network = Network(cdp)
    await cdp.send("Network.enable")
    await cdp.send("Network.clearBrowserCache")  # cold, even after signing in
    await page.goto(url, wait_until="commit", timeout=job["timeout"] * 1000)
    return context, page, network


async def first_frame(page, timeout):
    try:
        await page.wait_for_function(FIRST_FRAME, timeout=timeout * 1000, polling=100)
    except Exception:  # noqa: BLE001 - Playwright's TimeoutError: the frame never came
        return False
    # requestVideoFrameCallback fires at the frame itself; give it a moment over the timeupdate fallback.
    await asyncio.sleep(0.3)
    return True


async def load(browser, job, signed_in):
    """One cold load: page ready, first frame, bytes by category before it."""
    context, page, network = await open_lesson(browser, job, signed_in)
    try:
        arrived = await first_frame(page, job["timeout"])
        state = await page.evaluate("({yk: window.__yk, origin: performance.timeOrigin})")
        yk = state["yk"]
        frame = (yk["rvfc"] if yk["rvfc"] is not None else yk["timeupdate"]) if arrived else None
        until = network.monotonic(state["origin"], frame) if frame is not None else None
        requests = await network.settle()
        return {
            "dcl": yk["dcl"] / 1000 if yk["dcl"] is not None else None,
            "first_frame": frame / 1000 if frame is not None else None,
            "by": "rvfc" if yk["rvfc"] is not None else "timeupdate",
            "bytes": bytes_by_category(requests, until, network.media),
            "requests": [
                {"url": r["url"][:160], "status": r["status"], "bytes": r["encoded"] + r["redirects"]}
                for r in requests
                if until is None or r["start"] <= until
            ],
        }
    finally:
        await context.close()


async def viewer(browser, job):
    """One viewer playing for job["play_seconds"]: stalls, time stalled, rungs."""
    context, page, network = await open_lesson(browser, job)
    try:
        arrived = await first_frame(page, job["timeout"])
        if arrived:
            await asyncio.sleep(job["play_seconds"])
        yk = await page.evaluate("window.__yk")
        samples = [(t / 1000, position, paused, ended, height) for t, position, paused, ended, height in yk["samples"]]
        events = [(t / 1000, kind) for t, kind in yk["events"]]
        count, stalled = stalls([s[:4] for s in samples], events)
        frame = yk["rvfc"] if yk["rvfc"] is not None else yk["timeupdate"]
        return {
            "first_frame": frame / 1000 if frame is not None else None,
            "stalls": count,
            "stalled": stalled,
            "rungs": rungs_fetched(await network.settle(), network.media),
            "heights": heights(samples),
            "levels": sorted({level for level in yk["levels"] if level}),
            "played": samples[-1][1] if samples else 0.0,
            "ended": bool(samples and samples[-1][3]),
        }
    finally:
        await context.close()


async def run(job):
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        args = list(CHROMIUM_ARGS)
        if job["base"].startswith("https:"):
            # prodlike.sh's throwaway certificate; the TLS handshakes still cross the shaped link.
            args.append("--ignore-certificate-errors")
        browser = await playwright.chromium.launch(executable_path=job["chromium"], headless=True, args=args)
        try:
            if job["task"] == "load":
                return [await load(browser, job, job["signed_in"]) for _ in range(job["runs"])]
            return await asyncio.gather(*(viewer(browser, job) for _ in range(job["viewers"])))
        finally:
            await browser.close()


def main():
    job = json.loads(sys.stdin.read())
    # The site's own URL inside the namespace: 127.0.0.1:port here leads over the shaped veth to the host's relay.
    ports = [urlsplit(job["base"]).port or 80, *job.get("forward", [])]
    forwarder = Relay([(("127.0.0.1", port), (HOST_ADDRESS, port)) for port in ports]).start()
    started = time.monotonic()
    try:
        result = asyncio.run(run(job))
    finally:
        forwarder.stop()
    json.dump({"result": result, "seconds": round(time.monotonic() - started, 1)}, sys.stdout)
