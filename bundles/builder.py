"""Writing a bundle folder: content-addressed files, the player, manifest.json and its signature.

The folder is built next to OUT and renamed into place at the end, so a
district web server serving OUT never shows half a bundle. Format: README.md,
"Offline bundles (离线资源包)".
"""

import datetime
import hashlib
import json
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

from django.core.files.storage import default_storage

from resources.choices import PartKind

from . import renditions, signing
from .selection import lessons

SCHEMA_VERSION = 1
PLAYER_DIR = Path(__file__).resolve().parent / "player"
PLAYER_FILES = ("index.html", "player.js", "player.css")
EXTENSION = re.compile(r"^[a-z0-9]{1,8}$")


def _version(now):
    # UTC, fixed width: versions of one bundle sort as text (the sync tool refuses an older one).
    return now.strftime("%Y%m%dT%H%M%S.%fZ")


class Writer:
    """Files into work/files/<aa>/<sha256>.<ext>, each once however many lessons use it."""

    def __init__(self, work):
        self.work = work

    def add(self, stream, extension, media_type):
        extension = extension.lower() if EXTENSION.match(extension.lower()) else "bin"
        digest, size = hashlib.sha256(), 0
        handle, temporary = tempfile.mkstemp(dir=self.work)
        with os.fdopen(handle, "wb") as out:
            while block := stream.read(1024 * 1024):
                digest.update(block)
                out.write(block)
                size += len(block)
        sha = digest.hexdigest()
        relative = f"files/{sha[:2]}/{sha}.{extension}"
        target = self.work / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, target)
        return {"path": relative, "size": size, "sha256": sha, "media_type": media_type}

    def add_path(self, path, extension, media_type):
        with open(path, "rb") as stream:
            return self.add(stream, extension, media_type)

    def add_stored(self, name, media_type=""):
        extension = Path(name).suffix.lstrip(".") or "bin"
        with default_storage.open(name, "rb") as stream:
            return self.add(stream, extension, media_type)


def placement(page):
    node = page.knowledge_node
    unit, textbook = node.unit, node.unit.textbook
    return {
        "stage": textbook.grade.stage.name,
        "stage_order": textbook.grade.stage.sort_order,
        "subject": textbook.subject.name,
        "subject_order": textbook.subject.sort_order,
        "edition": textbook.edition.name,
        "grade": textbook.grade.name,
        "volume": textbook.volume,
        "textbook": str(textbook),
        "textbook_id": textbook.pk,
        "textbook_order": textbook.grade.sort_order,
        "unit": unit.title,
        "unit_id": unit.pk,
        "unit_order": unit.sort_order,
        "lesson": node.title,
        "lesson_id": node.pk,
        "lesson_order": node.sort_order,
    }


def _video(page):
    parts = sorted(page.parts.all(), key=lambda part: part.kind != PartKind.VIDEO)  # 课堂实录 before 微课
    for part in parts:
        if part.kind in (PartKind.VIDEO, PartKind.MICRO_LESSON):
            video = part.playable_video()
            if video and video.is_ready:
                return video
    return None


def lesson_entry(page, selection, writer, scratch, warn):
    teacher = page.teacher_name or (page.teacher.get_full_name() if page.teacher_id else "")
    entry = {
        "id": page.pk,
        "title": page.title,
        "description": page.description,
        "placement": placement(page),
        "teacher": teacher,
        "school": {"code": page.school.code, "name": page.school.name} if page.school_id else None,
        "award": {"code": page.award_level, "label": page.get_award_level_display()} if page.award_level else None,
        "licence": {"code": page.licence, "label": page.get_licence_display()},
        "duration": None,
        "files": [],
    }
    video = _video(page)
    if video is None:
        warn(f"《{page.title}》没有可播放的视频，只收录文字与文档。")
    else:
        with tempfile.TemporaryDirectory(dir=scratch) as folder:
            path, extension, media_type, made = renditions.make(video, selection.rendition, folder)
            file = writer.add_path(path, extension, media_type)
        entry["duration"] = video.duration
        entry["files"].append({"role": "video", "rendition": made, "title": "课堂实录", **file})
        poster = (video.outputs or {}).get("poster")
        if poster and selection.rendition != "audio":
            entry["files"].append({"role": "poster", **writer.add_stored(video.output_name(poster), "image/jpeg")})
    if selection.include_documents:
        for part in page.parts.select_related("document").order_by("sort_order"):
            if not part.document_id or part.kind in (PartKind.VIDEO, PartKind.MICRO_LESSON):
                continue
            file = writer.add_stored(part.document.file.name)
            title = part.document.title
            entry["files"].append(
                {"role": "document", "kind": part.kind, "kind_label": part.get_kind_display(), "title": title, **file}
            )
    return entry


def build(selection, out, *, key=None, now=None, warn=print):
    """Write the bundle of `selection` at `out` (replacing what is there); return its manifest."""
    key = key or signing.load_key()
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    now = now or datetime.datetime.now(datetime.UTC)
    work = out.parent / f".{out.name}.building-{uuid.uuid4().hex[:8]}"
    work.mkdir()
    try:
        writer = Writer(work)
        entries = [lesson_entry(page, selection, writer, work, warn) for page in lessons(selection)]
        app = []
        for name in PLAYER_FILES:
            shutil.copyfile(PLAYER_DIR / name, work / name)
            body = (work / name).read_bytes()
            app.append({"path": name, "size": len(body), "sha256": hashlib.sha256(body).hexdigest()})
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "bundle_id": selection.bundle_id(),
            "version": _version(now),
            "created": now.isoformat(timespec="seconds"),
            "key_id": signing.key_id(key.public_key()),
            "selection": selection.as_dict(),
            "app": app,
            "lessons": entries,
        }
        body = json.dumps(manifest, ensure_ascii=False, indent=1).encode() + b"\n"
        (work / "manifest.json").write_bytes(body)
        (work / "manifest.json.sig").write_bytes(signing.signature_file(body, key))
        _swap_into_place(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _swap_into_place(work, out):
    if not out.exists():
        os.rename(work, out)
        return
    old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
    os.rename(out, old)
    os.rename(work, out)
    shutil.rmtree(old, ignore_errors=True)
