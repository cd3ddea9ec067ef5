"""The production shape (scripts/prodlike.sh) behaves as a deployment: TLS in front, two search nodes,
uploads straight to S3 through nginx on the site's origin; and under a district's load (the locust mix of
tests/faults/load.py, through nginx) a transcode host killed mid-job as the other one finishes it, search
nodes killed as search goes on, and afterwards nothing lost.

Started once for the module from a clean environment (as an operator's shell
would be); everything goes over real HTTP to nginx, as a browser's requests do.
Outcomes only: status codes, headers, the cluster's shard table, the video's
one output. The transcode host's death is SIGKILL to its whole process group
(the worker and its ffmpeg), as a machine that loses power.
"""

import os
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin

import boto3
import pytest
import requests

from sso.testing import authorize, keycloak_browser
from tests.faults.helpers import index_gaps, shell
from tests.faults.load import DistrictLoad, failures, kinds, ledger_shortfalls
from tests.media_pipeline.clips import make_clip
from tests.processes import ROOT, SERVICE_VARS

pytestmark = [
    *(pytest.mark.service(name) for name in ("postgres", "redis", "s3", "keycloak", "search", "ffmpeg")),
    pytest.mark.slow,
]

DIR = ROOT / ".prodlike"
SITE = "https://127.0.0.1:18443"
CA = str(DIR / "nginx" / "certs" / "tls.crt")
NODES = ("http://127.0.0.1:9231", "http://127.0.0.1:9232")
# The search nodes' folders and pid files (scripts/prodlike/cluster.sh).
SEARCH_NODES = Path(os.environ.get("YOUKE_SERVICES_DIR", ROOT / ".services")) / "prodlike-search"
QUERY, ENGINE_DOWN_WORDS = "分数的初步认识", "可能不够全面"
# Short enough for a test: a host silent for 45 s is dead, and beat looks every 15 s.
FAST_REQUEUE = {"TRANSCODE_STUCK_SECONDS": "45", "TRANSCODE_REQUEUE_SECONDS": "15"}


LEFT_OUT = SERVICE_VARS | {"SEARCH_INDEX_PREFIX", "CELERY_RESULT_BACKEND", "YOUKE_VAR_DIR"}


def prodlike(command, extra=None):
    env = {k: v for k, v in os.environ.items() if k not in LEFT_OUT}
    env.update(extra or {})
    subprocess.run(["bash", "scripts/prodlike.sh", command], cwd=ROOT, env=env, check=True, timeout=1500)


def read_env():
    values = {}
    for line in (DIR / "env").read_text().splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        values[key] = value
    return values


@pytest.fixture(scope="module")
def shape():
    prodlike("down")  # hosts started with other settings must not stay
    prodlike("up", FAST_REQUEUE)
    yield read_env()
    prodlike("down")


@pytest.fixture(scope="module")
def load(shape, tmp_path_factory):
    """The district's locust mix (tests/faults/load.py) through nginx, from the first fault to the last check."""
    with DistrictLoad(SITE, tmp_path_factory.mktemp("prodlike-load"), ceiling=1500, cafile=CA) as running:
        yield running


def site_env():
    """The shape's own environment, for `manage.py shell` as one of its hosts runs it."""
    return {**{k: v for k, v in os.environ.items() if k not in LEFT_OUT}, **read_env()}


