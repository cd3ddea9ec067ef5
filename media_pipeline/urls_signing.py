"""Short-lived URLs a browser can fetch a stored video file with, on either storage.

S3: a presigned GET (SigV4), made with the endpoint the browser can reach
(S3_PUBLIC_ENDPOINT_URL when the site talks to S3 over an internal name, as in
docker compose). Local files: our own `signed_file` view with a signed,
expiring token - the files are not under a public /media/ path.
"""

import time
from pathlib import Path
from urllib.parse import quote

from django.core import signing
from django.core.files.storage import default_storage
from django.urls import reverse

from .uploads.backends import default_backend_name
from .uploads.s3 import S3Backend

SALT = "media_pipeline.file"


def is_local():
    # The same test the upload side uses to pick its backend: one answer to "is media in S3?".

    return default_backend_name() == "local"


def file_url(video, name, *, expires, download_as=None):
    """URL for stored file `name` of `video`, valid for `expires` seconds."""
    if is_local():
        payload = {"v": str(video.pk), "n": name, "d": download_as or "", "e": int(time.time() + expires)}
        token = signing.dumps(payload, salt=SALT, compress=True)
        return reverse("media_pipeline:signed_file", args=[token])

    s3 = S3Backend()
    params = {"Bucket": s3.bucket, "Key": s3.key(name)}
    if download_as:
        params["ResponseContentDisposition"] = _attachment(download_as)
    return s3.client(public=True).generate_presigned_url("get_object", Params=params, ExpiresIn=int(expires))


def read_token(token):
    """(video id, name, download name) from a `file_url` token; raises signing.BadSignature."""
    data = signing.loads(token, salt=SALT)
    if data["e"] < time.time():
        raise signing.SignatureExpired("链接已过期")
    return data["v"], data["n"], data["d"] or None


def is_safe_name(video_id, name):
    """Whether stored file `name` is a plain path that resolves inside MEDIA_ROOT/videos/<video_id>/.

    Refused before resolving: `..` and `.` segments, `//`, absolute paths,
    backslashes and NUL; then the resolved path (symlinks followed) must stay
    under the video's folder, so a forged or odd name never reads another file.
    """

    if not isinstance(name, str) or not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return False
    if any(segment in ("", ".", "..") for segment in name.split("/")):
        return False
    video_id = str(video_id)
    if not video_id or "/" in video_id or "\\" in video_id or video_id in (".", ".."):
        return False
    media_root = Path(default_storage.location)
    root = (media_root / "videos" / video_id).resolve()
    return (media_root / name).resolve().is_relative_to(root)


def _attachment(filename):

    return f"attachment; filename*=UTF-8''{quote(filename)}"
