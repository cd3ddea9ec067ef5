"""A district's load beside a fault: scripts/locust_district.py, headless and bounded, every answer logged.

The fault tests start it before they break a part and stop it after the part
is back, then read what each request was answered (the locust file writes a
JSON line per request with YOUKE_LOAD_LOG). Two questions are asked of that
log: did any request get a 5xx or a dropped connection it should not have
(`failures`), and is every heartbeat the site said it credited still in the
training ledger afterwards (`ledger_shortfalls`). Outcomes only, no timings.
"""

import json
import os
import subprocess
import time
from collections import Counter

from tests.faults.helpers import shell
from tests.processes import ROOT, SERVICE_VARS, stop

LOCUSTFILE = ROOT / "scripts" / "locust_district.py"
CREDITED = ("started", "accepted")


class DistrictLoad:
    """`locust --headless` against `url` for at most `ceiling` seconds (a bound; the test stops it sooner)."""

    def __init__(self, url, work, users=10, ceiling=900, cafile=None):
        self.url, self.work, self.users, self.ceiling = url, work, users, ceiling
        self.log_path = work / "answers.jsonl"
        self.env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS and k != "DJANGO_SETTINGS_MODULE"}
        self.env["YOUKE_LOAD_LOG"] = str(self.log_path)
        if cafile:
            # The locust file trusts the test CA; requests would read a REQUESTS_CA_BUNDLE first.
            self.env["YOUKE_LOAD_CA"] = self.env["REQUESTS_CA_BUNDLE"] = str(cafile)
        self.process = None

    def __enter__(self):
        return self.start()

    def start(self):
        self.log_path.unlink(missing_ok=True)
        binary = ROOT / ".venv" / "bin" / "locust"
        command = [str(binary) if binary.exists() else "locust", "-f", str(LOCUSTFILE), "--headless"]
        command += ["-u", str(self.users), "-r", str(self.users), "-t", f"{self.ceiling}s", "--host", self.url]
        command += ["--only-summary", "--stop-timeout", "5"]
        self.output = open(self.work / "locust.log", "wb")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.output, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.wait_for(lambda answers: len(answers) >= 20, 120, "the load's first answers")
        return self

    def __exit__(self, *_):
        self.stop()

    def stop(self):
        if self.process and self.process.poll() is None:
            stop(self.process)
        if self.process and not self.output.closed:
            self.output.close()

    def answers(self, since=0.0):
        if not self.log_path.exists():
            return []
        lines = self.log_path.read_text(encoding="utf-8").splitlines()
        answers = [json.loads(line) for line in lines if line.endswith("}")]  # the last may be half-written
        return [answer for answer in answers if answer["t"] >= since]

    def wait_for(self, condition, seconds, what):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"locust ended: {(self.work / 'locust.log').read_text()[-2000:]}"
            if condition(self.answers()):
                return
            time.sleep(1)
        raise AssertionError(f"not within {seconds} s: {what}; {(self.work / 'locust.log').read_text()[-2000:]}")

    def wait_for_answers(self, since, count, seconds, what):
        """Until the load has had `count` answers after `since` (a time.time()): it went on through that stretch."""
        self.wait_for(lambda answers: len([a for a in answers if a["t"] > since]) >= count, seconds, what)

    def wait_for_credit(self, seconds=120):
        """Until learners have had heartbeats credited: the ledger is being written when the fault comes."""
        self.wait_for(lambda answers: len(credited(answers)) >= 1, seconds, "a credited heartbeat")


def kinds(answers):
    """Counter of (kind, status) - for a failure message that says what happened."""
    return Counter((answer["kind"], answer["status"]) for answer in answers)


def failures(answers, allowed=()):
    """Answers that are a server error or no answer at all (status 0), but for the statuses in `allowed`."""
    return [a for a in answers if (a["status"] >= 500 or a["status"] == 0) and a["status"] not in allowed]


def credited(answers):
    """{(user, lesson): the highest watched percent the site answered it had stored}."""
    best = {}
    for answer in answers:
        if answer["kind"] == "heartbeat" and answer["status"] == 200 and answer.get("outcome") in CREDITED:
            key = (answer["user"], answer["lesson"])
            best[key] = max(best.get(key, 0.0), float(answer["watched_percent"]))
    return best


LEDGER = """
import json
from training.models import VideoProgress
short = []
for user, lesson, percent in {claims!r}:
    row = VideoProgress.objects.filter(user__username=user, lesson_id=lesson).first()
    stored = round(row.percent, 1) if row else 0.0
    if stored < percent:
        short.append([user, lesson, percent, stored])
print(json.dumps(short))
"""


def ledger_shortfalls(env, answers):
    """[user, lesson, answered percent, stored percent] for every credit the site answered but did not keep."""
    claims = [[user, lesson, percent] for (user, lesson), percent in sorted(credited(answers).items())]
    assert claims, "no heartbeat was credited during the load: nothing to check"
    return json.loads(shell(env, LEDGER.format(claims=claims)))
