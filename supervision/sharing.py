"""The sharing panel: who uses whose lessons, between 城区 and 乡村, from the daily roll-up only.

Self-use (a school using its own lessons) is never a flow. Each figure is a
supervision.cells.Cell, hidden as 「<5」 on few teachers. Every function is
a fixed number of grouped queries, whatever the period or the number of
schools, so the dashboard stays bounded.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Max, Q, Sum
from django.db.models.functions import TruncMonth

from resources.models import School

from .cells import Cell
from .models import DailyUsage, SchoolPair

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


def usage(filters, scope):
    """DailyUsage of the period, by the consuming school's town and class, the lesson's section and subject."""
    rows = DailyUsage.objects.filter(day__gte=filters.start, day__lte=filters.end)
    if filters.town:
        rows = rows.filter(consumer_school__town=filters.town)
    if filters.area:
        rows = rows.filter(consumer_area=filters.area)
    if filters.section:
        rows = rows.filter(lesson__stage__code=filters.section)
    if filters.subject:
        rows = rows.filter(Q(lesson__subject_id=filters.subject) | Q(lesson__subject__parent_id=filters.subject))
    if not scope.everything:
        rows = rows.filter(Q(consumer_school_id=scope.school_id) | Q(producer_school_id=scope.school_id))
    return rows


def shared(filters, scope):
    """Uses of another school's lesson (self-use excluded)."""
    return usage(filters, scope).filter(producer_school__isnull=False).exclude(consumer_school=F("producer_school"))


def _by_consumer(rows, *keys):
    """Grouped by `keys` and the consuming school: uses, online uses and the school's largest daily teachers."""
    return (
        rows.values(*keys, "consumer_school_id")
        .annotate(uses=Sum(USES), online=Sum(ONLINE), teachers=Max("teachers"))
        .order_by()
    )


def flows(filters, scope):
    """{flow key: Cell} for the four producer class × consumer class pairs."""
    cells = {key: Cell() for key in FLOWS}
    names = {pair: key for key, pair in FLOWS.items()}
    for row in _by_consumer(shared(filters, scope), "producer_area", "consumer_area"):
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
    reached = (
        shared(filters, scope)
        .filter(consumer_area=RURAL, consumer_school__in=schools)
        .values("consumer_school_id")
        .distinct()
        .count()
    )
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
    for row in _by_consumer(_produced(filters, scope), "producer_school_id"):
        if row["producer_school_id"] in rows:
            rows[row["producer_school_id"]].by_others.add(row["uses"], row["online"], row["teachers"])
    return list(rows.values())


def _produced(filters, scope):
    """Uses of lessons made at a school in the filters' town/class, by any other school."""
    rows = DailyUsage.objects.filter(day__gte=filters.start, day__lte=filters.end, producer_school__isnull=False)
    rows = rows.exclude(consumer_school=F("producer_school"))
    if filters.town:
        rows = rows.filter(producer_school__town=filters.town)
    if filters.area:
        rows = rows.filter(producer_area=filters.area)
    if filters.section:
        rows = rows.filter(lesson__stage__code=filters.section)
    if filters.subject:
        rows = rows.filter(Q(lesson__subject_id=filters.subject) | Q(lesson__subject__parent_id=filters.subject))
    if not scope.everything:
        rows = rows.filter(producer_school_id=scope.school_id)
    return rows


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
    rows = shared(filters, scope).annotate(month=TruncMonth("day"))
    for row in _by_consumer(rows, "month", "producer_area", "consumer_area"):
        key = names.get((row["producer_area"], row["consumer_area"]))
        if key:
            months[row["month"]][key].add(row["uses"], row["online"], row["teachers"])
    return sorted(months.items())


def pairs(filters, scope):
    """[(pair, urban lessons used by the rural school: Cell, rural lessons used by the urban school: Cell)]."""
    chosen = SchoolPair.objects.select_related("urban", "rural").order_by("urban__code", "rural__code")
    if not scope.everything:
        chosen = chosen.filter(Q(urban_id=scope.school_id) | Q(rural_id=scope.school_id))
    chosen = list(chosen)
    ids = {school_id for pair in chosen for school_id in (pair.urban_id, pair.rural_id)}
    used = {}
    rows = shared(filters, scope).filter(consumer_school_id__in=ids, producer_school_id__in=ids)
    for row in _by_consumer(rows, "producer_school_id"):
        cell = used.setdefault((row["producer_school_id"], row["consumer_school_id"]), Cell())
        cell.add(row["uses"], row["online"], row["teachers"])
    return [(pair, used.get((pair.urban_id, pair.rural_id), Cell()), used.get((pair.rural_id, pair.urban_id), Cell()))
            for pair in chosen]  # fmt: skip