def eventually(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(2)
    pytest.fail(f"not within {seconds} s: {what}", pytrace=False)


def test_tls_compression_static_caching_and_health(shape):
    plain = requests.get("http://127.0.0.1:18480/lessons/", allow_redirects=False, timeout=10)
    assert plain.status_code == 301 and plain.headers["Location"] == f"{SITE}/lessons/"

    health = requests.get(f"{SITE}/healthz", verify=CA, timeout=30)
    assert health.status_code == 200, health.text
    checks = health.json()["checks"]
    assert {name: check["status"] for name, check in checks.items()} == dict.fromkeys(checks, "up")
    assert (checks["database"]["backend"], checks["search"]["backend"], checks["storage"]["backend"]) == (
        "postgresql", "opensearch", "s3",
    )  # fmt: skip

    home = requests.get(f"{SITE}/", verify=CA, timeout=30, headers={"Accept-Encoding": "gzip"})
    assert home.status_code == 200 and home.headers.get("Content-Encoding") == "gzip"
    assert "Content-Security-Policy" in home.headers and home.headers.get("X-Frame-Options") == "SAMEORIGIN"
    css = next(part.split('"')[0] for part in home.text.split('href="')[1:] if part.startswith("/static/css/"))
    static = requests.get(urljoin(SITE, css), verify=CA, timeout=30)
    assert static.status_code == 200 and "immutable" in static.headers["Cache-Control"], "served by nginx, hashed"


def test_every_shard_has_a_replica_on_the_other_node_and_search_answers(shape):
    shards = requests.get(f"{NODES[0]}/_cat/shards/prodlike_*?format=json", timeout=10).json()
    assert shards, "the site's indexes are on the cluster"
    by_shard = {}
    for row in shards:
        assert row["state"] == "STARTED", row
        by_shard.setdefault((row["index"], row["shard"]), set()).add((row["prirep"], row["node"]))
    for copies in by_shard.values():
        assert {kind for kind, _ in copies} == {"p", "r"} and len({node for _, node in copies}) == 2

    found = requests.get(f"{SITE}/search/", params={"q": "分数"}, verify=CA, timeout=30)
    assert found.status_code == 200 and "/lessons/" in found.text


class SiteSession(requests.Session):
    """Trusts the shape's test CA on every request (a Session's own `verify` loses to REQUESTS_CA_BUNDLE)."""

    def request(self, method, url, **kwargs):
        kwargs.setdefault("verify", CA)
        return super().request(method, url, **kwargs)


def signed_in_teacher():
    """A requests session signed in as teacher1 through the site's 登录 and Keycloak's own form."""
    session = SiteSession()
    start = session.get(f"{SITE}/sso/login/", params={"next": "/"}, allow_redirects=False, timeout=30)
    assert start.status_code == 302, start.text[:500]
    answer = authorize(keycloak_browser(), start.headers["Location"], "teacher1")
    callback = session.get(answer.headers["Location"], allow_redirects=False, timeout=30)
    assert callback.status_code == 302 and "sessionid" in session.cookies, callback.text[:500]
    session.get(f"{SITE}/media-pipeline/uploads/", timeout=30)  # the uploader's page sets the CSRF cookie
    session.headers.update({"X-CSRFToken": session.cookies.get("csrftoken", ""), "Referer": f"{SITE}/"})
    return session


def upload(session, path):
    """The uploader's calls: create, presigned parts PUT to S3 (nginx passes them through), complete."""
    api = f"{SITE}/media-pipeline/uploads/"
    body = {"filename": path.name, "size": path.stat().st_size, "content_type": "video/mp4"}
    info = session.post(api, json=body, timeout=30)
    assert info.status_code == 201, info.text
    info = info.json()
    data, size = path.read_bytes(), info["part_size"]
    numbers = list(range(1, info["parts_total"] + 1))
    urls = session.post(f"{api}{info['id']}/parts/", json={"numbers": numbers}, timeout=30).json()["urls"]
    for number in numbers:
        assert urls[str(number)].startswith(f"{SITE}/youke-prodlike/"), "on the site's own origin, through nginx"
        put = requests.put(urls[str(number)], data=data[(number - 1) * size : number * size], verify=CA, timeout=60)
        assert put.status_code == 200, put.text
    done = session.post(f"{api}{info['id']}/complete/", timeout=60)
    assert done.status_code == 200, done.text
    return done.json()["video_id"]


def host_of(task_marker):
    """The transcode host whose log names the job."""
    for name in ("transcode-a", "transcode-b"):
        if task_marker in (DIR / "logs" / f"{name}.log").read_text(errors="replace"):
            return name
    return None


def outputs(env, video_id):
    s3 = boto3.client(
        "s3", endpoint_url=env["S3_ENDPOINT_URL"], aws_access_key_id=env["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=env["S3_SECRET_ACCESS_KEY"], region_name=env["S3_REGION"],
    )  # fmt: skip
    listed = s3.list_objects_v2(Bucket=env["S3_BUCKET"], Prefix=f"videos/{video_id}/", Delimiter="/")
    return [prefix["Prefix"] for prefix in listed.get("CommonPrefixes", [])]


def test_a_transcode_host_killed_mid_job_leaves_the_other_to_finish_with_exactly_one_output(shape, load, tmp_path):
    session = signed_in_teacher()
    clip = make_clip(tmp_path / "课堂实录.mp4", size="1280x720", seconds=40)
    video_id = upload(session, Path(clip))
    status_url = f"{SITE}/media-pipeline/videos/{video_id}/status"

    def status():
        return session.get(status_url, timeout=30).json()

    eventually(lambda: status()["status"] == "processing" and status()["progress"] > 0, 300, "the job running")
    first = eventually(lambda: host_of(f"transcode {video_id}: started"), 30, "the host that took the job")
    os.killpg(int((DIR / "pids" / first).read_text()), signal.SIGKILL)
    killed = time.time()

    ready = eventually(lambda: (s := status())["status"] == "ready" and s, 600, "ready after the other host's run")
    answers = load.answers(since=killed)
    assert len(answers) >= 30 and failures(answers) == [], f"the district noticed the host's death: {kinds(answers)}"
    assert ready["attempts"] == 2 and ready["playable"]
    other = "transcode-b" if first == "transcode-a" else "transcode-a"
    assert f"transcode {video_id}: ready" in (DIR / "logs" / f"{other}.log").read_text(errors="replace")
    assert len(outputs(shape, video_id)) == 1, "exactly one output run in S3, nothing half-made beside it"
    master = session.get(f"{SITE}/media-pipeline/videos/{video_id}/hls/master.m3u8", timeout=30)
    assert master.status_code == 200 and "#EXTM3U" in master.text
    prodlike("up", FAST_REQUEUE)  # the killed host comes back, as after a reboot
    os.kill(int((DIR / "pids" / first).read_text()), 0)


def search_api(sort, page=1):
    """(count, notice) of the search API for a judged query; `sort` and `page` keep each phase out of the cache."""
    params = {"q": QUERY, "sort": sort, "page": page}
    answer = requests.get(f"{SITE}/api/search", params=params, verify=CA, timeout=60)
    assert answer.status_code == 200, answer.text[:500]
    return answer.json()["count"], answer.json()["notice"]


def health():
    answer = requests.get(f"{SITE}/healthz", verify=CA, timeout=60)
    return answer.status_code, answer.json()["checks"]


def cluster(path, method="GET"):
    for node in NODES:
        try:
            return requests.request(method, node + path, timeout=60)
        except requests.ConnectionError:
            continue
    raise AssertionError("no search node answers")


def test_search_nodes_die_under_load_and_come_back_with_every_page_indexed(shape, load):
    count, notice = search_api("relevance")
    assert count and notice is None
    # node1 dies; were it the cluster manager, node0 is made the manager first (a voting exclusion), as
    # an operator of a two-node cluster does, so that node0 keeps the quorum alone (docs/scaling.md).
    if cluster("/_cat/cluster_manager?h=node").text.strip() == "node1":
        cluster("/_cluster/voting_config_exclusions?node_names=node1", "POST")
        eventually(lambda: cluster("/_cat/cluster_manager?h=node").text.strip() == "node0", 60, "node0 manages")
    killed = time.time()
    os.kill(int((SEARCH_NODES / "node1" / "opensearch.pid").read_text()), signal.SIGKILL)
    assert search_api("newest") == (count, None), "as many lessons, from the engine: the replicas on node0"
    assert health()[0] == 200

    os.kill(int((SEARCH_NODES / "node0" / "opensearch.pid").read_text()), signal.SIGKILL)
    found, notice = search_api("relevance", page=2)
    assert found and ENGINE_DOWN_WORDS in notice, (found, notice)  # the database's answer, saying so
    status, checks = health()
    assert status == 503 and checks["search"]["status"] == "down", checks
    assert all(check["status"] == "up" for name, check in checks.items() if name != "search"), checks
    load.wait_for_answers(killed, 60, 180, "load while search is down")

    prodlike("up", FAST_REQUEUE)  # both nodes come back on their own data
    cluster("/_cluster/voting_config_exclusions?wait_for_removal=false", "DELETE")
    assert cluster("/_cluster/health?wait_for_status=green&timeout=180s").json()["status"] == "green"
    eventually(lambda: health()[0] == 200, 120, "healthy again")
    answers = load.answers(since=killed)
    assert failures(answers) == [], kinds(answers)
    assert ("search", 200) in kinds(answers)
    assert index_gaps(site_env())["missing"] == [], "every published page is in the index"


def test_after_the_faults_nothing_was_lost(shape, load):
    """Every upload ends ready or with a reason, every credited heartbeat is in the ledger, health is 200."""
    load.stop()
    answers = load.answers()
    assert failures(answers) == [], kinds(answers)
    assert ledger_shortfalls(site_env(), answers) == [], "every heartbeat the site credited is in the ledger"
    code = (
        "from media_pipeline.models import Video; print(list(Video.objects.exclude(status='ready')"
        ".exclude(status='failed', error__gt='').values_list('pk', 'status')))"
    )
    assert shell(site_env(), code) == "[]", "an upload neither ready nor failed with its reason"
    status, checks = health()
    assert status == 200 and {check["status"] for check in checks.values()} == {"up"}, checks
