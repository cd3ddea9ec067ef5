"""A sync killed mid-file resumes from its last byte over HTTP; a full disk stops it with the old version served."""

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest
from django.core.management import call_command

from .conftest import SYNC_TOOL, lesson, stored_outputs, sync

pytestmark = pytest.mark.django_db

BIG = hashlib.sha256(b"seed").digest() * 40_000  # 1.28 MB that does not compress


def start_server(folder, port):
    env = {**os.environ, "PYTHONPATH": str(SYNC_TOOL)}
    command = [sys.executable, "-m", "youke_sync", "serve", str(folder), "--bind", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    for _ in range(200):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.05)
    raise RuntimeError("server did not start")


def stop(server):
    server.terminate()
    return server.communicate(timeout=10)[1]


def test_a_killed_sync_resumes_from_the_byte_where_it_stopped(library, signing_key, tmp_path):
    lesson("几分之一", stored_outputs({"download.mp4": BIG, "poster.jpg": b"\xff\xd8p"}))
    call_command("export_bundle", str(tmp_path / "bundle"))
    manifest = json.loads((tmp_path / "bundle" / "manifest.json").read_text())
    video = manifest["lessons"][0]["files"][0]
    partial = tmp_path / "box" / "partial" / (video["path"].rsplit("/", 1)[1] + ".part")
    server = start_server(tmp_path / "bundle", 18251)
    url = "http://127.0.0.1:18251/"
    env = {**os.environ, "PYTHONPATH": str(SYNC_TOOL)}
    slow = [sys.executable, "-m", "youke_sync", url, str(tmp_path / "box"), "--public-key", str(signing_key)]
    running = subprocess.Popen([*slow, "--limit-rate", "256k"], env=env, stdout=subprocess.PIPE)
    while not (partial.exists() and partial.stat().st_size >= 300_000):
        assert running.poll() is None, "the capped sync ended before it could be killed"
        time.sleep(0.05)
    running.send_signal(signal.SIGKILL)
    running.wait()
    stopped_at = partial.stat().st_size
    assert 300_000 <= stopped_at < len(BIG)
    assert not (tmp_path / "box" / "current").exists(), "nothing is served before a version is whole"

    result = sync(url, tmp_path / "box", signing_key)
    log = stop(server)

    assert f"resuming {video['path']} from byte {stopped_at}" in result.stdout
    sends = re.findall(rf"sent /{re.escape(video['path'])} from (\d+) bytes=(\d+)", log)
    assert sends[-1] == (str(stopped_at), str(len(BIG) - stopped_at)), "the second run asked for the rest only"
    assert (tmp_path / "box" / video["path"]).read_bytes() == BIG


def _mount_tmpfs(path, options):
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.decode().strip()}")


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "disk"
    yield disk, _mount_tmpfs
    subprocess.run(["umount", str(disk)], check=False)


def test_a_full_disk_stops_the_sync_with_a_clear_message_and_the_old_version_served(
    library, signing_key, tmp_path, small_disk
):
    disk, mount = small_disk
    mount(disk, "size=600k")
    page = lesson("几分之一", stored_outputs({"download.mp4": BIG[:200_000], "poster.jpg": b"\xff\xd8p"}))
    call_command("export_bundle", str(tmp_path / "bundle"))
    sync(tmp_path / "bundle", disk / "box", signing_key)
    served = os.readlink(disk / "box" / "current")
    part = page.parts.get(kind="video")
    part.video = stored_outputs({"download.mp4": BIG[:900_000], "poster.jpg": b"\xff\xd8p"})
    part.save()
    call_command("export_bundle", str(tmp_path / "bundle"))

    result = sync(tmp_path / "bundle", disk / "box", signing_key, check=False)

    assert result.returncode == 1
    assert "磁盘空间不足" in result.stderr and "Not enough disk space" in result.stderr
    assert "原有版本保持不变" in result.stderr
    assert os.readlink(disk / "box" / "current") == served
    old = json.loads((disk / "box" / "current" / "manifest.json").read_text())["lessons"][0]["files"][0]
    assert (disk / "box" / old["path"]).read_bytes() == BIG[:200_000]


def test_running_out_of_room_mid_copy_is_reported_and_the_old_version_stays(library, signing_key, tmp_path, small_disk):
    """The space check passes but the disk fills while writing (here: no inode left for the next file)."""
    disk, mount = small_disk
    lesson("几分之一", stored_outputs({"download.mp4": b"a" * 1000, "poster.jpg": b"\xff\xd8p"}))
    call_command("export_bundle", str(tmp_path / "bundle"))
    # Enough bytes, and inodes for this first version only (folders, files, links, the release).
    mount(disk, "size=4m,nr_inodes=40")
    sync(tmp_path / "bundle", disk / "box", signing_key)
    served = os.readlink(disk / "box" / "current")
    for number in range(12):
        lesson(f"新课 {number}", stored_outputs({"download.mp4": b"n%d" % number * 500, "poster.jpg": b"q%d" % number}))
    call_command("export_bundle", str(tmp_path / "bundle"))

    result = sync(tmp_path / "bundle", disk / "box", signing_key, check=False)

    assert result.returncode == 1
    assert "磁盘已满" in result.stderr and "Disk full" in result.stderr, result.stderr
    assert os.readlink(disk / "box" / "current") == served
    assert len(json.loads((disk / "box" / "current" / "manifest.json").read_text())["lessons"]) == 1
