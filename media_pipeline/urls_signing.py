"""Short-lived URLs a browser can fetch a stored video file with, on either storage.

S3: a presigned GET (SigV4), made with the endpoint the browser can reach
(S3_PUBLIC_ENDPOINT_URL when the site talks to S3 over an internal name, as in
docker compose). Local files: our own `signed_file` view with a signed,
expiring token - the files are not under a public /media/ path.
"""

import time

from django.core import signing
from django.urls import reverse

SALT = "media_pipeline.file"


def is_local():
    # The same test the upload side uses to pick its backend: one answer to "is media in S3?".
    from .uploads.backends import default_backend_name

    return default_backend_name() == "local"


def file_url(video, name, *, expires, download_as=None):
    """URL for stored file `name` of `video`, valid for `expires` seconds."""
    if is_local():
        payload = {"v": str(video.pk), "n": name, "d": download_as or "", "e": int(time.time() + expires)}
        token = signing.dumps(payload, salt=SALT, compress=True)
        return reverse("media_pipeline:signed_file", args=[token])
    from .uploads.s3 import S3Backend

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


def _attachment(filename):
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(filename)}"
