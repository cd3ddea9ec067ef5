"""Moving video files between the storage (S3 or local) and a worker's scratch folder.

Everything goes through Django's default storage, so the same code serves the
embedded default (files under MEDIA_ROOT) and S3 in production.
"""

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File
from django.core.files.storage import default_storage

COPY_CHUNK = 4 * 1024 * 1024
# What a probe of a remote file copies (see sparse_probe_copy): headers are at the start,
# an MP4 written without faststart keeps its index at the end (a 45-minute lesson's: a few MB).
PROBE_HEAD_BYTES = 32 * 1024 * 1024
PROBE_TAIL_BYTES = 32 * 1024 * 1024


@contextmanager
def local_copy(name, scratch):
    """A local path holding the stored file `name`: the file itself when storage is local."""
    try:
        path = Path(default_storage.path(name))
    except NotImplementedError:  # remote storage: stream it into scratch
        path = Path(scratch) / "original"
        with default_storage.open(name, "rb") as source, open(path, "wb") as target:
            shutil.copyfileobj(source, target, COPY_CHUNK)
    else:
        if not path.is_file():
            raise FileNotFoundError(f"原始文件不存在：{name}")
    yield path


@contextmanager
def sparse_probe_copy(read, size):
    """A local file for ffprobe: the head and tail of a remote file of `size` bytes, holes between.

    ffprobe never gets a URL (a playlist could make it fetch internal addresses), and a
    4 GB lesson costs at most PROBE_HEAD_BYTES + PROBE_TAIL_BYTES of transfer and disk.
    `read(offset, length)` returns up to `length` bytes from `offset`.
    """
    with tempfile.TemporaryDirectory(prefix="youke-probe-") as folder:
        path = os.path.join(folder, "original")
        with open(path, "wb") as target:
            head = min(size, PROBE_HEAD_BYTES)
            _copy_range(read, target, 0, head)
            tail_start = max(head, size - PROBE_TAIL_BYTES)
            _copy_range(read, target, tail_start, size - tail_start)
            target.truncate(size)
        yield path


def _copy_range(read, target, offset, length):
    end = offset + length
    while offset < end:
        block = read(offset, min(COPY_CHUNK, end - offset))
        if not block:
            raise OSError("short read from storage")
        target.seek(offset)
        target.write(block)
        offset += len(block)


@contextmanager
def probe_path(name, storage=None):
    """A local path ffprobe may read for the stored file `name`, on local storage or S3."""
    storage = storage or default_storage
    try:
        path = storage.path(name)
    except NotImplementedError:
        pass
    else:
        yield path
        return
    size = storage.size(name)
    key = storage._normalize_name(name)  # django-storages' own key for the name (its location prefix)
    bucket = storage.bucket

    def read(offset, length):
        if length <= 0 or offset >= size:
            return b""
        end = min(offset + length, size) - 1
        try:
            return bucket.Object(key).get(Range=f"bytes={offset}-{end}")["Body"].read()
        except (BotoCoreError, ClientError) as exc:  # S3 down or the object gone: one kind of error
            raise OSError("对象存储暂时无法读取该文件，请稍后重试。") from exc

    with sparse_probe_copy(read, size) as path:
        yield path


def save_outputs(out_dir, prefix, files):
    """Store each of `files` (paths under out_dir) as prefix/<relative path>; returns the names."""
    stored = []
    for path in files:
        relative = Path(path).relative_to(out_dir).as_posix()
        name = f"{prefix}/{relative}"
        with open(path, "rb") as handle:
            # Names are fresh (a new prefix per run); a leftover from a killed run
            # under the same name would be a bug, so storage must not rename.
            saved = default_storage.save(name, File(handle, name=relative))
        if saved != name:
            raise OSError(f"存储改写了文件名：{name} → {saved}")
        stored.append(relative)
    return stored


def delete_prefix(prefix):
    """Delete every stored file under `prefix/` (an old or abandoned output run)."""
    prefix = prefix.rstrip("/")
    folders, files = _listdir(prefix)
    for file in files:
        default_storage.delete(f"{prefix}/{file}")
    for folder in folders:
        delete_prefix(f"{prefix}/{folder}")
    try:
        path = Path(default_storage.path(prefix))
    except NotImplementedError:
        return
    shutil.rmtree(path, ignore_errors=True)


def prefixes(video_id):
    """The output-run folders stored for one video (everything but the original)."""
    folders, _files = _listdir(f"videos/{video_id}")
    return [f"videos/{video_id}/{folder}" for folder in folders]


def _listdir(prefix):
    try:
        return default_storage.listdir(prefix)
    except FileNotFoundError:
        return [], []
