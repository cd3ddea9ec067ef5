"""Export every lesson package and resource in the import format (round-trips).

A live page is exported as it is live: its unpublished changes (perhaps in
review) are not part of it, and importing the export must never publish them.
A draft is exported from its latest revision, as `published: false`.
"""

import json
import shutil
from pathlib import Path

from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename

from .models import AwardLevel, LessonPackagePage, ResourcePage, ResourceType

AWARD_NAME = {value: str(label) for value, label in AwardLevel.choices}
# json.dumps(ensure_ascii=False) leaves these as they are, but many line readers
# (Python's str.splitlines among them) break lines on them; escaped they are plain JSON.
LINE_SEPARATORS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


def dumps(record):
    """One JSONL line: readable Chinese, and nothing in it that any reader takes for a line break."""
    text = json.dumps(record, ensure_ascii=False)
    for char, escaped in LINE_SEPARATORS.items():
        text = text.replace(char, escaped)  # only possible inside JSON strings, where \uXXXX means the same
    return text


def exported_id(page):
    """The page's import id; one it never had is made from its translation key, which the importer resolves."""
    return page.external_id or f"youke-{page.translation_key}"


def _placement(page):
    textbook = page.textbook
    node = page.knowledge_node
    return {
        "stage": page.stage.name if page.stage_id else "",
        "grade": page.grade.name if page.grade_id else "",
        "subject": page.subject.name if page.subject_id else "",
        "edition": page.edition.name if page.edition_id else "",
        "volume": textbook.volume if textbook else "",
        "unit": node.unit.title if node else "",
        "lesson": node.title if node else "",
    }


class _Folder:
    """The folder of one record's files; names stay unique within it."""

    def __init__(self, files_dir, base_dir, external_id):
        self.path = files_dir / get_valid_filename(external_id)
        self.base_dir = base_dir
        self.used = set()

    def copy(self, storage, name, shown_name):
        self.path.mkdir(parents=True, exist_ok=True)
        stem = get_valid_filename(shown_name) or "file"
        filename, number = stem, 1
        while filename in self.used:
            number += 1
            filename = f"{Path(stem).stem}-{number}{Path(stem).suffix}"
        self.used.add(filename)
        target = self.path / filename
        with storage.open(name, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out)
        return str(target.relative_to(self.base_dir))


def _parts(content, folder):
    """(files, links, missing_files) of a page's content, every part accounted for."""
    is_package = isinstance(content, LessonPackagePage)
    items = content.parts.all() if is_package else content.files.all()
    files, links, missing = [], [], []
    for item in items:
        kind = item.kind if is_package else content.resource_type
        extra = {"note": item.note} if is_package and item.note else {}
        if item.document_id:
            document = item.document
            name = document.file.name
            if name and document.file.storage.exists(name):
                path = folder.copy(document.file.storage, name, Path(name).name)
                files.append({"kind": kind, "path": path, **extra})
            else:
                missing.append({"kind": kind, "name": document.title, "reason": "文档文件不存在", **extra})
        video = item.video if is_package and item.video_id else None
        if video is not None:
            # Copied as a file, it imports anywhere; its id lets the same site link the video again.
            reference = {"kind": kind, "video": str(video.pk), **extra}
            if video.original and default_storage.exists(video.original):
                path = folder.copy(default_storage, video.original, video.original_filename)
                files.append({"kind": kind, "path": path, "video": str(video.pk), **extra})
            else:
                missing.append({**reference, "name": video.original_filename, "reason": "视频原始文件不存在"})
        if item.link:
            links.append({"kind": kind, "url": item.link, **extra})
    return files, links, missing


def record_for(page, files_dir, base_dir):
    """The import record of a page: its live content if live, else its latest revision."""
    content = page if page.live else page.get_latest_revision_as_object()
    is_package = isinstance(page, LessonPackagePage)
    external_id = exported_id(page)
    record = {
        "id": external_id,
        "title": content.title,
        "resource_type": ResourceType.LESSON_PACKAGE if is_package else content.resource_type,
        **_placement(content),
        "description": content.description,
        "keywords": sorted(tag.name for tag in content.tags.all()),
        "teacher": content.teacher_name,
        "school": content.school.name if content.school_id else "",
        "published": page.live,
        "licence": content.licence,
    }
    if is_package:
        record["award_level"] = AWARD_NAME.get(content.award_level, "")
        record["recommended_to"] = AWARD_NAME.get(content.recommended_to, "")
        record["guiding_teachers"] = content.guiding_teachers
    files, links, missing = _parts(content, _Folder(files_dir, base_dir, external_id))
    record["files"] = files
    record["links"] = links  # always written: an empty list tells the importer to remove old links
    if missing:
        record["missing_files"] = missing  # named, so nothing leaves the platform without a trace
    return {key: value for key, value in record.items() if value not in ("", None)}


def export(out_path):
    """Write every package and resource to OUT_PATH (JSONL) and their files beside it. Returns the count."""
    out_path = Path(out_path)
    base_dir = out_path.parent
    files_dir = base_dir / f"{out_path.stem}_files"
    count = 0
    with out_path.open("w", encoding="utf-8", newline="\n") as out:
        for model in (LessonPackagePage, ResourcePage):
            pages = model.objects.order_by("path").select_related(
                "stage", "grade", "subject", "edition", "textbook", "knowledge_node__unit", "school"
            )
            for page in pages:
                out.write(dumps(record_for(page, files_dir, base_dir)) + "\n")
                count += 1
    return count
