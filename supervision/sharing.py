"""The sharing panel: who uses whose lessons, between 城区 and 乡村, from the roll-ups only.

Self-use (a school using its own lessons) is never a flow. Each figure is a
supervision.cells.Cell, hidden as 「<5」 on few teachers. Every function is
a fixed number of grouped queries, whatever the period or the number of
schools, so the dashboard stays bounded.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.db import connection
from django.db.models import F, Max, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from resources.models import School

from . import monthly as monthly_rollup
from .cells import Cell
from .models import DailyUsage, MonthlyUsage, SchoolPair

URBAN, RURAL = School.Area.URBAN, School.Area.RURAL
FLOWS = {
    "urban_to_rural": (URBAN, RURAL),
    "rural_to_urban": (RURAL, URBAN),
    "urban_to_urban": (URBAN, URBAN),
    "rural_to_rural": (RURAL, RURAL),
}
FLOW_LABELS = {
    "urban_to_rural": "城区 → 乡村",
    "rural_to_urban": "乡村 → 城区",
    "urban_to_urban": "城区 → 城区",
    "rural_to_rural": "乡村 → 乡村",
}
USES = F("plays") + F("downloads") + F("documents") + F("offline_plays")
ONLINE = F("plays") + F("downloads") + F("documents")
WEEKS = 13  # the weekly trend: a term's last quarter, from the daily roll-up


# Where each source keeps the lesson's section and subject, and how its rows fall into months.
DAILY = {"section": "lesson__stage__code", "subject": "lesson__subject_id", "parent": "lesson__subject__parent_id"}
MONTHLY = {"section": "section", "subject": "subject_id", "parent": "subject_parent_id"}


def _sources(filters, daily=False):
    """[(rows of the period, field names)]: whole months from MonthlyUsage, the edges' days from DailyUsage
    (every day from DailyUsage when `daily`)."""
    months = None if daily else monthly_rollup.whole_months(filters.start, filters.end)
    if months is None:
        return [(DailyUsage.objects.filter(day__gte=filters.start, day__lte=filters.end), DAILY)]
    first, last = months
    edges = Q(day__gte=filters.start, day__lt=first) | Q(day__gte=monthly_rollup.next_month(last), day__lte=filters.end)
    return [
        (MonthlyUsage.objects.filter(month__gte=first, month__lte=last), MONTHLY),
        (DailyUsage.objects.filter(edges), DAILY),
    ]


def _lessons(rows, names, filters):
    if filters.section:
        rows = rows.filter(**{names["section"]: filters.section})
    if filters.subject:
        rows = rows.filter(Q(**{names["subject"]: filters.subject}) | Q(**{names["parent"]: filters.subject}))
    return rows


def usage(filters, scope, daily=False):
    """[roll-up rows of the period], by the consuming school's town and class, the lesson's section and subject."""
    sources = []
    for rows, names in _sources(filters, daily):
        if filters.town:
            rows = rows.filter(consumer_school__town=filters.town)
        if filters.area:
            rows = rows.filter(consumer_area=filters.area)
        if not scope.everything:
            rows = rows.filter(Q(consumer_school_id=scope.school_id) | Q(producer_school_id=scope.school_id))
        sources.append(_lessons(rows, names, filters))
    return sources


def shared(filters, scope, daily=False):
    """[rows of uses of another school's lesson] (self-use excluded)."""
    return [
        rows.filter(producer_school__isnull=False).exclude(consumer_school=F("producer_school"))
        for rows in usage(filters, scope, daily)
    ]


def _by_consumer(sources, *keys):
    """Grouped by `keys` and the consuming school: uses, online uses and the school's largest daily teachers.

    One grouped query per source, merged here: sums add, the largest teachers count is the larger.
    """
    merged = {}
    for rows in sources:
        grouped = (
            rows.values(*keys, "consumer_school_id")
            .annotate(uses=Sum(USES), online=Sum(ONLINE), teachers=Max("teachers"))
            .order_by()
        )
        for row in grouped:
            key = tuple(row[name] for name in (*keys, "consumer_school_id"))
            if key in merged:
                seen = merged[key]
                seen["uses"] += row["uses"]
                seen["online"] += row["online"]
                seen["teachers"] = max(seen["teachers"], row["teachers"])
            else:
                merged[key] = row
    return list(merged.values())


def _summed(sources, *keys):
    """Grouped by `keys` and summed over the consuming schools, in the database.

    The same figures as adding up _by_consumer's rows (per consuming school the
    uses, and the largest daily teachers over both sources), but only one row per
    `keys` leaves PostgreSQL: by producing school that is 200 rows, not 40,000.
    """
    parts, params = [], []
    for rows in sources:
        grouped = (
            rows.values(*keys, "consumer_school_id")
            .annotate(uses=Sum(USES), online=Sum(ONLINE), teachers=Max("teachers"))
            .order_by()
        )
        sql, part_params = grouped.query.sql_with_params()
        parts.append(sql)
        params.extend(part_params)
    names = ", ".join(f'"{key}"' for key in keys)
    inner = ", ".join([*(f'"{key}"' for key in keys), '"consumer_school_id"'])
    # Only the fixed column names above and Django's own compiled SQL are interpolated; values are parameters.
    sql = (
        f"SELECT {names}{', ' if keys else ''}SUM(uses), SUM(online), SUM(teachers) FROM ("  # noqa: S608
        f"SELECT {inner}, SUM(uses) AS uses, SUM(online) AS online, MAX(teachers) AS teachers "
        f"FROM ({' UNION ALL '.join(parts)}) AS sources GROUP BY {inner}) AS schools"
        f"{' GROUP BY ' + names if keys else ''}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # PostgreSQL's SUM of integers is a numeric: back to int.
        sums = ("uses", "online", "teachers")
        return [
            dict(zip(keys, row[: len(keys)], strict=True)) | dict(zip(sums, map(int, row[len(keys) :]), strict=True))
            for row in cursor.fetchall()
        ]


def flows(filters, scope):
    """{flow key: Cell} for the four producer class × consumer class pairs."""
    cells = {key: Cell() for key in FLOWS}
    names = {pair: key for key, pair in FLOWS.items()}
    for row in _summed(shared(filters, scope), "producer_area", "consumer_area"):
        key = names.get((row["producer_area"], row["consumer_area"]))
        if key:
            cells[key].add(row["uses"], row["online"], row["teachers"])
    return cells


def rural_reach(filters, scope):
    """(rural schools that used another school's lesson, rural schools, ratio or None)."""
    schools = scope.schools(School.objects.filter(area=RURAL))
    if filters.town:
        schools = schools.filter(town=filters.town)
    total = schools.count()
    reached = set()
    for rows in shared(filters, scope):
        rows = rows.filter(consumer_area=RURAL, consumer_school__in=schools)
        reached.update(rows.values_list("consumer_school_id", flat=True).distinct().order_by())
    reached = len(reached)
    return reached, total, (reached / total if total else None)


@dataclass
class SchoolRow:
    school: School
    from_others: Cell = field(default_factory=Cell)  # its teachers' uses of other schools' lessons
    by_others: Cell = field(default_factory=Cell)  # other schools' uses of its lessons


def per_school(filters, scope):
    """[SchoolRow] for the schools in scope (by town and class), in code order."""
    schools = scope.schools(School.objects.order_by("code"))
    if filters.town:
        schools = schools.filter(town=filters.town)
    if filters.area:
        schools = schools.filter(area=filters.area)
    rows = {school.pk: SchoolRow(school) for school in schools}
    for row in _by_consumer(shared(filters, scope)):
        if row["consumer_school_id"] in rows:
            rows[row["consumer_school_id"]].from_others.add(row["uses"], row["online"], row["teachers"])
    for row in _summed(_produced(filters, scope), "producer_school_id"):
        if row["producer_school_id"] in rows:
            rows[row["producer_school_id"]].by_others.add(row["uses"], row["online"], row["teachers"])
    return list(rows.values())


def _produced(filters, scope):
    """[rows of uses of lessons made at a school in the filters' town/class, by any other school]."""
    sources = []
    for rows, names in _sources(filters):
        rows = rows.filter(producer_school__isnull=False).exclude(consumer_school=F("producer_school"))
        if filters.town:
            rows = rows.filter(producer_school__town=filters.town)
        if filters.area:
            rows = rows.filter(producer_area=filters.area)
        if not scope.everything:
            rows = rows.filter(producer_school_id=scope.school_id)
        sources.append(_lessons(rows, names, filters))
    return sources


def per_town(school_rows):
    """{town: (from_others Cell, by_others Cell)} summed from per_school's rows (no query)."""
    towns = defaultdict(lambda: (Cell(), Cell()))
    for row in school_rows:
        from_others, by_others = towns[row.school.town]
        from_others.add(row.from_others.uses, row.from_others.online, row.from_others.teachers)
        by_others.add(row.by_others.uses, row.by_others.online, row.by_others.teachers)
    return dict(sorted(towns.items()))


def monthly(filters, scope):
    """[(month, {flow key: Cell})] in month order."""
    names = {pair: key for key, pair in FLOWS.items()}
    months = defaultdict(lambda: {key: Cell() for key in FLOWS})
    rows = [
        source.annotate(period=F("month") if source.model is MonthlyUsage else TruncMonth("day"))
        for source in shared(filters, scope)
    ]
    for row in _summed(rows, "period", "producer_area", "consumer_area"):
        key = names.get((row["producer_area"], row["consumer_area"]))
        if key:
            months[_month(row["period"])][key].add(row["uses"], row["online"], row["teachers"])
    return sorted(months.items())


def weekly(filters, scope, today=None):
    """[(the week's Monday, {flow key: Cell})] for the period's last WEEKS weeks up to today, from the days."""
    end = min(filters.end, today or timezone.localdate())
    first = max(filters.start, end - datetime.timedelta(days=end.weekday(), weeks=WEEKS - 1))
    if first > end:
        return []
    names = {pair: key for key, pair in FLOWS.items()}
    weeks = defaultdict(lambda: {key: Cell() for key in FLOWS})
    recent = replace(filters, start=first, end=end)
    rows = [rows.annotate(period=TruncWeek("day")) for rows in shared(recent, scope, daily=True)]
    for row in _summed(rows, "period", "producer_area", "consumer_area"):
        key = names.get((row["producer_area"], row["consumer_area"]))
        if key:
            weeks[_month(row["period"])][key].add(row["uses"], row["online"], row["teachers"])
    return sorted(weeks.items())


def _month(period):
    """The month (or week) as a date: raw SQL over DailyUsage's truncated days gives a midnight timestamp
    (PostgreSQL) or text (SQLite, which has no date type: '2026-11-01' or '2026-11-01 00:00:00')."""
    if isinstance(period, str):
        return datetime.date.fromisoformat(period[:10])
    return period.date() if isinstance(period, datetime.datetime) else period


def pairs(filters, scope):
    """[(pair, urban lessons used by the rural school: Cell, rural lessons used by the urban school: Cell)]."""
    chosen = SchoolPair.objects.select_related("urban", "rural").order_by("urban__code", "rural__code")
    if not scope.everything:
        chosen = chosen.filter(Q(urban_id=scope.school_id) | Q(rural_id=scope.school_id))
    chosen = list(chosen)
    ids = {school_id for pair in chosen for school_id in (pair.urban_id, pair.rural_id)}
    used = {}
    rows = [rows.filter(consumer_school_id__in=ids, producer_school_id__in=ids) for rows in shared(filters, scope)]
    for row in _by_consumer(rows, "producer_school_id"):
        cell = used.setdefault((row["producer_school_id"], row["consumer_school_id"]), Cell())
        cell.add(row["uses"], row["online"], row["teachers"])
    return [(pair, used.get((pair.urban_id, pair.rural_id), Cell()), used.get((pair.rural_id, pair.urban_id), Cell()))
            for pair in chosen]  # fmt: skip
