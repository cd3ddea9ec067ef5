"""The month roll-up: its totals are the days', re-running and rebuilding change nothing, the panel reads the same."""

import datetime

import pytest
from django.utils import timezone

from resources.models import School, Subject
from supervision import monthly, rollup, sharing
from supervision.access import Scope
from supervision.filters import Filters
from supervision.models import DailyUsage, MonthlyUsage, SchoolPair, UsageKind
from supervision.usage import credit_offline_plays, record_online_use
from tests.resources.helpers import package

from .helpers import teacher

pytestmark = [pytest.mark.service("postgres"), pytest.mark.django_db]
YEAR = timezone.localdate().year - 1  # a whole past year: every month of it is whole
DAYS = [datetime.date(YEAR, 1, 14), datetime.date(YEAR, 1, 31), datetime.date(YEAR, 2, 1), datetime.date(YEAR, 3, 9)]
SUMS = ("plays", "downloads", "documents", "offline_plays")


@pytest.fixture
def uses(library):
    """Uses over three months of two subjects and sections, between urban and rural schools, with offline plays."""
    math = package("认识分数", school_code="CGYX", parts=False)
    physics = package("运动的描述", school_code="QSZX", lesson="运动的描述", parts=False)
    rural = [teacher(f"qs{number}", "QSZX") for number in range(6)]
    urban = [teacher(f"cg{number}", "CGYX") for number in range(3)] + [teacher("ez0", "CGEZ")]
    for offset, day in enumerate(DAYS):
        for hour, user in enumerate(rural[: 3 + offset], start=8):
            when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
            record_online_use(user=user, lesson=math, kind=UsageKind.PLAY, when=when)
            record_online_use(user=user, lesson=physics, kind=UsageKind.DOCUMENT, when=when)  # self-use
        for hour, user in enumerate(urban[: 1 + offset], start=8):
            when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
            record_online_use(user=user, lesson=physics, kind=UsageKind.VIDEO_DOWNLOAD, when=when)
            record_online_use(user=user, lesson=math, kind=UsageKind.PLAY, when=when)
    credit_offline_plays(school=School.objects.get(code="HXZX"), lesson=math, day=DAYS[1], plays=7)
    credit_offline_plays(school=School.objects.get(code="HXZX"), lesson=physics, day=DAYS[2], plays=3)
    rollup.run()
    return math, physics


def _month_rows():
    fields = ("month", "consumer_school", "consumer_area", "producer_school", "producer_area", "section", "subject",
              "subject_parent", *SUMS, "teachers")  # fmt: skip
    return sorted(MonthlyUsage.objects.values_list(*fields))


def test_each_months_totals_are_its_days_totals(uses):
    assert {row[0] for row in _month_rows()} == {datetime.date(YEAR, month, 1) for month in (1, 2, 3)}
    for month in (1, 2, 3):
        first = datetime.date(YEAR, month, 1)
        days = DailyUsage.objects.filter(day__gte=first, day__lt=monthly.next_month(first))
        months = MonthlyUsage.objects.filter(month=first)
        for school in School.objects.all():
            for field in SUMS:
                assert sum(days.filter(consumer_school=school).values_list(field, flat=True)) == sum(
                    months.filter(consumer_school=school).values_list(field, flat=True)
                ), (month, school.code, field)
            daily_teachers = days.filter(consumer_school=school).values_list("teachers", flat=True)
            monthly_teachers = months.filter(consumer_school=school).values_list("teachers", flat=True)
            assert max(daily_teachers, default=0) == max(monthly_teachers, default=0)
    january = MonthlyUsage.objects.get(
        month=datetime.date(YEAR, 1, 1), consumer_school__code="QSZX", subject__name="数学"
    )
    assert (january.plays, january.teachers, january.section) == (3 + 4, 4, "primary")


