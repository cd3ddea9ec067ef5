"""Moving video files between the storage (S3 or local) and a worker's scratch folder.

Everything goes through Django's default storage, so the same code serves the
embedded default (files under MEDIA_ROOT) and S3 in production.
"""

import shutil
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage

COPY_CHUNK = 4 * 1024 * 1024


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
