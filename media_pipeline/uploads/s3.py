"""Multipart uploads straight from the browser to S3, signed here with boto3.

The site never handles the video's bytes: it opens the multipart upload,
presigns one `upload_part` URL per part, asks S3 which parts it holds
(`list_parts`, the only record that counts), completes the upload from that
list and checks the result with ranged reads, and ffprobe over a bounded local copy.
"""

import functools
from contextlib import contextmanager

import boto3
from botocore.client import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as S3ConnectionError
from django.conf import settings

from ..store import sparse_probe_copy
from .parts import Part, StorageUnavailable, UploadGone

# S3's own limits (AWS "Amazon S3 multipart upload limits"), which MinIO and S3Proxy share.
MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PARTS = 10_000
# A part URL only has to outlive the wait before its PUT starts (S3 checks the
# signature when the request arrives, not when its last byte does).
PART_URL_SECONDS = 15 * 60
NO_SUCH_UPLOAD = ("NoSuchUpload", "404")


@functools.lru_cache(maxsize=8)
def _client(endpoint_url, access_key, secret_key, region, addressing_style):
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name=region,
        config=Config(signature_version="s3v4", s3={"addressing_style": addressing_style}),
    )


def _code(error):
    return error.response.get("Error", {}).get("Code", "")


def reachable(method):
    """S3 refusing connections, cutting them or answering 5xx becomes StorageUnavailable.

    The upload is intact on S3 (or will be again when it returns): the API says
    503 and the widget waits and carries on, instead of a 500 page.
    """

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (S3ConnectionError, HTTPClientError) as error:
            raise StorageUnavailable(str(error)) from error
        except ClientError as error:
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
                raise StorageUnavailable(str(error)) from error
            raise

    return wrapper


class S3Backend:
    name = "s3"
    min_part_size = MIN_PART_SIZE
    max_parts = MAX_PARTS

    def __init__(self):
        self.options = settings.STORAGES["default"]["OPTIONS"]
        self.bucket = self.options["bucket_name"]

    def client(self, *, public=False):
        """The site's client; `public=True` signs for the endpoint the browser reaches."""
        endpoint = self.options.get("endpoint_url")
        if public and settings.S3_PUBLIC_ENDPOINT_URL:
            endpoint = settings.S3_PUBLIC_ENDPOINT_URL
        return _client(
            endpoint,
            self.options.get("access_key"),
            self.options.get("secret_key"),
            self.options.get("region_name"),
            self.options.get("addressing_style") or "path",
        )

    def key(self, name):
        """The object key of a storage name, under the storage's `location` like django-storages does."""
        location = (self.options.get("location") or "").strip("/")
        return f"{location}/{name}" if location else name

    # --- the upload's life

    @reachable
    def start(self, upload):
        answer = self.client().create_multipart_upload(
            Bucket=self.bucket, Key=self.key(upload.video.original), ContentType="application/octet-stream"
        )
        upload.s3_upload_id = answer["UploadId"]

    @reachable
    def received(self, upload):
        """{number: Part} of every part S3 holds for this upload."""
        parts = {}
        pages = self.client().get_paginator("list_parts")
        try:
            for page in pages.paginate(
                Bucket=self.bucket, Key=self.key(upload.video.original), UploadId=upload.s3_upload_id
            ):
                for item in page.get("Parts", []):
                    number = item["PartNumber"]
                    parts[number] = Part(number, item["Size"], item["ETag"])
        except ClientError as error:
            if _code(error) in NO_SUCH_UPLOAD:
                raise UploadGone from error
            raise
        return parts

    def sign(self, upload, numbers):
        client = self.client(public=True)
        key = self.key(upload.video.original)
        return {
            number: client.generate_presigned_url(
                "upload_part",
                Params={"Bucket": self.bucket, "Key": key, "UploadId": upload.s3_upload_id, "PartNumber": number},
                ExpiresIn=PART_URL_SECONDS,
            )
            for number in numbers
        }

    @reachable
    def finish(self, upload, parts):
        """Join the parts into the original; the object appears only now, whole."""
        key = self.key(upload.video.original)
        listing = [{"PartNumber": p.number, "ETag": p.etag} for p in sorted(parts.values(), key=lambda p: p.number)]
        try:
            self.client().complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload.s3_upload_id, MultipartUpload={"Parts": listing}
            )
        except ClientError as error:
            # A retry after the site died between S3's answer and its own commit.
            if _code(error) not in NO_SUCH_UPLOAD or self.stored_size(upload) != upload.size:
                raise

    def is_finished(self, upload):
        return self.stored_size(upload) == upload.size

    @reachable
    def stored_size(self, upload):
        try:
            head = self.client().head_object(Bucket=self.bucket, Key=self.key(upload.video.original))
        except ClientError as error:
            if _code(error) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return head["ContentLength"]

    def abort(self, upload):
        self.abort_key(self.key(upload.video.original), upload.s3_upload_id)

    @reachable
    def abort_key(self, key, upload_id):
        try:
            self.client().abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except ClientError as error:
            if _code(error) not in NO_SUCH_UPLOAD:
                raise

    # --- checking what arrived

    @contextmanager
    def source(self, upload):
        yield S3Source(self, self.key(upload.video.original), upload.size)

    # --- cleanup

    def pending(self, prefix="videos/"):
        """(key, upload id, started) of every multipart upload S3 still holds under `prefix`."""
        pages = self.client().get_paginator("list_multipart_uploads")
        for page in pages.paginate(Bucket=self.bucket, Prefix=self.key(prefix)):
            for item in page.get("Uploads", []):
                yield item["Key"], item["UploadId"], item["Initiated"]


class S3Source:
    """The completed original, read in small ranges (a 4 GB lesson is never downloaded here)."""

    def __init__(self, backend, key, size):
        self.backend, self.key, self.size = backend, key, size

    @reachable
    def read(self, offset, length):
        if length <= 0 or offset >= self.size:
            return b""
        end = min(offset + length, self.size) - 1
        answer = self.backend.client().get_object(
            Bucket=self.backend.bucket, Key=self.key, Range=f"bytes={offset}-{end}"
        )
        return answer["Body"].read()

    def local(self):
        """A bounded local copy for ffprobe (see store.sparse_probe_copy); never a URL."""
        return sparse_probe_copy(self.read, self.size)
