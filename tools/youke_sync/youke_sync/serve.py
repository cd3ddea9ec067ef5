"""`youke-sync serve DEST`: the box's web server, for when `python3 -m http.server` is not enough.

DEST is a box (its current version is served) or a bundle folder.

It adds two things to a plain static server: byte ranges (so a video can be
sought and a peer box can resume from this one) and `POST usage`, where the
offline player reports one qualifying play as {"lesson": id, "day": "YYYY-MM-DD"}.
Plays are kept as counts per day and lesson in DEST/usage/<day>.json - no
address, device or person is written.
"""

import datetime
import http.server
import json
import os
import re
import sys
import threading
from pathlib import Path

from .errors import say

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_lock = threading.Lock()


def record_play(dest, lesson, day):
    usage = Path(dest) / "usage"
    usage.mkdir(parents=True, exist_ok=True)
    path = usage / f"{day}.json"
    with _lock:
        counts = json.loads(path.read_text()) if path.exists() else {}
        counts[str(lesson)] = counts.get(str(lesson), 0) + 1
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(counts, sort_keys=True))
        os.replace(temporary, path)


class Handler(http.server.SimpleHTTPRequestHandler):
    dest = None

    def __init__(self, *args, **kwargs):
        # "current" is looked up on every request, so a swap is served from the next one on; a plain
        # bundle folder (an export, a USB disk) is served as it is, so one box can feed another.
        current = Path(self.dest) / "current"
        super().__init__(*args, directory=str(current if current.exists() else self.dest), **kwargs)

    def do_POST(self):
        if self.path.split("?")[0] != "/usage":
            self.send_error(404)
            return
        try:
            length = min(int(self.headers.get("Content-Length", 0)), 1024)
            body = json.loads(self.rfile.read(length))
            lesson, day = int(body["lesson"]), str(body["day"])
            datetime.date.fromisoformat(day)
            if not DAY.match(day):
                raise ValueError(day)
        except (ValueError, KeyError, TypeError):
            self.send_error(400)
            return
        record_play(self.dest, lesson, day)
        self.send_response(204)
        self.end_headers()

    def send_head(self):
        range_header = self.headers.get("Range")
        path = self.translate_path(self.path)
        if not range_header or not os.path.isfile(path):
            self.range = None
            return super().send_head()
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", range_header.strip())
        size = os.path.getsize(path)
        if not match or not (match.group(1) or match.group(2)):
            self.range = None
            return super().send_head()
        if match.group(1):
            start = int(match.group(1))
            end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
        else:  # a suffix: the last N bytes
            start, end = max(0, size - int(match.group(2))), size - 1
        if start >= size or start > end:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return None
        handle = open(path, "rb")  # closed by do_GET after copyfile
        handle.seek(start)
        self.range = (start, end)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return handle

    def copyfile(self, source, outputfile):
        if self.range is None:
            sent = _copy(source, outputfile, None)
        else:
            start, end = self.range
            sent = _copy(source, outputfile, end - start + 1)
        start = self.range[0] if self.range else 0
        # Bytes actually sent per request: what the measurements and the resume test count.
        self.log_message("sent %s from %s bytes=%s", self.path, start, sent)


def _copy(source, target, remaining):
    sent = 0
    try:
        while remaining is None or remaining > 0:
            block = source.read(65536 if remaining is None else min(65536, remaining))
            if not block:
                break
            target.write(block)
            sent += len(block)
            if remaining is not None:
                remaining -= len(block)
    except (BrokenPipeError, ConnectionResetError):
        pass
    return sent


def serve(dest, bind, port):
    Handler.dest = str(dest)
    server = http.server.ThreadingHTTPServer((bind, port), Handler)
    folder = Path(dest) / "current" if (Path(dest) / "current").exists() else Path(dest)
    say(f"正在提供 {folder}：http://{bind}:{port}/  Serving {folder}", sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
