"""What the fault tests share: plain HTTP to the site, waiting for an outcome, the site's shell and process."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

from tests.processes import ROOT, SERVICE_VARS


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def health(url):
    status, body = get(url + "/healthz")
    return status, json.loads(body)["checks"]


def eventually(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def site_env(work, **services):
    """The embedded default (SQLite and files in `work`), with only the given service variables set."""
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS and k != "YOUKE_REQUIRE_SERVICES"}
    env.update(YOUKE_VAR_DIR=str(work / "var"), DJANGO_SETTINGS_MODULE="youke.settings.dev", DEBUG="0", **services)
    return env


def manage(env, *args, timeout=600):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def shell(env, code):
    """Run `code` in the site's own `manage.py shell`; its last printed line."""
    return manage(env, "shell", "-c", code, timeout=300).strip().splitlines()[-1]


def start_site(env, port, log_path):
    """`manage.py runserver` (threaded, no reloader) on `port`; returns (process, log file, url)."""
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    return process, log, f"http://127.0.0.1:{port}"


INDEX_GAPS = """
import json
from modelsearch.backends import get_search_backend
from modelsearch.index import get_indexed_models
from wagtail.models import Page
expected = set()
for model in get_indexed_models():
    if issubclass(model, Page) and model is not Page:
        expected |= set(model.get_indexed_objects().live().values_list("pk", flat=True))
backend = get_search_backend()
index = backend.get_index_for_model(Page).name
request = {"query": {"match_all": {}}, "size": 10000, "_source": False, "stored_fields": ["pk"]}
backend.es.indices.refresh(index=index)
answer = backend.es.search(index=index, **request) if backend.use_new_elasticsearch_api else backend.es.search(
    index=index, body=request
)
indexed = {int(hit["fields"]["pk"][0]) for hit in answer["hits"]["hits"]}
print(json.dumps({"published": len(expected), "missing": sorted(expected - indexed)}))
"""


def index_gaps(env):
    """{published: how many live pages the search indexes, missing: the ids of those not in the engine's index}."""
    return json.loads(shell(env, INDEX_GAPS))
