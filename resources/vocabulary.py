"""Turn the words people and old systems use into taxonomy rows.

'部编版' is 统编版, '初二' is 八年级, '道法' is 道德与法治: the names and the
aliases kept on each row (editable in the admin) are the one source.
"""

from django.db.models import Q
from django.utils.text import slugify
from pypinyin import lazy_pinyin

from .models import Edition, Grade, KnowledgeNode, School, Stage, Subject, Textbook, Unit
from .models.taxonomy import split_aliases


class UnknownValue(ValueError):
    """A value that cannot be mapped and must not be invented (a grade, a stage)."""


def match(model, value):
    """The row named `value` by its name, code or one of its aliases; None if none is."""
    value = (value or "").strip()
    if not value:
        return None
    found = model.objects.filter(Q(name=value) | Q(code=value) if hasattr(model, "code") else Q(name=value)).first()
    if found:
        return found
    if hasattr(model, "aliases"):
        for candidate in model.objects.filter(aliases__contains=value):
            if value in split_aliases(candidate.aliases):
                return candidate
    return None


def _code_for(model, name):
    """A stable ASCII code for a new row: pinyin of the Chinese name, made unique.

    Two names can share a pinyin (数学/术学) or one may be taken by hand in the
    admin; a suffix keeps the new row from failing on the unique code.
    """
    limit = model._meta.get_field("code").max_length
    base = slugify("-".join(lazy_pinyin(name)))[:limit] or "x"
    code, number = base, 1
    while model.objects.filter(code=code).exists():
        number += 1
        suffix = f"-{number}"
        code = base[: limit - len(suffix)] + suffix
    return code


def _new_name(model, kind, value):
    """`value` stripped, or UnknownValue when it is too long to become a row's name."""
    value = value.strip()
    limit = model._meta.get_field("name").max_length
    if len(value) > limit:
        raise UnknownValue(f"{kind}“{value[:20]}…”过长，无法新建（名称最多 {limit} 字）")
    return value


def stage(value):
    found = match(Stage, value)
    if value and not found:
        known = "、".join(Stage.objects.values_list("name", flat=True))
        if not known:
            raise UnknownValue("尚未载入学段和年级，请先运行 manage.py migrate 和 manage.py load_curriculum")
        raise UnknownValue(f"未知学段“{value}”（应为：{known}）")
    return found


def grade(value):
    found = match(Grade, value)
    if value and not found:
        raise UnknownValue(f"未知年级“{value}”（应为：一年级…九年级，或初一/初二/初三）")
    return found


def subject(value, stage_row=None):
    """Map a subject; an unknown one is created (old data uses many local names)."""
    found = match(Subject, value)
    if found or not value:
        return found
    name = _new_name(Subject, "学科", value)
    created, _ = Subject.objects.get_or_create(name=name, defaults={"code": _code_for(Subject, name)})
    if stage_row:
        created.stages.add(stage_row)
    return created


def edition(value):
    """Map an edition; an unknown one is created."""
    found = match(Edition, value)
    if found or not value:
        return found
    name = _new_name(Edition, "版本", value)
    created, _ = Edition.objects.get_or_create(name=name, defaults={"code": _code_for(Edition, name)})
    return created


def school(value):
    """(school, created) for a school's name or code; an unknown school is created by name.

    Old systems name schools their own way; the import keeps going and the
    summary lists new schools so an administrator completes their town,
    area and stage under 学校 (or merges them into the right one).
    """
    value = (value or "").strip()
    if not value:
        return None, False
    found = School.objects.filter(name=value).first() or School.objects.filter(code=value).first()
    if found:
        return found, False
    name = _new_name(School, "学校", value)
    return School.objects.create(name=name, code=_code_for(School, name)), True


def textbook(edition_row, subject_row, grade_row, volume):
    if not (edition_row and subject_row and grade_row and volume):
        return None
    if volume not in Textbook.Volume.values:
        raise UnknownValue(f"未知册次“{volume}”（应为：上册、下册、全一册）")
    book, _ = Textbook.objects.get_or_create(edition=edition_row, subject=subject_row, grade=grade_row, volume=volume)
    return book


def knowledge_node(textbook_row, unit_title, lesson_title):
    """Find or create the unit and lesson inside a textbook volume."""
    if not (textbook_row and unit_title and lesson_title):
        return None
    unit = Unit.objects.filter(textbook=textbook_row, title=unit_title.strip()).first()
    if unit is None:
        unit = Unit.objects.create(
            textbook=textbook_row, title=unit_title.strip(), sort_order=textbook_row.units.count()
        )
    node = KnowledgeNode.objects.filter(unit=unit, title=lesson_title.strip()).first()
    if node is None:
        node = KnowledgeNode.objects.create(unit=unit, title=lesson_title.strip(), sort_order=unit.lessons.count())
    return node
