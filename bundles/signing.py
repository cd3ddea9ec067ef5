"""The district's Ed25519 key: signing a bundle's manifest.json byte for byte.

The private key lives at settings.BUNDLE_SIGNING_KEY (a PEM file, from
YOUKE_BUNDLE_SIGNING_KEY); `manage.py bundle_key --generate` makes one and
writes its public half into the sync tool, which ships it to the schools.
The signature file is the contract of README.md "Bundle format".
"""

import base64
import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)
from django.conf import settings

# Where the sync tool looks for the district's public key when given none.
SYNC_TOOL_PUBLIC_KEY = Path("tools/youke_sync/youke_sync/district_public_key.pem")


class SigningKeyMissing(Exception):
    pass


def key_id(public_key):
    """SHA-256 of the raw 32-byte public key, first 16 hex digits (the sync tool computes the same)."""
    return hashlib.sha256(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def load_key(path=None):
    path = Path(path or settings.BUNDLE_SIGNING_KEY)
    if not path.is_file():
        raise SigningKeyMissing(
            f"没有找到资源包签名私钥 {path}：请先运行 manage.py bundle_key --generate，"
            "或设置 YOUKE_BUNDLE_SIGNING_KEY。"
        )
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing(f"{path} 不是 Ed25519 私钥。")
    return key


def generate(path):
    """A new private key at `path` (never over an existing one); returns it."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} 已存在，不会覆盖。")
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    path.chmod(0o600)
    return key


def public_pem(key):
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def signature_file(manifest_bytes, key):
    """The bytes of manifest.json.sig for these manifest bytes."""
    signature = base64.b64encode(key.sign(manifest_bytes)).decode()
    body = {"algorithm": "ed25519", "key_id": key_id(key.public_key()), "signature": signature}
    return json.dumps(body, indent=1).encode() + b"\n"
