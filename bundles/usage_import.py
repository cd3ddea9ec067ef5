"""Crediting the plays a school's offline bundle counted (the usage file of README.md) to that school.

The file holds totals per lesson and day from one source (a box, or one
browser's export), so supervision.usage.credit_offline_plays - which sets
the count for (school, lesson, day, source) - makes a re-import harmless.
"""

import datetime
import re

from resources.models import LessonPackagePage, School
from supervision.usage import credit_offline_plays

SOURCE = re.compile(r"^(box|dev):[0-9a-f]{12}$")


class UsageFileError(ValueError):
    pass


def import_usage(data, school_code=None):
    """Credit every row of the parsed usage file; returns (credited rows, plays, unknown lesson ids)."""
    if not isinstance(data, dict) or data.get("format") != "youke-usage" or data.get("schema_version") != 1:
        raise UsageFileError("不是优课离线使用记录文件（format 应为 youke-usage，schema_version 为 1）。")
    code = school_code or data.get("school")
    if not code:
        raise UsageFileError("文件没有写明学校：请用 --school 指定学校代码。")
    school = School.objects.filter(code=code).first()
    if school is None:
        raise UsageFileError(f"找不到学校：{code}")
    source = str(data.get("source", ""))
    if not SOURCE.match(source):
        raise UsageFileError(f"来源标识不合规：{source!r}")
    rows = []
    for row in data.get("plays", []):
        try:
            rows.append((int(row["lesson"]), datetime.date.fromisoformat(row["day"]), int(row["plays"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise UsageFileError(f"记录格式不对：{row!r}") from exc
    lessons = LessonPackagePage.objects.in_bulk({lesson for lesson, _, _ in rows})
    credited, plays, unknown = 0, 0, set()
    for lesson_id, day, count in rows:
        if lesson_id not in lessons or count < 0:
            unknown.add(lesson_id)
            continue
        credit_offline_plays(school=school, lesson=lessons[lesson_id], day=day, plays=count, source=source)
        credited, plays = credited + 1, plays + count
    return credited, plays, sorted(unknown)
