"""Export every lesson package and resource in the import format (round-trips)."""

import json
import shutil
from pathlib import Path

from django.utils.text import get_valid_filename

from .models import AwardLevel, LessonPackagePage, ResourcePage, ResourceType

AWARD_NAME = {value: str(label) for value, label in AwardLevel.choices}


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


def _copy(document, files_dir, base_dir, external_id):
    folder = files_dir / get_valid_filename(external_id)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / get_valid_filename(Path(document.file.name).name)
    with document.open_file() as source, target.open("wb") as out:
        shutil.copyfileobj(source, out)
    return str(target.relative_to(base_dir))


def record_for(page, files_dir, base_dir):
    """The import record of a page, from its latest revision (drafts included)."""
    latest = page.get_latest_revision_as_object()
    is_package = isinstance(page, LessonPackagePage)
    external_id = page.external_id or f"youke-{page.pk}"
    record = {
        "id": external_id,
        "title": latest.title,
        "resource_type": ResourceType.LESSON_PACKAGE if is_package else latest.resource_type,
        **_placement(latest),
        "description": latest.description,
        "keywords": sorted(tag.name for tag in latest.tags.all()),
        "teacher": latest.teacher_name,
        "school": latest.school.name if latest.school_id else "",
        "published": page.live,
    }
    if is_package:
        record["award_level"] = AWARD_NAME.get(latest.award_level, "")
        parts = [(part.kind, part.document) for part in latest.parts.all() if part.document_id]
    else:
        parts = [(latest.resource_type, item.document) for item in latest.files.all() if item.document_id]
    record["files"] = [
        {"kind": kind, "path": _copy(document, files_dir, base_dir, external_id)} for kind, document in parts
    ]
    return {key: value for key, value in record.items() if value not in ("", None)}


def export(out_path):
    """Write every package and resource to OUT_PATH (JSONL) and their files beside it. Returns the count."""
    out_path = Path(out_path)
    base_dir = out_path.parent
    files_dir = base_dir / f"{out_path.stem}_files"
    count = 0
    with out_path.open("w", encoding="utf-8") as out:
        for model in (LessonPackagePage, ResourcePage):
            pages = model.objects.order_by("path").select_related(
                "stage", "grade", "subject", "edition", "textbook", "knowledge_node__unit", "school"
            )
            for page in pages:
                out.write(json.dumps(record_for(page, files_dir, base_dir), ensure_ascii=False) + "\n")
                count += 1
    return count
