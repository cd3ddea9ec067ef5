"""Plays counted offline come back: the box's serve mode takes the player's reports, the district imports them."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.core.management import CommandError, call_command

from supervision.models import OfflinePlayCount

from .conftest import SYNC_TOOL, lesson, stored_outputs, sync

pytestmark = pytest.mark.django_db


def free_port():
    for port in range(18220, 18240):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 18220-18239")


@pytest.fixture
def served_box(library, signing_key, tmp_path):
    page = lesson("几分之一", stored_outputs({"download.mp4": b"\x00video" * 1000, "poster.jpg": b"p"}))
    call_command("export_bundle", str(tmp_path / "bundle"))
    sync(tmp_path / "bundle", tmp_path / "box", signing_key)
    port = free_port()
    env = {"PYTHONPATH": str(SYNC_TOOL)}
    command = [sys.executable, "-m", "youke_sync", "serve", str(tmp_path / "box"), "--bind", "127.0.0.1"]
    server = subprocess.Popen([*command, "--port", str(port)], env=env, stderr=subprocess.PIPE)
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield page, f"http://127.0.0.1:{port}/", tmp_path / "box"
    server.terminate()
    server.wait(timeout=10)


def post(url, body):
    request = urllib.request.Request(url + "usage", data=json.dumps(body).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request) as response:
        return response.status


def test_box_counts_plays_and_the_district_credits_them_to_the_school(served_box, tmp_path):
    page, url, box = served_box
    for _ in range(3):
        assert post(url, {"lesson": page.pk, "day": "2026-12-01"}) == 204
    post(url, {"lesson": page.pk, "day": "2026-12-02"})
    usage_file = tmp_path / "usage.json"
    env = {"PYTHONPATH": str(SYNC_TOOL)}
    command = [sys.executable, "-m", "youke_sync", "usage", str(box), "--school", "QSZX", "-o", str(usage_file)]
    subprocess.run(command, check=True, env=env)
    data = json.loads(usage_file.read_text())
    assert data["school"] == "QSZX" and data["source"].startswith("box:")
    assert data["plays"] == [
        {"lesson": page.pk, "day": "2026-12-01", "plays": 3},
        {"lesson": page.pk, "day": "2026-12-02", "plays": 1},
    ]
    assert "address" not in usage_file.read_text() and "127.0.0.1" not in usage_file.read_text()

    call_command("import_bundle_usage", str(usage_file))
    call_command("import_bundle_usage", str(usage_file))  # sent twice: replaced, not added

    counts = {(row.school.code, str(row.day)): row.plays for row in OfflinePlayCount.objects.select_related("school")}
    assert counts == {("QSZX", "2026-12-01"): 3, ("QSZX", "2026-12-02"): 1}


def test_a_bad_report_is_refused_by_the_box(served_box):
    _, url, box = served_box
    with pytest.raises(urllib.error.HTTPError) as refused:
        post(url, {"lesson": "1; rm", "day": "yesterday"})
    assert refused.value.code == 400
    assert not list((box / "usage").glob("*.json"))


def test_a_browser_export_needs_a_school_and_names_a_source(library, tmp_path):
    page = lesson("几分之一", stored_outputs({"download.mp4": b"v", "poster.jpg": b"p"}))
    body = {"format": "youke-usage", "schema_version": 1, "bundle_id": "youke-x", "source": "dev:0123456789ab",
            "school": None, "plays": [{"lesson": page.pk, "day": "2026-12-01", "plays": 2}]}  # fmt: skip
    path = tmp_path / "usage.json"
    path.write_text(json.dumps(body))
    with pytest.raises(CommandError, match="--school"):
        call_command("import_bundle_usage", str(path))
    call_command("import_bundle_usage", str(path), school="HXZX")
    assert OfflinePlayCount.objects.get().plays == 2
