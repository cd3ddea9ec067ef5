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
3. Interruption: youke-sync, then curl, fetch one file through a small proxy
   that paces it (--pace kB/s; curl's own --limit-rate lets a loopback
   transfer finish at once); each is SIGKILLed once a third of the file is on
   disk, then run again (youke-sync; `curl -C -`): the bytes the second
   request transferred against the bytes that were missing (server log, and
   curl's -w '%{size_download}').

Never a test: a shared 2-core machine moves these figures with its load.
"""

import argparse
import base64
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TOOL = ROOT / "tools" / "youke_sync"
PORT = 18290  # --port; the pacing proxy listens on the next one

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


def sync_command(url, dest, public, *extra):
    return [sys.executable, "-m", "youke_sync", url, str(dest), "--public-key", str(public), *extra]


def timed(command, env=None):
    started = time.monotonic()
    subprocess.run(command, check=True, env=env, capture_output=True)
    return time.monotonic() - started


def kill_when(process, path, size):
    """SIGKILL `process` once `path` holds `size` bytes; the bytes on disk after it died."""
    while not (path.exists() and path.stat().st_size >= size):
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} finished before it could be interrupted (raise --pace?)")
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return path.stat().st_size


class PacingProxy:
    """127.0.0.1:port → upstream, the answers paced at `rate` bytes/s: a slow line on loopback.

    What the client has not yet read stays in the proxy and the kernel's socket
    buffers, as on a real line; a killed client loses it.
    """

    def __init__(self, port, upstream, rate):
        self.upstream, self.rate = upstream, rate
        self.listener = socket.create_server(("127.0.0.1", port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            threading.Thread(target=self._pipe, args=(client, server, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, self.rate), daemon=True).start()

    @staticmethod
    def _pipe(source, target, rate):
        started, moved = time.monotonic(), 0
        try:
            while block := source.recv(16 * 1024):
                target.sendall(block)
                moved += len(block)
                if rate:
                    time.sleep(max(0.0, moved / rate - (time.monotonic() - started)))
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.listener.close()


def sent_for(log, name):
    return sum(int(sent) for sent in re.findall(rf"sent /{re.escape(name)} from \d+ bytes=(\d+)", log))


def interrupted(label, size, kept, second, curl_download=None):
    """One line of the comparison: the second request should carry exactly the missing bytes."""
    (start, sent), missing = second, size - kept
    line = f"{label:11s} {kept:>10,} {missing:>10,} {start:>12,} {sent:>12,} {sent - missing:>+9,}"
    return line + ("" if curl_download is None else f"   (curl -w size_download: {curl_download:,})")


def main():
    global PORT
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=120, help="length of the generated source (s)")
    parser.add_argument("--source", help="a video of your own instead of the generated one")
    parser.add_argument("--copies", type=int, default=10, help="distinct files in the throughput bundle")
    parser.add_argument("--port", type=int, default=PORT, help="youke-sync serve's port; the proxy takes the next")
    parser.add_argument("--pace", type=int, default=512, help="kB/s of the interruption's paced line")
    options = parser.parse_args()
    PORT = options.port
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
        proxy = PacingProxy(PORT + 1, PORT, options.pace * 1000)
        direct, paced = f"http://127.0.0.1:{PORT}/", f"http://127.0.0.1:{PORT + 1}/"
        try:
            total = sum(f["size"] for f in files)
            ours = timed(sync_command(direct, work / "box", public), env)
            curl_dir = work / "curl"
            curl_dir.mkdir()
            urls = [arg for f in files for arg in ("-o", str(curl_dir / Path(f["path"]).name), direct + f["path"])]
            theirs = timed(["curl", "-s", "-f", *urls])
            print(
                f"\nthroughput on {total / 1e6:.1f} MB over loopback: youke-sync {total / ours / 1e6:.1f} MB/s, "
                f"curl {total / theirs / 1e6:.1f} MB/s, ratio {ours / theirs:.2f} (time youke-sync / time curl; "
                "youke-sync also hashes every byte and fsyncs)"
            )

            first = files[0]
            name, size, third = Path(first["path"]).name, first["size"], first["size"] // 3
            running = subprocess.Popen(sync_command(paced, work / "box2", public), env=env, stdout=subprocess.DEVNULL)
            kept = [kill_when(running, work / "box2" / "partial" / f"{name}.part", third)]
            subprocess.run(sync_command(paced, work / "box2", public), env=env, check=True, capture_output=True)
            curl_target = work / "curl2" / name
            curl_target.parent.mkdir()
            running = subprocess.Popen(["curl", "-s", "-o", str(curl_target), paced + first["path"]])
            kept.append(kill_when(running, curl_target, third))
            resume = ["curl", "-s", "-f", "-C", "-", "-o", str(curl_target), "-w", "%{size_download}"]
            resumed = subprocess.run([*resume, paced + first["path"]], check=True, capture_output=True, text=True)
            curl_second = int(float(resumed.stdout.strip()))
            assert hashlib.sha256(curl_target.read_bytes()).hexdigest() == first["sha256"], "curl's copy is whole"
        finally:
            proxy.close()
            time.sleep(1)  # the server logs a request after its last byte: let the last line be written
            server.terminate()
            log = server.communicate(timeout=10)[1]
        pattern = rf"sent /{re.escape(first['path'])} from (\d+) bytes=(\d+)"
        requests = [(int(start), int(sent)) for start, sent in re.findall(pattern, log)]
        # That file's last four requests: youke-sync killed, youke-sync again, curl killed, curl -C -.
        sync_first, sync_again, curl_first, curl_again = requests[-4:]
        print(
            f"\ninterruption: a {size:,} B file over a {options.pace} kB/s paced line, each client SIGKILLed once a"
            " third of it was on disk, then run again (youke-sync; curl -C -)"
        )
        print(f"{'':11s} {'on disk':>10s} {'missing':>10s} {'2nd from':>12s} {'2nd sent':>12s} {'re-sent':>9s}")
        print(interrupted("youke-sync", size, kept[0], sync_again))
        print(interrupted("curl -C -", size, kept[1], curl_again, curl_second))
        print(
            "(2nd sent: the bytes the server sent in the second request; re-sent = 2nd sent - missing. The first,"
            f" killed requests pushed {sync_first[1]:,} and {curl_first[1]:,} B into the line: what was in flight"
            " died with the client.)"
        )


if __name__ == "__main__":
    main()
