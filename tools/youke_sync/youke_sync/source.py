"""Where a bundle comes from: a folder (a mounted USB disk) or a URL (the district site).

Both give the small files whole and stream a content file from a byte offset,
so an interrupted copy resumes where its partial file ends: an HTTP Range
request, or a seek on the disk.
"""

import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .errors import SyncError

CHUNK = 64 * 1024
TIMEOUT_SECONDS = 60  # one read on a poor line may stall this long before we give up (the next run resumes)


class RateLimit:
    """At most `rate` bytes per second on average since the start (None: no cap)."""

    def __init__(self, rate):
        self.rate, self.started, self.sent = rate, time.monotonic(), 0

    def take(self, count):
        self.sent += count
        if self.rate:
            ahead = self.sent / self.rate - (time.monotonic() - self.started)
            if ahead > 0:
                time.sleep(ahead)

    def chunk(self):
        # Small blocks under a low cap, so the average holds within a second.
        return max(1024, min(CHUNK, self.rate // 4)) if self.rate else CHUNK


def open_source(location):
    if location.startswith(("http://", "https://")):
        return HttpSource(location)
    root = Path(location)
    if not root.is_dir():
        raise SyncError(f"找不到资源包来源：{location}", f"Bundle source not found: {location}")
    return PathSource(root)


class PathSource:
    def __init__(self, root):
        self.root = root

    def __str__(self):
        return str(self.root)

    def read(self, name):
        try:
            return (self.root / name).read_bytes()
        except OSError as exc:
            raise SyncError(f"无法读取 {self.root / name}：{exc}", f"Cannot read {self.root / name}: {exc}") from exc

    def stream(self, name, start, limit):
        """Yield the bytes of `name` from `start` on."""
        try:
            with open(self.root / name, "rb") as handle:
                handle.seek(start)
                while block := handle.read(limit.chunk()):
                    yield block
        except OSError as exc:
            raise SyncError(f"读取来源文件失败 {name}：{exc}", f"Reading source file {name} failed: {exc}") from exc

    def resumed(self, start):
        return True


class HttpSource:
    def __init__(self, base):
        self.base = base if base.endswith("/") else base + "/"
        self.honoured_range = True

    def __str__(self):
        return self.base

    def _open(self, name, start=0):
        url = urllib.parse.urljoin(self.base, name)
        request = urllib.request.Request(url, headers={"User-Agent": "youke-sync/1"})  # noqa: S310 - http(s) only
        if start:
            request.add_header("Range", f"bytes={start}-")
        try:
            return urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS)  # noqa: S310 - http(s) only, checked above
        except urllib.error.HTTPError as exc:
            raise SyncError(f"服务器拒绝 {name}：HTTP {exc.code}", f"Server refused {name}: HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise SyncError(f"无法连接 {self.base}：{exc}", f"Cannot reach {self.base}: {exc}") from exc

    def read(self, name):
        with self._open(name) as response:
            return response.read()

    def stream(self, name, start, limit):
        response = self._open(name, start)
        # 206: the server sent the rest; 200: it ignored Range and sends the whole file again.
        self.honoured_range = not start or response.status == 206
        try:
            with response:
                while block := response.read(limit.chunk()):
                    yield block
        except OSError as exc:  # the line dropped mid-file: what arrived stays in the partial file
            raise SyncError(f"下载中断 {name}：{exc}", f"Download of {name} interrupted: {exc}") from exc

    def resumed(self, start):
        return self.honoured_range
