"""Reading and checking a bundle's manifest: the signature first, then every path it names.

The format is a contract (README.md, "Bundle format"): manifest.json is signed
byte for byte; manifest.json.sig is JSON {"algorithm": "ed25519", "key_id", "signature"}
with the signature in base64. Nothing in an unverified manifest is trusted, and a
verified one still may not name a path outside the bundle.
"""

import base64
import hashlib
import json
import re
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from .errors import SyncError

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
DEFAULT_PUBLIC_KEY = Path(__file__).with_name("district_public_key.pem")
# Content files are named by their hash; the player's own files by a short fixed name.
CONTENT_PATH = re.compile(r"^files/([0-9a-f]{2})/(\1[0-9a-f]{62})\.[a-z0-9]{1,8}$")
APP_PATH = re.compile(r"^[a-z0-9_-]{1,40}\.(html|js|css)$")


def key_id(public_key):
    """The first 16 hex digits of SHA-256 over the raw 32-byte public key."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(path=None):
    path = Path(path or DEFAULT_PUBLIC_KEY)
    try:
        return load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise SyncError(
            f"无法读取区级公钥 {path}：{exc}。请使用区里发放的 youke-sync，或用 --public-key 指定公钥文件。",
            f"Cannot read the district public key {path}: {exc}. Use the district's copy of youke-sync "
            "or pass --public-key.",
        ) from exc


def verify(manifest_bytes, signature_bytes, public_key):
    """The manifest as a dict, once its signature and contents check out; SyncError otherwise."""
    try:
        signature = json.loads(signature_bytes)
        if signature.get("algorithm") != "ed25519":
            raise ValueError("algorithm")
        public_key.verify(base64.b64decode(signature["signature"], validate=True), manifest_bytes)
    except (InvalidSignature, ValueError, KeyError, TypeError) as exc:
        raise SyncError(
            "资源包签名无效：清单（manifest.json）被改动过，或不是本区签发的。已拒绝。",
            "Invalid bundle signature: manifest.json was altered or not signed by this district. Refused.",
        ) from exc
    manifest = json.loads(manifest_bytes)
    check(manifest)
    return manifest


def check(manifest):
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise SyncError(
            f"不支持的资源包格式版本 {manifest.get('schema_version')}，请升级 youke-sync。",
            f"Unsupported bundle schema version {manifest.get('schema_version')}; upgrade youke-sync.",
        )
    for entry in all_files(manifest):
        pattern = APP_PATH if entry.get("app") else CONTENT_PATH
        match = pattern.match(entry["path"])
        bad_hash = not re.fullmatch(r"[0-9a-f]{64}", entry.get("sha256", ""))
        if not match or bad_hash or (not entry.get("app") and match.group(2) != entry["sha256"]):
            raise SyncError(f"清单中的文件路径不合规：{entry['path']}", f"Bad file path in manifest: {entry['path']}")
        if not isinstance(entry.get("size"), int) or entry["size"] < 0:
            raise SyncError(f"清单中的文件大小不合规：{entry['path']}", f"Bad file size in manifest: {entry['path']}")


def all_files(manifest):
    """Every file the bundle holds, each once: the player's files (app=True) and the content files."""
    seen = {}
    for entry in manifest.get("app", []):
        seen[entry["path"]] = {**entry, "app": True}
    for lesson in manifest.get("lessons", []):
        for entry in lesson.get("files", []):
            seen.setdefault(entry["path"], entry)
    return list(seen.values())


def content_files(manifest):
    return [entry for entry in all_files(manifest) if not entry.get("app")]


def lesson_digest(lesson):
    """What decides whether a lesson changed between two versions: everything the manifest says of it."""
    return hashlib.sha256(json.dumps(lesson, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def delta(old, new):
    """(added, removed, changed) lessons from the old manifest (or None) to the new one."""
    before = {lesson["id"]: lesson for lesson in (old or {}).get("lessons", [])}
    after = {lesson["id"]: lesson for lesson in new.get("lessons", [])}
    added = [after[key] for key in after if key not in before]
    removed = [before[key] for key in before if key not in after]
    changed = [after[key] for key in after if key in before and lesson_digest(after[key]) != lesson_digest(before[key])]
    return added, removed, changed
