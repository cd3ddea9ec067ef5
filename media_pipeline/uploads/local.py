"""Chunked uploads to this site, for the embedded default (media as local files).

Each part arrives as its own PUT and is kept as a numbered file in a folder of
its own under UPLOAD_CHUNK_DIR (outside the web-served media folder). A part
is written to a temporary name and renamed only when every byte is there, so
a dropped connection never leaves a short part that looks complete, and
sending a part again simply replaces it. Completion joins the parts into a
temporary file beside the original and renames it into place: the original
appears whole or not at all.
"""

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

from .parts import Part, UploadGone

COPY_BLOCK = 1024 * 1024


class ChunkSizeError(Exception):
    """The body of a chunk did not have the size its number calls for."""


class LocalBackend:
    name = "local"
    # No service-imposed floor: parts only bound memory and what a retry resends.
    min_part_size = 1
    max_parts = 10_000

    def folder(self, upload_id):
        return Path(settings.UPLOAD_CHUNK_DIR) / str(upload_id)

    def original_path(self, upload):
        return Path(default_storage.path(upload.video.original))

    # --- the upload's life

    def start(self, upload):
        self.folder(upload.id).mkdir(parents=True, exist_ok=True)

    def received(self, upload):
        folder = self.folder(upload.id)
        if not folder.is_dir():
            raise UploadGone
        parts = {}
        for path in folder.iterdir():
            if path.name.isdigit():
                number = int(path.name)
                parts[number] = Part(number, path.stat().st_size)
        return parts

    def store(self, upload, number, stream, length):
        """Write part `number` from `stream` (exactly `length` bytes expected)."""
        folder = self.folder(upload.id)
        if not folder.is_dir():
            raise UploadGone
        expected = upload.expected_part_size(number)
        if length != expected:
            raise ChunkSizeError
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{number}.")
        try:
            written = 0
            with os.fdopen(handle, "wb") as target:
                while written < expected:
                    block = stream.read(min(COPY_BLOCK, expected - written))
                    if not block:
                        break
                    target.write(block)
                    written += len(block)
            if written != expected:
                raise ChunkSizeError
            os.replace(temporary, folder / f"{number:05d}")
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)

    def finish(self, upload, parts):
        target = self.original_path(upload)
        target.parent.mkdir(parents=True, exist_ok=True)
        folder = self.folder(upload.id)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".original.")
        try:
            with os.fdopen(handle, "wb") as joined:
                for number in sorted(parts):
                    with open(folder / f"{number:05d}", "rb") as chunk:
                        shutil.copyfileobj(chunk, joined, COPY_BLOCK)
                joined.flush()
                os.fsync(joined.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        # The original is whole; the chunks are no longer needed (a retry sees is_finished).
        shutil.rmtree(folder, ignore_errors=True)

    def is_finished(self, upload):
        path = self.original_path(upload)
        return path.is_file() and path.stat().st_size == upload.size and not self.folder(upload.id).exists()

    def abort(self, upload):
        shutil.rmtree(self.folder(upload.id), ignore_errors=True)

    # --- checking what arrived

    @contextmanager
    def source(self, upload):
        with open(self.original_path(upload), "rb") as handle:
            yield LocalSource(handle, self.original_path(upload))

    # --- cleanup

    def pending(self):
        """(upload id as text, last change) of every chunk folder on disk."""
        root = Path(settings.UPLOAD_CHUNK_DIR)
        if not root.is_dir():
            return
        for folder in root.iterdir():
            if folder.is_dir():
                yield folder.name, folder.stat().st_mtime

    def remove(self, upload_id):
        shutil.rmtree(self.folder(upload_id), ignore_errors=True)


class LocalSource:
    def __init__(self, handle, path):
        self.handle, self.target = handle, str(path)
        self.size = os.fstat(handle.fileno()).st_size

    @contextmanager
    def local(self):
        yield self.target

    def read(self, offset, length):
        self.handle.seek(offset)
        return self.handle.read(max(length, 0))
