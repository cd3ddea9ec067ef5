"""What every upload backend offers the service: parts, and the upload being gone."""

from dataclasses import dataclass


class UploadGone(Exception):
    """The storage no longer knows the upload (aborted, cleaned up, or already completed)."""


class StorageUnavailable(Exception):
    """The storage cannot be reached just now (down, restarting, overloaded): try again later, nothing is lost."""


@dataclass(frozen=True)
class Part:
    number: int
    size: int
    etag: str = ""
