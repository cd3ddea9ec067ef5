"""Bulk import of existing district resources, one JSON object per line.

The format is documented in docs/import-format.md. A bad line is
reported with its number and reason and skipped; every good line is imported
in its own savepoint, so one bad line (even one the database refuses) never
costs the others. Importing the same file again updates by `id` and never
duplicates; a page in review is left alone.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction

from . import vocabulary
from .import_record import EXPORTED_ID, IN_REVIEW, LineError, fields_of, parse, placement_of, stored_document
from .models import (
    LessonPackagePage,
    PackagePart,
    ResourceFile,
    ResourcePage,
    ResourceType,
    Textbook,
)
from .provision import ensure_index_page


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    errors: list = field(default_factory=list)  # (line number, reason)
    warnings: list = field(default_factory=list)  # (line number, what was left out)
    new_schools: list = field(default_factory=list)
    notice: str = ""  # said once, before the lines: e.g. the textbook catalogue is not loaded

    @property
    def ok(self):
        return not self.errors

    @property
    def in_review(self):
        return sum(1 for _, reason in self.errors if reason == IN_REVIEW)

    def message(self):
        text = f"导入完成：新增 {self.created}，更新 {self.updated}，失败 {len(self.errors)}"
        if self.in_review:
            text += f"（其中 {self.in_review} 条正在审核中，未覆盖）"
        if self.warnings:
            text += f"，警告 {len(self.warnings)}"
        if self.new_schools:
            text += f"；新建学校 {len(self.new_schools)} 所：{'、'.join(self.new_schools)}（请在后台“学校”中补全信息）"
        return text


def _find(external_id):
    """The page with this import id, else the page an export named `youke-<translation key>`."""
    for model in (LessonPackagePage, ResourcePage):
        page = model.objects.filter(external_id=external_id).first()
        if page:
            return page
    exported = EXPORTED_ID.fullmatch(external_id)
    for model in (LessonPackagePage, ResourcePage) if exported else ():
        page = model.objects.filter(translation_key=exported[1]).order_by("pk").first()
        if page:
            return page
    return None


def _set_parts(page, data):
    """Replace the files (and links, when the line has "links"); uploaded videos it does not name are kept."""
    is_package = isinstance(page, LessonPackagePage)
    old = list(page.parts.all() if is_package else page.files.all())
    parts = []
    for item in data["files"]:
        path = item["path"]
        document = stored_document(path, f"{data['title']}·{path.name}") if path else None
        parts.append({"kind": item["kind"], "document": document, "video": item["video"], "note": item["note"]})
    links = data["links"]
    if links is None:
        only_links = [p for p in old if p.link and not p.document_id and not getattr(p, "video_id", None)]
        links = [{"kind": getattr(p, "kind", ""), "url": p.link, "note": getattr(p, "note", "")} for p in only_links]
    parts += [{"kind": item["kind"], "link": item["url"], "note": item["note"]} for item in links]
    if not is_package:
        page.files = [ResourceFile(document=part.get("document"), link=part.get("link", "")) for part in parts]
        return
    named = {part["video"].pk for part in parts if part.get("video")}
    kept = [
        PackagePart(kind=p.kind, document_id=p.document_id, video_id=p.video_id, link=p.link, note=p.note)
        for p in old
        if p.video_id and p.video_id not in named
    ]
    page.parts = [PackagePart(**part) for part in parts] + kept


def _upsert(record, base_dir, index):
    """Create or update one page; returns (created, warnings, new school name or None)."""
    data = fields_of(record, base_dir)
    is_package = data["resource_type"] == ResourceType.LESSON_PACKAGE
    model = LessonPackagePage if is_package else ResourcePage
    found = _find(data["external_id"])
    if found is not None and not isinstance(found, model):
        raise LineError(f"编号“{data['external_id']}”已被另一种资源类型使用")
    if found is not None and found.workflow_in_progress:
        raise LineError(IN_REVIEW)
    placement, warnings = placement_of(record)
    school, school_created = vocabulary.school(data["school"])
    if found is None:
        page = model(external_id=data["external_id"], title=data["title"])
    else:
        # The same base export_resources reads: a draft's latest revision, a live page's live content
        # (so unpublished changes are never published by an import).
        page = found if found.live else found.get_latest_revision_as_object()
    page.title = data["title"]
    page.description = data["description"]
    page.teacher_name = data["teacher_name"]
    page.school = school
    for name, value in placement.items():
        setattr(page, name, value)
    optional = ["licence"] + (["recommended_to", "guiding_teachers"] if is_package else [])
    for name in optional:
        if data[name] is not None:
            setattr(page, name, data[name])
    if is_package:
        page.award_level = data["award_level"]
    else:
        page.resource_type = data["resource_type"]
    _set_parts(page, data)
    page.tags.set(data["keywords"])
    if found is None:
        page.live = False
        index.add_child(instance=page)
    revision = page.save_revision()
    if data["published"]:
        revision.publish()
    elif found is not None and found.live:
        found.unpublish()
    return found is None, warnings + data["warnings"], school.name if school_created else None


def _decoded(raw, number):
    """One line as text: bytes from a binary file are decoded here, so one bad line is one error."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise LineError(f"不是 UTF-8 编码（第 {exc.start + 1} 字节）") from exc
    if number == 1:
        raw = raw.removeprefix("\ufeff")
    return raw.removesuffix("\n").removesuffix("\r")


def import_lines(lines, base_dir):
    """Import JSONL lines; returns an ImportSummary.

    `lines` is a list of strings, or a file opened in binary mode: that splits on
    "\n" only, so U+2028 and friends inside a JSON string never break a record.
    """
    index = ensure_index_page()
    summary = ImportSummary()
    if not Textbook.objects.exists():
        # Units and lessons are still created from the file, but without the
        # catalogue nothing is matched to the district's existing textbooks.
        summary.notice = "尚未载入教材目录，请先运行 manage.py load_curriculum"
    seen = {}
    for number, raw in enumerate(lines, start=1):
        try:
            text = _decoded(raw, number)
            if not text.strip():
                continue
            record = parse(text)
            external_id = str(record.get("id", "")).strip()
            if external_id and external_id in seen:
                raise LineError(f"编号“{external_id}”与第 {seen[external_id]} 行重复")
            with transaction.atomic():
                created, warnings, new_school = _upsert(record, Path(base_dir), index)
            seen[external_id] = number
        except LineError as exc:
            summary.errors.append((number, str(exc)))
            continue
        except DatabaseError as exc:
            # Whatever validation missed (a NUL byte, a race on a unique name): this line only.
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            summary.errors.append((number, f"数据库拒绝了这一行：{reason}"))
            continue
        summary.warnings.extend((number, warning) for warning in warnings)
        if new_school:
            summary.new_schools.append(new_school)
        if created:
            summary.created += 1
        else:
            summary.updated += 1
    return summary
