"""One import line → checked field values, or a LineError saying what is wrong.

resources.importer writes the values; everything here only reads the line,
the vocabulary and the files it names, so a refused line has changed nothing.
"""

import json
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from taggit.models import Tag
from wagtail.documents import get_document_model
from wagtail.utils.file import hash_filelike

from media_pipeline.models import Video

from . import vocabulary
from .filetypes import check_part_file, family_of
from .forms import MAX_GUIDING_TEACHERS, guiding_names
from .models import (
    AwardLevel,
    KnowledgeNode,
    LessonPackagePage,
    Licence,
    PackagePart,
    PartKind,
    ResourcePage,
    ResourceType,
    School,
    Unit,
)

AWARD_BY_NAME = {str(label): value for value, label in AwardLevel.choices}
_RECOMMENDABLE = LessonPackagePage._meta.get_field("recommended_to").choices
RECOMMENDED_BY_NAME = {str(label): value for value, label in _RECOMMENDABLE}
LICENCE_BY_NAME = {**{str(label): value for value, label in Licence.choices}, **{v: v for v in Licence.values}}
MAX_TITLE = 255
# What export_resources writes for a page that has no import id of its own.
EXPORTED_ID = re.compile(r"youke-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
VIDEO_PARTS = (PartKind.VIDEO, PartKind.MICRO_LESSON)
IN_REVIEW = "正在审核中，未覆盖"


def _max(model, name):
    return model._meta.get_field(name).max_length


class LineError(ValueError):
    """What is wrong with one import line, in words for the person who made the file."""


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
        raise LineError(f"字段“{key}”过长（最多 {limit} 字，实际 {len(value)} 字）")
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


def placement_of(record):
    """The curriculum rows of a record, and warnings for the levels that could not be placed."""
    unit = _text(record, "unit", limit=_max(Unit, "title"))
    lesson = _text(record, "lesson", limit=_max(KnowledgeNode, "title"))
    volume = _text(record, "volume")
    try:
        stage = vocabulary.stage(_text(record, "stage"))
        grade = vocabulary.grade(_text(record, "grade"))
        if stage and grade and grade.stage_id != stage.pk:
            raise LineError(f"年级“{grade}”不属于学段“{stage}”")
        subject = vocabulary.subject(_text(record, "subject"), stage or (grade.stage if grade else None))
        edition = vocabulary.edition(_text(record, "edition"))
        textbook = vocabulary.textbook(edition, subject, grade, volume)
        node = vocabulary.knowledge_node(textbook, unit, lesson)
    except vocabulary.UnknownValue as exc:
        raise LineError(str(exc)) from exc
    warnings = []
    given = [name for name, value in (("volume", volume), ("unit", unit), ("lesson", lesson)) if value]
    if given and textbook is None:
        needed = [name for name, row in (("subject", subject), ("grade", grade), ("edition", edition)) if not row]
        needed += [] if volume else ["volume"]
        warnings.append(f"已忽略 {'、'.join(given)}：缺少 {'、'.join(needed)}，无法确定教材（册）")
    elif textbook and bool(unit) != bool(lesson):
        warnings.append("已忽略 unit/lesson：单元与课需同时给出")
    placement = {"knowledge_node": node, "textbook": textbook, "grade": grade, "subject": subject, "edition": edition}
    return placement, warnings


def _kind(item, resource_type):
    kind = item.get("kind") or resource_type
    if resource_type == ResourceType.LESSON_PACKAGE and kind not in PartKind.values:
        raise LineError(f"未知的课例组成部分“{kind}”（可选：{'、'.join(PartKind.values)}）")
    return kind


def _note(item):
    note = item.get("note") or ""
    if not isinstance(note, str) or len(note) > _max(PackagePart, "note"):
        raise LineError(f"“note”应为文本，最多 {_max(PackagePart, 'note')} 字")
    return note.strip()


def _video(value, kind):
    """The uploaded Video an item names (exported from this platform), or None if it is not here."""
    try:
        video = Video.objects.filter(pk=uuid.UUID(str(value))).first()
    except ValueError as exc:
        raise LineError(f"“video”不是有效的视频编号：{value}") from exc
    if video and kind not in VIDEO_PARTS:
        raise LineError("在线视频只能用于“课堂实录”或“微课”")
    return video


def _size_limit(path):
    """Bytes a file may have: videos as the upload pipeline allows, every other file as documents do."""
    is_video = family_of(path.suffix.lstrip(".").lower()) == "video"
    return getattr(settings, "VIDEO_MAX_UPLOAD_SIZE" if is_video else "WAGTAILDOCS_MAX_UPLOAD_SIZE", None)


def _local_file(base_dir, item, kind):
    path = (base_dir / item["path"]).resolve()
    if base_dir.resolve() not in path.parents:
        raise LineError(f"文件路径“{item['path']}”超出导入文件所在目录")
    if not path.is_file():
        raise LineError(f"找不到文件“{item['path']}”")
    limit, size = _size_limit(path), path.stat().st_size
    if limit and size > limit:
        mb = 1024 * 1024
        raise LineError(f"文件“{item['path']}”过大（{size / mb:.1f} MB），超过上限 {limit // mb} MB")
    with path.open("rb") as handle:
        head = handle.read(4096)
    try:
        check_part_file(kind, path.name, head)
    except ValidationError as exc:
        raise LineError(exc.messages[0]) from exc
    return path


def _files(record, base_dir, resource_type):
    """[{kind, path or None, video or None, note}] — a known uploaded video is linked, not copied again."""
    files = record.get("files") or []
    if not isinstance(files, list):
        raise LineError("“files”应为列表")
    is_package = resource_type == ResourceType.LESSON_PACKAGE
    checked = []
    for item in files:
        if not isinstance(item, dict) or not (item.get("path") or item.get("video")):
            raise LineError('“files”中的每一项应为 {"kind", "path"}')
        kind = _kind(item, resource_type)
        video = _video(item["video"], kind) if is_package and item.get("video") else None
        if video is None and not item.get("path"):
            raise LineError(f"视频“{item['video']}”不在本平台，且没有给出文件路径“path”")
        path = None if video else _local_file(base_dir, item, kind)
        checked.append({"kind": kind, "path": path, "video": video, "note": _note(item)})
    return checked


def _links(record, resource_type):
    """Link parts, or None when the line has no "links" (then the page keeps the ones it has)."""
    if "links" not in record:
        return None
    items = record["links"] or []
    if not isinstance(items, list):
        raise LineError("“links”应为列表")
    checked = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            raise LineError('“links”中的每一项应为 {"kind", "url"}')
        url = item["url"].strip()
        try:
            URLValidator()(url)
            if len(url) > _max(PackagePart, "link"):
                raise ValidationError("too long")
        except ValidationError as exc:
            raise LineError(f"链接“{url[:60]}”不是有效的网址（最多 {_max(PackagePart, 'link')} 字）") from exc
        checked.append({"kind": _kind(item, resource_type), "url": url, "note": _note(item)})
    return checked


def _missing(record, resource_type):
    """Files the export could not include: a video still here is linked again, the rest are warned about."""
    items = record.get("missing_files") or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise LineError("“missing_files”应为对象列表")
    is_package = resource_type == ResourceType.LESSON_PACKAGE
    found, warnings = [], []
    for item in items:
        kind = _kind(item, resource_type)
        video = _video(item["video"], kind) if is_package and item.get("video") else None
        if video:
            found.append({"kind": kind, "path": None, "video": video, "note": _note(item)})
        else:
            warnings.append(f"文件“{item.get('name', '')}”导出时缺失（{item.get('reason', '')}），未导入")
    return found, warnings


def _guiding(record):
    """指导教师 as stored ("张三，李四"), from text or a list; None when absent."""
    if "guiding_teachers" not in record:
        return None
    value = record["guiding_teachers"] or ""
    if isinstance(value, list) and all(isinstance(name, str) for name in value):
        value = "，".join(name.strip() for name in value if name.strip())
    if not isinstance(value, str):
        raise LineError("“guiding_teachers”应为文本或文本列表")
    if len(guiding_names(value)) > MAX_GUIDING_TEACHERS:
        raise LineError(f"指导教师最多 {MAX_GUIDING_TEACHERS} 人")
    return _text({"guiding_teachers": value}, "guiding_teachers", limit=_max(LessonPackagePage, "guiding_teachers"))


def _choice(record, key, names, empty=""):
    """A labelled choice ("市级优课") → its value; None when the key is absent."""
    if key not in record:
        return None
    label = _text(record, key)
    if label and label not in names:
        raise LineError(f"未知的“{key}”：“{label}”（可选：{'、'.join(names)}）")
    return names.get(label, empty)


def fields_of(record, base_dir):
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
    too_long = [k for k in keywords if len(k.strip()) > _max(Tag, "name")]
    if too_long:
        raise LineError(f"关键词“{too_long[0][:20]}…”过长（最多 {_max(Tag, 'name')} 字）")
    published = record.get("published", True)
    if not isinstance(published, bool):
        raise LineError("“published”应为 true 或 false")
    licence = _choice(record, "licence", LICENCE_BY_NAME, empty=Licence.SIGNED_IN)
    found_videos, warnings = _missing(record, resource_type)
    return {
        "external_id": _text(record, "id", required=True, limit=_max(ResourcePage, "external_id")),
        "title": _text(record, "title", required=True, limit=MAX_TITLE),
        "resource_type": resource_type,
        "description": _text(record, "description"),
        "teacher_name": _text(record, "teacher", limit=_max(ResourcePage, "teacher_name")),
        "school": _text(record, "school", limit=_max(School, "name")),
        "award_level": AWARD_BY_NAME.get(award, ""),
        "recommended_to": _choice(record, "recommended_to", RECOMMENDED_BY_NAME),
        "guiding_teachers": _guiding(record),
        "licence": licence,
        "keywords": [k.strip() for k in keywords if k.strip()],
        "published": published,
        "files": _files(record, base_dir, resource_type) + found_videos,
        "links": _links(record, resource_type),
        "warnings": warnings,
    }


def stored_document(path, title):
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
