"""Bulk import of existing district resources, one JSON object per line.

The format is documented in the README ("Bulk import/export"). A bad line is
reported with its number and reason and skipped; every good line is imported
in its own transaction, so one bad line never costs the others. Importing the
same file again updates by `id` and never duplicates.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from wagtail.documents import get_document_model
from wagtail.utils.file import hash_filelike

from . import vocabulary
from .filetypes import check_part_file
from .models import AwardLevel, LessonPackagePage, PackagePart, PartKind, ResourceFile, ResourcePage, ResourceType
from .models.schools import School
from .setup import ensure_index_page

AWARD_BY_NAME = {str(label): value for value, label in AwardLevel.choices}
MAX_TITLE = 255


class LineError(ValueError):
    """What is wrong with one import line, in words for the person who made the file."""


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    errors: list = field(default_factory=list)  # (line number, reason)

    @property
    def ok(self):
        return not self.errors


def _text(record, key, required=False, limit=None):
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise LineError(f"缺少必填字段“{key}”")
        return ""
    if not isinstance(value, str | int):
        raise LineError(f"字段“{key}”应为文本")
    value = str(value).strip()
    if limit and len(value) > limit:
        raise LineError(f"字段“{key}”过长（最多 {limit} 字）")
    return value


def parse(raw):
    """JSON text of one line → a dict, or LineError."""
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise LineError(f"不是有效的 JSON：{exc.msg}（第 {exc.colno} 列）") from exc
    if not isinstance(record, dict):
        raise LineError("每行应是一个 JSON 对象")
    return record


def _placement(record):
    try:
        stage = vocabulary.stage(_text(record, "stage"))
        grade = vocabulary.grade(_text(record, "grade"))
        if stage and grade and grade.stage_id != stage.pk:
            raise LineError(f"年级“{grade}”不属于学段“{stage}”")
        subject = vocabulary.subject(_text(record, "subject"), stage or (grade.stage if grade else None))
        edition = vocabulary.edition(_text(record, "edition"))
        textbook = vocabulary.textbook(edition, subject, grade, _text(record, "volume"))
        node = vocabulary.knowledge_node(textbook, _text(record, "unit"), _text(record, "lesson"))
    except vocabulary.UnknownValue as exc:
        raise LineError(str(exc)) from exc
    return {"knowledge_node": node, "textbook": textbook, "grade": grade, "subject": subject, "edition": edition}


def _files(record, base_dir, resource_type):
    files = record.get("files") or []
    if not isinstance(files, list):
        raise LineError("“files”应为列表")
    checked = []
    for item in files:
        if not isinstance(item, dict) or not item.get("path"):
            raise LineError('“files”中的每一项应为 {"kind", "path"}')
        kind = item.get("kind") or resource_type
        if resource_type == ResourceType.LESSON_PACKAGE and kind not in PartKind.values:
            raise LineError(f"未知的课例组成部分“{kind}”（可选：{'、'.join(PartKind.values)}）")
        path = (base_dir / item["path"]).resolve()
        if base_dir.resolve() not in path.parents:
            raise LineError(f"文件路径“{item['path']}”超出导入文件所在目录")
        if not path.is_file():
            raise LineError(f"找不到文件“{item['path']}”")
        with path.open("rb") as handle:
            head = handle.read(4096)
        try:
            check_part_file(kind, path.name, head)
        except ValidationError as exc:
            raise LineError(exc.messages[0]) from exc
        checked.append((kind, path))
    return checked


def _document(path, title):
    """A Wagtail document for the file, reusing an identical one already stored."""
    Document = get_document_model()
    with path.open("rb") as handle:
        digest = hash_filelike(handle)  # the same hash Wagtail stores in file_hash
    existing = Document.objects.filter(file_hash=digest).first()
    if existing:
        return existing
    with path.open("rb") as handle:
        document = Document(title=title)
        document.file.save(path.name, File(handle), save=False)
    document._set_document_file_metadata()
    document.save()
    return document


def _school(record):
    name = _text(record, "school")
    if not name:
        return None
    school = School.objects.filter(name=name).first() or School.objects.filter(code=name).first()
    if school is None:
        raise LineError(f"未知学校“{name}”：请先在后台“学校”中添加")
    return school


def _fields(record, base_dir):
    """Validate a record completely before anything is written."""
    resource_type = _text(record, "resource_type") or ResourceType.LESSON_PACKAGE
    if resource_type not in ResourceType.values:
        raise LineError(f"未知资源类型“{resource_type}”（可选：{'、'.join(ResourceType.values)}）")
    award = _text(record, "award_level")
    if award and award not in AWARD_BY_NAME:
        raise LineError(f"未知获奖等级“{award}”（可选：{'、'.join(AWARD_BY_NAME)}）")
    keywords = record.get("keywords") or []
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise LineError("“keywords”应为文本列表")
    published = record.get("published", True)
    if not isinstance(published, bool):
        raise LineError("“published”应为 true 或 false")
    return {
        "external_id": _text(record, "id", required=True, limit=100),
        "title": _text(record, "title", required=True, limit=MAX_TITLE),
        "resource_type": resource_type,
        "description": _text(record, "description"),
        "teacher_name": _text(record, "teacher", limit=50),
        "school": _school(record),
        "award_level": AWARD_BY_NAME.get(award, ""),
        "keywords": keywords,
        "published": published,
        "files": _files(record, base_dir, resource_type),
    }


@transaction.atomic
def _upsert(record, base_dir, index):
    data = _fields(record, base_dir)
    placement = _placement(record)
    is_package = data["resource_type"] == ResourceType.LESSON_PACKAGE
    model = LessonPackagePage if is_package else ResourcePage
    page = model.objects.filter(external_id=data["external_id"]).first()
    other = (ResourcePage if is_package else LessonPackagePage).objects.filter(external_id=data["external_id"])
    if other.exists():
        raise LineError(f"编号“{data['external_id']}”已被另一种资源类型使用")
    created = page is None
    if created:
        page = model(external_id=data["external_id"], title=data["title"])
    page.title = data["title"]
    page.description = data["description"]
    page.teacher_name = data["teacher_name"]
    page.school = data["school"]
    for name, value in placement.items():
        setattr(page, name, value)
    if is_package:
        page.award_level = data["award_level"]
        page.parts.clear()
        for kind, path in data["files"]:
            page.parts.add(PackagePart(kind=kind, document=_document(path, f"{data['title']}·{path.name}")))
    else:
        page.resource_type = data["resource_type"]
        page.files.clear()
        for _kind, path in data["files"]:
            page.files.add(ResourceFile(document=_document(path, f"{data['title']}·{path.name}")))
    page.tags.set(data["keywords"])
    if created:
        page.live = False
        index.add_child(instance=page)
    revision = page.save_revision()
    if data["published"]:
        revision.publish()
    elif page.live:
        page.unpublish()
    return created


def import_lines(lines, base_dir):
    """Import an iterable of JSONL lines; returns an ImportSummary."""
    index = ensure_index_page()
    summary = ImportSummary()
    seen = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = parse(raw)
            external_id = str(record.get("id", "")).strip()
            if external_id and external_id in seen:
                raise LineError(f"编号“{external_id}”与第 {seen[external_id]} 行重复")
            created = _upsert(record, Path(base_dir), index)
            seen[external_id] = number
        except LineError as exc:
            summary.errors.append((number, str(exc)))
            continue
        if created:
            summary.created += 1
        else:
            summary.updated += 1
    return summary
