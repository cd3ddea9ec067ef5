"""A private S3Proxy: the jar, settings template and signature checks of scripts/services/s3.sh, on its own port.

Its objects live in a folder of the test's own, so stopping it and starting it
again on the same folder is an S3 outage and its end, nothing of the shared
server touched.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import boto3
from botocore.client import Config
from botocore.exceptions import ClientError

from tests.faults.helpers import eventually
from tests.processes import ROOT, stop

ACCESS_KEY, SECRET_KEY = "youke-test-access", "youke-test-secret-not-for-production"  # s3.sh's test pair
BUCKET, REGION = "youke-media", "us-east-1"


def jar():
    """The jar `scripts/services.sh up s3` fetched, of the version s3.sh pins."""
    version = re.search(
        r"S3PROXY_VERSION=\$\{S3PROXY_VERSION:-([\d.]+)\}", (ROOT / "scripts/services/s3.sh").read_text()
    )
    cache = Path(
        os.environ.get("YOUKE_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "youke"
    )
    path = cache / "s3proxy" / f"s3proxy-{version[1]}-jar-with-dependencies.jar"
    if not path.is_file():
        raise RuntimeError(f"{path} is missing: run scripts/services.sh up s3 once")
    return path


def java():
    home = os.environ.get("JAVA_HOME")
    found = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not found:
        raise RuntimeError("no java on PATH (scripts/services.sh up s3 installs one)")
    return found


class PrivateS3:
    def __init__(self, folder, port):
        self.folder, self.port, self.process, self.log = folder, port, None, None
        self.url = f"http://127.0.0.1:{port}"
        (folder / "data").mkdir(parents=True)
        template = (ROOT / "scripts" / "s3proxy" / "s3proxy.properties.in").read_text()
        values = {"S3_PORT": str(port), "DATA_DIR": str(folder / "data"), "S3_ACCESS_KEY": ACCESS_KEY,
                  "S3_SECRET_KEY": SECRET_KEY}  # fmt: skip
        (folder / "s3proxy.properties").write_text(re.sub(r"@(\w+)@", lambda m: values.get(m[1], m[0]), template))
        self.client = boto3.client(
            "s3", endpoint_url=self.url, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
            region_name=REGION, config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )  # fmt: skip

    def env(self):
        """The site's S3 variables for this server."""
        return {"S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": self.url, "S3_ACCESS_KEY_ID": ACCESS_KEY,
                "S3_SECRET_ACCESS_KEY": SECRET_KEY, "S3_REGION": REGION}  # fmt: skip

    def start(self):
        self.log = open(self.folder / "s3proxy.log", "ab")
        # As s3.sh starts it: C1 only, a small heap.
        command = [java(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(jar()),
                   "--properties", str(self.folder / "s3proxy.properties")]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        if not eventually(self._answers, 90):
            raise RuntimeError("S3Proxy did not answer:\n" + (self.folder / "s3proxy.log").read_text()[-2000:])
        try:
            self.client.create_bucket(Bucket=BUCKET)
        except ClientError as error:
            if error.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise

    def _answers(self):
        if self.process.poll() is not None:
            raise RuntimeError("S3Proxy exited:\n" + (self.folder / "s3proxy.log").read_text()[-2000:])
        try:
            self.client.list_buckets()
        except Exception:  # noqa: BLE001 - not up yet, whatever the error
            return False
        return True

    def stop(self):
        if self.process:
            stop(self.process)
        if self.log:
            self.log.close()
