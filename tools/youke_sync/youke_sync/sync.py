"""One sync: verify the new manifest, fill the shared file store, then swap the served version.

DEST layout (README.md, "The school box"):

    DEST/current -> releases/<version>   what the web server serves (a symlink, swapped in one rename)
    DEST/releases/<version>/             manifest.json, its .sig, the player; files -> ../../files
    DEST/files/<aa>/<sha256>.<ext>       content files, shared by every version, each verified
    DEST/partial/<sha256>.<ext>.part     an interrupted download, resumed from its last byte
    DEST/usage/                          plays the player reported (youke-sync serve)

The old version stays whole until the swap: new files only ever join the store
(their names are their hashes, so nothing the old version reads is touched),
and files only the old version used go after the swap.
"""

import errno
import hashlib
import json
import os
import shutil
from pathlib import Path

from . import manifest as manifests
from .errors import OLD_VERSION_KEPT, SyncError, say

HASH_BLOCK = 1024 * 1024


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


class Sync:
    def __init__(self, source, dest, public_key, limit, *, out=say, allow_other_bundle=False):
        self.source, self.dest, self.public_key, self.limit = source, Path(dest), public_key, limit
        self.out, self.allow_other_bundle = out, allow_other_bundle
        self.stats = {"fetched_bytes": 0, "resumed_from": {}, "refetched": [], "skipped": 0, "fetched": 0}

    # --- the steps, in order

    def run(self):
        manifest_bytes = self.source.read(manifests.MANIFEST)
        signature_bytes = self.source.read(manifests.SIGNATURE)
        new = manifests.verify(manifest_bytes, signature_bytes, self.public_key)
        old = self.current_manifest()
        self.check_succession(old, new)
        self.report_delta(old, new)
        try:
            self.dest.mkdir(parents=True, exist_ok=True)
            self.check_space(new)
            for entry in manifests.content_files(new):
                self.ensure_file(entry)
            release = self.build_release(new, manifest_bytes, signature_bytes)
            self.swap(release)
        except OSError as exc:
            raise self.disk_error(exc) from exc
        self.collect_garbage(new)
        self.out(f"完成：版本 {new['version']} 已启用。Done: version {new['version']} is now served.")
        return self.stats

    def current_manifest(self):
        path = self.dest / "current" / manifests.MANIFEST
        if not path.is_file():
            return None
        return json.loads(path.read_bytes())  # verified when it was installed

    def check_succession(self, old, new):
        if old is None:
            return
        if old["bundle_id"] != new["bundle_id"] and not self.allow_other_bundle:
            raise SyncError(
                f"来源是另一个资源包（{new['bundle_id']}），本机为 {old['bundle_id']}；如确需替换，请加 --replace。",
                f"The source is a different bundle ({new['bundle_id']}, here {old['bundle_id']}); use --replace.",
            )
        # Versions are UTC timestamps of the export: an older signed manifest replayed is refused.
        if old["bundle_id"] == new["bundle_id"] and new["version"] < old["version"]:
            raise SyncError(
                f"来源版本 {new['version']} 比本机版本 {old['version']} 旧，不会降级。",
                f"Source version {new['version']} is older than the installed {old['version']}; not downgrading.",
            )

    def report_delta(self, old, new):
        added, removed, changed = manifests.delta(old, new)
        label = old["version"] if old else "（无）"
        counts = len(added), len(removed), len(changed)
        self.out(f"版本 {label} → {new['version']}：新增 %d 课，删除 %d 课，更新 %d 课" % counts)
        self.out(f"Version {label} -> {new['version']}: %d added, %d removed, %d changed" % counts)
        for sign, lessons in (("+", added), ("-", removed), ("~", changed)):
            for lesson in lessons:
                self.out(f"  {sign} {lesson['title']}（{lesson['teacher']}，{lesson['school']['name']}）")
        self.delta = {"added": added, "removed": removed, "changed": changed}

    def check_space(self, new):
        missing = sum(entry["size"] for entry in manifests.all_files(new) if not self.present(entry))
        free = shutil.disk_usage(self.dest).free
        if missing > free:
            raise SyncError(
                f"磁盘空间不足：还需 {_mb(missing)}，只剩 {_mb(free)}。{OLD_VERSION_KEPT[0]}",
                f"Not enough disk space: {_mb(missing)} needed, {_mb(free)} free. {OLD_VERSION_KEPT[1]}",
            )

    def store_path(self, entry):
        return self.dest / entry["path"]

    def present(self, entry):
        path = self.store_path(entry)
        return path.is_file() and path.stat().st_size == entry["size"]

    def ensure_file(self, entry):
        """Make DEST/files/… hold exactly this file: keep a good copy, replace a bad one, resume a partial one."""
        path = self.store_path(entry)
        if path.is_file():
            if path.stat().st_size == entry["size"] and sha256_of(path) == entry["sha256"]:
                self.stats["skipped"] += 1
                return
            self.out(f"  损坏的副本，删除后重新下载 / bad copy, fetching again: {entry['path']}")
            self.stats["refetched"].append(entry["path"])
            path.unlink()
        self.fetch(entry, path)
        self.stats["fetched"] += 1

    def fetch(self, entry, path):
        partial = self.dest / "partial" / (path.name + ".part")
        partial.parent.mkdir(parents=True, exist_ok=True)
        start = partial.stat().st_size if partial.exists() else 0
        if start > entry["size"]:
            partial.unlink()
            start = 0
        digest = hashlib.sha256()
        if start:
            with open(partial, "rb") as handle:
                while block := handle.read(HASH_BLOCK):
                    digest.update(block)
            self.stats["resumed_from"][entry["path"]] = start
            self.out(f"  续传 / resuming {entry['path']} from byte {start}")
        with open(partial, "ab") as handle:
            first = True
            for block in self.source.stream(entry["path"], start, self.limit):
                if first and not self.source.resumed(start):  # the server ignored Range: start again
                    handle.truncate(0)
                    handle.seek(0)
                    digest, start = hashlib.sha256(), 0
                first = False
                handle.write(block)
                digest.update(block)
                self.stats["fetched_bytes"] += len(block)
                self.limit.take(len(block))
            handle.flush()
            os.fsync(handle.fileno())
        size = partial.stat().st_size
        if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
            partial.unlink()  # a wrong byte anywhere: resuming would keep it, so start clean next time
            raise SyncError(
                f"文件校验失败（{entry['path']}：{size} 字节，应为 {entry['size']}），来源可能未拷完或已损坏。"
                f"{OLD_VERSION_KEPT[0]}",
                f"Checksum failed for {entry['path']} ({size} bytes, expected {entry['size']}): the source may be "
                f"incomplete or damaged. {OLD_VERSION_KEPT[1]}",
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, path)

    def build_release(self, new, manifest_bytes, signature_bytes):
        releases = self.dest / "releases"
        final = releases / new["version"]
        staging = releases / f".staging-{new['version']}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for entry in new.get("app", []):
            body = self.source.read(entry["path"])
            if len(body) != entry["size"] or hashlib.sha256(body).hexdigest() != entry["sha256"]:
                raise SyncError(
                    f"播放器文件校验失败：{entry['path']}。{OLD_VERSION_KEPT[0]}",
                    f"Checksum failed for player file {entry['path']}. {OLD_VERSION_KEPT[1]}",
                )
            _write(staging / entry["path"], body)
        _write(staging / manifests.MANIFEST, manifest_bytes)
        _write(staging / manifests.SIGNATURE, signature_bytes)
        (staging / "files").symlink_to(Path("..") / ".." / "files")
        if final.exists():
            if (self.dest / "current").resolve() == final.resolve():
                shutil.rmtree(staging)
                return final  # this version is already served: everything above was a re-check
            shutil.rmtree(final)
        os.rename(staging, final)
        return final

    def swap(self, release):
        link = self.dest / "current"
        fresh = self.dest / ".current-new"
        if fresh.is_symlink() or fresh.exists():
            fresh.unlink()
        fresh.symlink_to(release.relative_to(self.dest))
        os.replace(fresh, link)  # rename(2): a reader sees the old version or the new, never neither

    def collect_garbage(self, new):
        keep = {entry["path"] for entry in manifests.content_files(new)}
        store = self.dest / "files"
        for path in store.glob("*/*"):
            if path.relative_to(self.dest).as_posix() not in keep:
                path.unlink()
        current = (self.dest / "current").resolve()
        for release in (self.dest / "releases").iterdir():
            if release.resolve() != current:
                shutil.rmtree(release, ignore_errors=True)

    def disk_error(self, exc):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return SyncError(
                f"磁盘已满，同步中止：{exc}。已下载的部分会在下次续传。{OLD_VERSION_KEPT[0]}",
                f"Disk full, sync stopped: {exc}. What arrived resumes next time. {OLD_VERSION_KEPT[1]}",
            )
        return SyncError(
            f"写入 {self.dest} 失败：{exc}。{OLD_VERSION_KEPT[0]}", f"Writing failed: {exc}. {OLD_VERSION_KEPT[1]}"
        )


def _write(path, body):
    with open(path, "wb") as handle:
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())


def _mb(count):
    return f"{count / 1_000_000:.1f} MB"
