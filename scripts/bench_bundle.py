#!/usr/bin/env python
"""Offline-bundle benchmark: size per lesson-hour per rendition, sync vs curl -C -, bytes re-sent after a cut.

    .venv/bin/python scripts/bench_bundle.py [--seconds 120] [--source lesson.mp4]

1. Size: a source (default: a 120 s 854x480 ffmpeg test picture with a tone -
   busier than a classroom, so an upper bound) goes through the platform's
   one-pass ladder (core.media.transcode), then each bundle rendition is made
   the way export_bundle makes it (core.media.offline); MB per hour of lesson.
2. Throughput: the 360p file, ten times over (distinct copies), signed into a
   bundle, served by `youke-sync serve` on 127.0.0.1:18290; `youke-sync` and
   `curl -C -` fetch the same bytes; wall time ratio (sync / curl, 1.0 = same).
3. Interruption: both are killed after about a third of one file (capped at
   512 kB/s) and run again; bytes the server sent for that file beyond its size.

Never a test: a shared 2-core machine moves these figures with its load.
"""

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TOOL = ROOT / "tools" / "youke_sync"
PORT = 18290

from core.media import offline  # noqa: E402 - after the path
from core.media.transcode import transcode  # noqa: E402


def make_source(path, seconds):
    picture = f"testsrc2=size=854x480:rate=25:duration={seconds}"
    tone = f"sine=frequency=440:duration={seconds}"
    command = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", picture, "-f", "lavfi", "-i", tone]
    subprocess.run([*command, "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(path)], check=True)


def sizes(source, work):
    result = transcode(source, work / "ladder")
    out = result.out_dir
    audio = out / "audio" / "index.m3u8"
    made = {"360p": out / "download.mp4"}
    for name, command in (
        ("480p", offline.remux(out / "480p" / "index.m3u8", audio, work / "480p.mp4")),
        ("240p", offline.remux(out / "240p" / "index.m3u8", audio, work / "240p.mp4")),
        ("144p", offline.encode_low(out / "240p" / "index.m3u8", audio, work / "144p.mp4")),
        ("audio", offline.remux(None, audio, work / "audio.m4a")),
    ):
        subprocess.run(command, check=True, capture_output=True)
        made[name] = Path(command[-1].removeprefix("file:"))
    hours = result.duration / 3600
    return {name: path.stat().st_size / 1e6 / hours for name, path in made.items()}, made["360p"]


def signed_bundle(folder, video, copies):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = Ed25519PrivateKey.generate()
    files = []
    body = video.read_bytes()
    for number in range(copies):
        data = body + number.to_bytes(4, "big")  # distinct bytes, distinct names
        sha = hashlib.sha256(data).hexdigest()
        path = folder / "files" / sha[:2] / f"{sha}.mp4"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        files.append({"role": "video", "path": path.relative_to(folder).as_posix(), "size": len(data), "sha256": sha})
    lessons = [
        {"id": i, "title": f"课 {i}", "teacher": "-", "school": {"name": "-"}, "files": [f]}
        for i, f in enumerate(files)
    ]
    manifest = {"schema_version": 1, "bundle_id": "youke-bench", "version": "1", "app": [], "lessons": lessons}
    raw = json.dumps(manifest).encode()
    (folder / "manifest.json").write_bytes(raw)
    signature = {"algorithm": "ed25519", "key_id": "bench", "signature": base64.b64encode(key.sign(raw)).decode()}
    (folder / "manifest.json.sig").write_text(json.dumps(signature))
    public = folder.parent / "public.pem"
    public.write_bytes(key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    return files, public


def sync_command(dest, public, *extra):
    return [
        sys.executable,
        "-m",
        "youke_sync",
        f"http://127.0.0.1:{PORT}/",
        str(dest),
        "--public-key",
        str(public),
        *extra,
    ]


def timed(command, env=None):
    started = time.monotonic()
    subprocess.run(command, check=True, env=env, capture_output=True)
    return time.monotonic() - started


def kill_when(process, path, size):
    while not (path.exists() and path.stat().st_size >= size):
        if process.poll() is not None:
            raise RuntimeError("finished before it could be interrupted")
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return path.stat().st_size


def sent_for(log, name):
    return sum(int(sent) for sent in re.findall(rf"sent /{re.escape(name)} from \d+ bytes=(\d+)", log))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--source")
    parser.add_argument("--copies", type=int, default=10)
    options = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(TOOL)}
    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as scratch:
        work = Path(scratch)
        source = Path(options.source) if options.source else work / "source.mp4"
        if not options.source:
            make_source(source, options.seconds)
        per_hour, video = sizes(source, work)
        print("rendition   MB per lesson-hour")
        for name in offline.RENDITIONS:
            print(f"{name:10s}  {per_hour[name]:8.1f}")

        bundle = work / "bundle"
        bundle.mkdir()
        files, public = signed_bundle(bundle, video, options.copies)
        serve = [sys.executable, "-m", "youke_sync", "serve", str(bundle), "--bind", "127.0.0.1", "--port", str(PORT)]
        server = subprocess.Popen(serve, env=env, stderr=subprocess.PIPE, text=True)
        time.sleep(1)
        try:
            total = sum(f["size"] for f in files)
            ours = timed(sync_command(work / "box", public), env)
            curl_dir = work / "curl"
            curl_dir.mkdir()
            urls = [
                arg
                for f in files
                for arg in ("-o", str(curl_dir / Path(f["path"]).name), f"http://127.0.0.1:{PORT}/{f['path']}")
            ]
            theirs = timed(["curl", "-s", "-f", *urls])
            print(
                f"\nthroughput on {total / 1e6:.1f} MB over loopback: youke-sync {total / ours / 1e6:.1f} MB/s, "
                f"curl {total / theirs / 1e6:.1f} MB/s, ratio {ours / theirs:.2f} (time youke-sync / time curl; "
                "youke-sync also hashes every byte and fsyncs)"
            )

            first = files[0]
            name = Path(first["path"]).name
            shutil.rmtree(work / "box2", ignore_errors=True)
            running = subprocess.Popen(
                sync_command(work / "box2", public, "--limit-rate", "512k"), env=env, stdout=subprocess.DEVNULL
            )
            kept = [kill_when(running, work / "box2" / "partial" / f"{name}.part", first["size"] // 3)]
            subprocess.run(sync_command(work / "box2", public), env=env, check=True, capture_output=True)
            curl_target = work / "curl2" / name
            curl_target.parent.mkdir()
            url = f"http://127.0.0.1:{PORT}/{first['path']}"
            running = subprocess.Popen(["curl", "-s", "--limit-rate", "512k", "-o", str(curl_target), url])
            kept.append(kill_when(running, curl_target, first["size"] // 3))
            subprocess.run(["curl", "-s", "-C", "-", "-o", str(curl_target), url], check=True)
        finally:
            time.sleep(1)  # the server logs a request after its last byte: let the last line be written
            server.terminate()
            log = server.communicate(timeout=10)[1]
        pattern = rf"sent /{re.escape(first['path'])} from (\d+) bytes=(\d+)"
        requests = [(int(start), int(sent)) for start, sent in re.findall(pattern, log)]
        size = first["size"]
        print(f"\nkilled at about a third of a {size} B file (youke-sync, then curl), bytes on disk: {kept}")
        print("that file's requests as the server logged them (from byte, bytes sent):")
        for start, sent in requests:
            print(f"  from {start:>9}  sent {sent:>9}")
        print("A resumed request starting at the partial file's size re-fetches nothing already stored; bytes the")
        print("server sent beyond that were in socket buffers when the client was killed (large on loopback).")


if __name__ == "__main__":
    main()