def test_running_again_and_rebuilding_change_nothing(uses):
    before = _month_rows()
    rollup.run(timezone.now() + rollup.OVERLAP * 2)  # looks back over the overlap: the same days and months again
    assert _month_rows() == before
    MonthlyUsage.objects.all().delete()
    monthly.rebuild(datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))  # from the days
    assert _month_rows() == before
    rollup.rebuild(DAYS[0], DAYS[-1])  # from the raw rows, days then months
    assert _month_rows() == before


def test_a_reimported_offline_count_reaches_its_month(uses):
    math, _ = uses
    credit_offline_plays(school=School.objects.get(code="HXZX"), lesson=math, day=DAYS[1], plays=2)
    rollup.run(timezone.now())
    hxzx = MonthlyUsage.objects.get(month=datetime.date(YEAR, 1, 1), consumer_school__code="HXZX")
    assert hxzx.offline_plays == 2


def _panel(filters, scope):
    rows = sharing.per_school(filters, scope)
    return (
        {key: (cell.uses, cell.online, cell.teachers) for key, cell in sharing.flows(filters, scope).items()},
        sharing.rural_reach(filters, scope),
        [(row.school.code, row.from_others.uses, row.from_others.teachers, row.by_others.uses) for row in rows],
        [
            (month, {key: cell.uses for key, cell in cells.items()})
            for month, cells in sharing.monthly(filters, Scope())
        ],
    )


def _filter_sets():
    physics = Subject.objects.get(name="物理")
    everything, qszx = Scope(), Scope(School.objects.get(code="QSZX").pk)
    cases = [
        Filters.for_year(YEAR),
        Filters.for_year(YEAR, datetime.date(YEAR, 1, 20), datetime.date(YEAR, 3, 9)),  # partial months at both edges
        Filters.for_year(YEAR, datetime.date(YEAR, 2, 1), datetime.date(YEAR, 2, 28)),  # one whole month
        Filters.for_year(YEAR, datetime.date(YEAR, 1, 31), datetime.date(YEAR, 2, 1)),  # no whole month
        Filters.for_year(YEAR, area="rural"),
        Filters.for_year(YEAR, town="城关镇"),
        Filters.for_year(YEAR, section="junior"),
        Filters.for_year(YEAR, subject=physics.pk),
    ]
    return [(filters, everything) for filters in cases] + [(filters, qszx) for filters in cases[:2]]


def test_the_sharing_panel_reads_the_same_from_months_as_from_days(uses, monkeypatch):
    SchoolPair.objects.create(urban=School.objects.get(code="CGYX"), rural=School.objects.get(code="QSZX"))
    from_months = [_panel(*case) for case in _filter_sets()]
    assert from_months[0][0]["urban_to_rural"][0] == 3 + 4 + 5 + 6 + 7  # the rural plays of math and HXZX's offline
    assert from_months[0][0]["rural_to_urban"][0] == 1 + 2 + 3 + 4  # urban downloads of the physics lesson
    assert from_months[0][0]["rural_to_rural"][0] == 3  # HXZX's offline plays of it
    assert [month for month, _ in sharing.monthly(Filters.for_year(YEAR), Scope())] == [
        datetime.date(YEAR, month, 1) for month in (1, 2, 3)
    ]
    monkeypatch.setattr(monthly, "whole_months", lambda start, end: None)  # every figure from DailyUsage
    assert [_panel(*case) for case in _filter_sets()] == from_months


def test_whole_months_of_a_period():
    assert monthly.whole_months(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)) == (
        datetime.date(2026, 1, 1), datetime.date(2026, 12, 1)
    )  # fmt: skip
    assert monthly.whole_months(datetime.date(2026, 1, 2), datetime.date(2026, 3, 30)) == (
        datetime.date(2026, 2, 1), datetime.date(2026, 2, 1)
    )  # fmt: skip
    assert monthly.whole_months(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)) == (
        datetime.date(2026, 2, 1), datetime.date(2026, 2, 1)
    )  # fmt: skip
    assert monthly.whole_months(datetime.date(2026, 1, 2), datetime.date(2026, 2, 27)) is None
