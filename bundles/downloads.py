"""A built bundle handed to a district admin: its manifest, or the whole folder as one zip for a USB disk.

Only the admin's own page links here, for district admins (the same check as
the page). The zip is written as it is sent (stored, not compressed: the
videos are compressed already), so a bundle of several GB needs no room on
the server and no wait before the first byte.
"""

import re
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse

from sso.roles import is_district_admin

BUNDLE_ID = re.compile(r"^youke-[0-9a-f]{12}$")
BLOCK = 1024 * 1024


def bundle_folder(request, bundle_id):
    """The folder of a built bundle, for a district admin; 403 for anyone else, 404 for no such bundle."""
    if not is_district_admin(request.user):
        raise PermissionDenied
    folder = settings.BUNDLE_OUTPUT_DIR / bundle_id
    if not BUNDLE_ID.match(bundle_id) or not (folder / "manifest.json").is_file():
        raise Http404
    return folder


def manifest(request, bundle_id):
    folder = bundle_folder(request, bundle_id)
    return FileResponse(open(folder / "manifest.json", "rb"), content_type="application/json; charset=utf-8")


class _Chunks:
    """A write-only file for ZipFile that hands back what was written (ZipFile copes with no seek)."""

    def __init__(self):
        self.pending = []

    def write(self, data):
        self.pending.append(bytes(data))
        return len(data)

    def flush(self):
        pass

    def take(self):
        taken, self.pending = b"".join(self.pending), []
        return taken


def zip_stream(folder, top):
    """The bundle folder's files as a zip whose entries sit under `top/` (what unzipping makes)."""
    return (chunk for chunk in _zip_chunks(folder, top) if chunk)


def _zip_chunks(folder, top):
    out = _Chunks()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo.from_file(path, f"{top}/{path.relative_to(folder).as_posix()}")
            with open(path, "rb") as source, archive.open(info, "w", force_zip64=True) as entry:
                while block := source.read(BLOCK):
                    entry.write(block)
                    yield out.take()
            yield out.take()
    yield out.take()


def download(request, bundle_id):
    folder = bundle_folder(request, bundle_id)
    response = StreamingHttpResponse(zip_stream(folder, bundle_id), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{bundle_id}.zip"'
    return response
