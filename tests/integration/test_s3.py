"""Media goes to a real S3 server that checks every request's signature."""

import os
import time
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import boto3
import pytest
import requests
from botocore.client import Config
from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

pytestmark = pytest.mark.service("s3")


def s3_client(secret=None):
    return boto3.client(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT_URL"],
        aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=secret or os.environ["S3_SECRET_ACCESS_KEY"],
        region_name=os.environ.get("S3_REGION", "us-east-1"),
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


@pytest.fixture
def stored():
    name = default_storage.save(f"tests/{time.time_ns()}/教学设计.txt", ContentFile("分数的初步认识".encode()))
    yield name
    default_storage.delete(name)


def test_site_storage_is_s3():
    from django.core.files.storage import storages
    from storages.backends.s3 import S3Storage

    assert isinstance(storages["default"], S3Storage)


def test_object_put_and_read_back_through_django_storage(stored):
    with default_storage.open(stored) as handle:
        assert handle.read().decode() == "分数的初步认识"
    assert default_storage.exists(stored)
    head = s3_client().head_object(Bucket=os.environ["S3_BUCKET"], Key=stored)
    assert head["ContentLength"] == len("分数的初步认识".encode())


def test_signed_url_works_and_tampered_one_is_refused(stored):
    url = default_storage.url(stored)
    assert "X-Amz-Signature" in url, "media must only be reachable through signed URLs"
    assert requests.get(url, timeout=10).content.decode() == "分数的初步认识"

    parts = urlsplit(url)
    query = parse_qs(parts.query)
    signature = query["X-Amz-Signature"][0]
    query["X-Amz-Signature"] = [("0" if signature[0] != "0" else "1") + signature[1:]]
    tampered = urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
    assert requests.get(tampered, timeout=10).status_code == 403

    other_key = urlunsplit(parts._replace(path=parts.path.rsplit("/", 1)[0] + "/other.txt"))
    assert requests.get(other_key, timeout=10).status_code == 403

    query = parse_qs(parts.query)
    query["X-Amz-Expires"] = ["604800"]  # try to stretch the lifetime
    stretched = urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
    assert requests.get(stretched, timeout=10).status_code == 403


def test_expired_signed_url_is_refused(stored):
    url = s3_client().generate_presigned_url(
        "get_object", Params={"Bucket": os.environ["S3_BUCKET"], "Key": stored}, ExpiresIn=1
    )
    time.sleep(2.5)
    assert requests.get(url, timeout=10).status_code == 403


def test_unsigned_and_wrongly_signed_requests_are_refused(stored):
    endpoint = os.environ["S3_ENDPOINT_URL"].rstrip("/")
    assert requests.get(f"{endpoint}/{os.environ['S3_BUCKET']}/{stored}", timeout=10).status_code == 403
    with pytest.raises(ClientError) as error:
        s3_client(secret="not-the-secret").get_object(Bucket=os.environ["S3_BUCKET"], Key=stored)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
