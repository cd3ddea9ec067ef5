"""Fixtures of the upload tests: the demo teachers, each storage set-up and real clips."""

import os
import subprocess
import uuid

import boto3
import pytest
from botocore.client import Config
from django.contrib.auth import get_user_model

from tests.media_pipeline.clips import make_clip
from tests.media_pipeline.uploads.helpers import LOCAL_PART, S3_PART


@pytest.fixture
def teachers(demo_site):
    """teacher1 and teacher2, with the permissions `setup_library` gives teachers."""
    from resources.provision import ensure_library

    ensure_library()
    users = get_user_model().objects
    return users.get(username="teacher1"), users.get(username="teacher2")


@pytest.fixture
def local_uploads(settings, tmp_path):
    """The embedded default: media as files (here in a temporary folder), chunks beside them."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_CHUNK_DIR = tmp_path / "chunks"
    settings.UPLOAD_PART_SIZE = LOCAL_PART
    return tmp_path


@pytest.fixture
def s3_uploads(settings):
    """The real S3 server, under a key prefix of this test's own (others share the bucket)."""
    if not os.environ.get("S3_BUCKET"):
        pytest.skip("S3 is not configured")  # the service marker fails it under make test
    location = f"test-uploads/{uuid.uuid4().hex}"
    default = settings.STORAGES["default"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**default, "OPTIONS": {**default["OPTIONS"], "location": location}},
    }
    settings.UPLOAD_PART_SIZE = S3_PART
    client = s3_client()
    yield S3Place(client, os.environ["S3_BUCKET"], location)
    bucket = os.environ["S3_BUCKET"]
    for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=bucket, Prefix=location):
        for item in page.get("Uploads", []):
            client.abort_multipart_upload(Bucket=bucket, Key=item["Key"], UploadId=item["UploadId"])
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=location):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])


class S3Place:
    def __init__(self, client, bucket, location):
        self.client, self.bucket, self.location = client, bucket, location

    def key(self, name):
        return f"{self.location}/{name}"

    def pending(self):
        answer = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=self.location)
        return answer.get("Uploads", [])


def s3_client():
    return boto3.client(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT_URL"],
        aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
        region_name=os.environ.get("S3_REGION", "us-east-1"),
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


@pytest.fixture(scope="session")
def clips(tmp_path_factory):
    """Real files made by ffmpeg, and the broken ones teachers actually send."""
    folder = tmp_path_factory.mktemp("upload-clips")
    video = make_clip(folder / "lesson.mp4", seconds=3)
    fast = make_clip(folder / "fast.mp4", seconds=3, extra=["-movflags", "+faststart"])
    audio = folder / "sound.m4a"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-c:a", "aac", audio],
        check=True,
        timeout=60,
    )
    # Big enough for three S3 parts: lossless 720p (x264 -qp 0) is about 1.7 MB a second.
    big = make_clip(
        folder / "big.mp4",
        size="1280x720",
        seconds=7,
        codec=["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p"],
    )
    files = {"video": video, "big": big, "audio": audio}
    broken = {
        # moov at the end (ffmpeg's default): cut in half, the index is gone.
        "truncated": video.read_bytes()[: video.stat().st_size // 2],
        # moov first (+faststart): the header survives, the pictures do not.
        "truncated_faststart": fast.read_bytes()[: fast.stat().st_size // 2],
        "text": "第一课时 教学设计\n一、教学目标……\n".encode() * 50,
        "pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" * 20,
        "random": bytes((i * 7919 + 13) % 251 for i in range(40_000)),
    }
    for name, content in broken.items():
        path = folder / f"{name}.mp4"  # every one of them named like a video
        path.write_bytes(content)
        files[name] = path
    return files
