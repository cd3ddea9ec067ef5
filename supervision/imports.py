"""`import_school_stats` and `import_training_hours`: a bad row is reported by its line and skipped.

Re-importing a year replaces it: the good rows of each year in the file take
the place of everything that year had (statistics), or of that year's hours
from the same source (hours), in one transaction.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction

from resources.models import School

from . import cache, tables
from .models import ImportedTrainingHours, SchoolYearStats, Section

STATS_COLUMNS = {
    "year": "年度",
    "school": "学校代码或名称",
    "section": "学段",
    "students": "在校学生数",
    "teachers": "专任教师数",
    "qualified_teachers": "高于规定学历教师数",
    "backbone_teachers": "县级及以上骨干教师数",
    "pe_art_teachers": "体育、艺术（美术、音乐）专任教师数",
    "floor_area_m2": "教学及辅助用房面积（平方米）",
    "sports_area_m2": "体育运动场馆面积（平方米）",
    "equipment_value_yuan": "教学仪器设备值（元）",
    "multimedia_rooms": "网络多媒体教室数",
}
COUNTS = ("students", "teachers", "qualified_teachers", "backbone_teachers", "pe_art_teachers", "multimedia_rooms")
AMOUNTS = ("floor_area_m2", "sports_area_m2", "equipment_value_yuan")
SECTIONS = {"小学": Section.PRIMARY, "初中": Section.JUNIOR, "primary": Section.PRIMARY, "junior": Section.JUNIOR}

HOURS_COLUMNS = {
    "year": "年度",
    "teacher": "教师账号",
    "hours": "学时",
    "kind": "类型（线上/实践）",
    "ability_program": "计入能力提升工程2.0（是/否）",
    "source": "来源",
}
KINDS = {"线上": "online", "线上学习": "online", "online": "online", "实践": "practice", "实践应用": "practice",
         "practice": "practice"}  # fmt: skip
YES = {"是", "yes", "y", "1", "true"}
NO = {"", "否", "no", "n", "0", "false"}


@dataclass
class ImportResult:
    imported: int = 0
    years: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # [(line, reason)]

    def message(self):
        years = "、".join(str(year) for year in self.years) or "无"
        return f"导入 {self.imported} 行（年度：{years}），跳过 {len(self.errors)} 行"


class RowError(Exception):
    pass


def _year(text):
    try:
        year = int(text)
    except ValueError:
        raise RowError(f"年度「{text}」不是年份") from None
    if not 2000 <= year <= 2100:
        raise RowError(f"年度「{text}」超出范围")
    return year


def _count(row, key, label):
    text = row.get(key, "")
    try:
        number = int(Decimal(text))
    except (InvalidOperation, ValueError):
        raise RowError(f"{label}「{text}」不是整数") from None
    if number < 0 or Decimal(text) != number:
        raise RowError(f"{label}「{text}」应为不小于 0 的整数")
    return number


def _amount(row, key, label):
    text = row.get(key, "").replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise RowError(f"{label}「{text}」不是数字") from None
    if not number.is_finite() or number < 0:
        raise RowError(f"{label}「{text}」应为不小于 0 的数")
    return number.quantize(Decimal("0.01"))


class _Schools:
    """Schools by code or by name, read once."""

    def __init__(self):
        self.by_code, self.by_name = {}, {}
        for school in School.objects.all():
            self.by_code[school.code.lower()] = school
            self.by_name.setdefault(school.name, []).append(school)

    def find(self, text):
        school = self.by_code.get(text.lower())
        if school:
            return school
        named = self.by_name.get(text, [])
        if len(named) == 1:
            return named[0]
        raise RowError(f"学校「{text}」有重名，请填学校代码" if named else f"找不到学校「{text}」")


def _stats_row(row, schools):
    year = _year(row.get("year", ""))
    school = schools.find(row.get("school", ""))
    section = SECTIONS.get(row.get("section", ""))
    if section is None:
        raise RowError(f"学段「{row.get('section', '')}」应为 小学 或 初中")
    values = {key: _count(row, key, STATS_COLUMNS[key]) for key in COUNTS}
    values.update({key: _amount(row, key, STATS_COLUMNS[key]) for key in AMOUNTS})
    if not values["students"]:
        raise RowError("在校学生数为 0")
    for key in ("qualified_teachers", "backbone_teachers", "pe_art_teachers"):
        if values[key] > values["teachers"]:
            raise RowError(f"{STATS_COLUMNS[key]}大于专任教师数")
    return SchoolYearStats(year=year, school=school, section=section, **values)


def import_school_stats(path):
    result = ImportResult()
    schools, good, seen = _Schools(), [], {}
    for number, row in tables.read(path, STATS_COLUMNS, list(STATS_COLUMNS)):
        try:
            stats = _stats_row(row, schools)
            key = (stats.year, stats.school_id, stats.section)
            if key in seen:
                raise RowError(f"与第 {seen[key]} 行重复（同一学校、年度、学段）")
            seen[key] = number
            good.append(stats)
        except RowError as error:
            result.errors.append((number, str(error)))
    result.years = sorted({stats.year for stats in good})
    with transaction.atomic():
        SchoolYearStats.objects.filter(year__in=result.years).delete()
        SchoolYearStats.objects.bulk_create(good)
    cache.changed()
    result.imported = len(good)
    return result


def _hours_row(row, users):
    year = _year(row.get("year", ""))
    username = row.get("teacher", "")
    user = users.get(username)
    if user is None:
        raise RowError(f"找不到教师账号「{username}」")
    hours = _amount(row, "hours", "学时")
    if hours > 1000:
        raise RowError(f"学时「{row.get('hours')}」过大")
    kind = KINDS.get(row.get("kind", "") or "线上")
    if kind is None:
        raise RowError(f"类型「{row.get('kind')}」应为 线上 或 实践")
    flag = row.get("ability_program", "").lower()
    if flag not in YES | NO:
        raise RowError(f"「{row.get('ability_program')}」应为 是 或 否")
    return ImportedTrainingHours(
        year=year, user=user, hours=hours, kind=kind, ability_program=flag in YES, source=row.get("source", "")[:100]
    )


def import_training_hours(path):
    result = ImportResult()
    rows = tables.read(path, HOURS_COLUMNS, ["year", "teacher", "hours"])
    wanted = {row.get("teacher", "") for _, row in rows}
    users = {user.username: user for user in get_user_model().objects.filter(username__in=wanted)}
    good = []
    for number, row in rows:
        try:
            good.append(_hours_row(row, users))
        except RowError as error:
            result.errors.append((number, str(error)))
    replaced = {(entry.year, entry.source) for entry in good}
    result.years = sorted({year for year, _ in replaced})
    with transaction.atomic():
        for year, source in replaced:
            ImportedTrainingHours.objects.filter(year=year, source=source).delete()
        ImportedTrainingHours.objects.bulk_create(good)
    cache.changed()
    result.imported = len(good)
    return result
