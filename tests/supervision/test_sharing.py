"""Flows between 城区 and 乡村 from the roll-up: self-use is no flow, few teachers show 「<5」, the JSON contract."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from supervision import rollup, sharing
from supervision.access import Scope
from supervision.filters import Filters
from supervision.models import UsageKind
from supervision.usage import record_online_use
from tests.resources.helpers import package

from .helpers import stats, teacher

pytestmark = [pytest.mark.service("postgres"), pytest.mark.django_db]
DAY = timezone.localdate() - datetime.timedelta(days=2)
FILTERS = Filters.for_year(DAY.year, DAY, DAY)


def _at(hour):
    return timezone.make_aware(datetime.datetime.combine(DAY, datetime.time(hour)))


@pytest.fixture
def urban_lesson(library):
    return package("认识分数", school_code="CGYX", parts=False)


def _play(user, lesson, hour=9):
    return record_online_use(user=user, lesson=lesson, kind=UsageKind.PLAY, when=_at(hour))


def test_an_urban_teachers_use_of_their_own_schools_lesson_is_no_flow(urban_lesson):
    for number in range(6):
        _play(teacher(f"cg{number}", "CGYX"), urban_lesson)
    rollup.run()
    flows = sharing.flows(FILTERS, Scope())
    assert {key: cell.uses for key, cell in flows.items()} == dict.fromkeys(sharing.FLOWS, 0)
    cgyx = next(row for row in sharing.per_school(FILTERS, Scope()) if row.school.code == "CGYX")
    assert (cgyx.from_others.uses, cgyx.by_others.uses) == (0, 0)


def test_a_rural_teachers_plays_count_once_per_hour_and_few_teachers_show_less_than_5(urban_lesson):
    rural = [teacher(f"qs{number}", "QSZX") for number in range(3)]
    for user in rural:
        _play(user, urban_lesson, 9)
        _play(user, urban_lesson, 9)  # the same hour: not again
    _play(rural[0], urban_lesson, 10)
    rollup.run()
    flow = sharing.flows(FILTERS, Scope())["urban_to_rural"]
    assert (flow.uses, flow.teachers, flow.display) == (4, 3, "<5")
    for number in range(3, 5):
        _play(teacher(f"qs{number}", "QSZX"), urban_lesson, 11)
    rollup.run()
    flow = sharing.flows(FILTERS, Scope())["urban_to_rural"]
    assert (flow.uses, flow.display) == (6, 6)
    assert sharing.rural_reach(FILTERS, Scope()) == (1, 3, pytest.approx(1 / 3))
    rows = {row.school.code: row for row in sharing.per_school(FILTERS, Scope())}
    assert (rows["QSZX"].from_others.display, rows["CGYX"].by_others.display) == (6, 6)
    assert sharing.per_town(rows.values())["青山乡"][0].display == 6


def test_the_json_report_has_exactly_the_contracts_keys(urban_lesson, capsys):
    for number in range(5):
        _play(teacher(f"qs{number}", "QSZX"), urban_lesson)
    rollup.run()
    stats("CGYX", 1000, year=DAY.year)
    call_command("supervision_report", "--year", str(DAY.year), "--json")
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"year", "balance", "sharing", "showcase", "training"}
    assert data["year"] == DAY.year
    assert set(data["balance"]) == {"小学", "初中"}
    primary = data["balance"]["小学"]
    assert set(primary) == {"indicators", "schools"}
    assert set(primary["indicators"]) == {
        "qualified_teachers_per_100", "backbone_teachers_per_100", "pe_art_teachers_per_100",
        "multimedia_rooms_per_100", "floor_area_per_student", "sports_area_per_student",
        "equipment_value_per_student",
    }  # fmt: skip
    for indicator in primary["indicators"].values():
        assert set(indicator) == {"standard", "cv", "cv_limit", "cv_pass"}
    assert primary["indicators"]["equipment_value_per_student"] == {
        "standard": 2000, "cv": 0.0, "cv_limit": 0.5, "cv_pass": True
    }  # fmt: skip
    assert primary["schools"] == [{
        "school": "CGYX", "met": 7, "pass": True,
        "values": {
            "qualified_teachers_per_100": 5.0, "backbone_teachers_per_100": 1.2, "pe_art_teachers_per_100": 1.0,
            "multimedia_rooms_per_100": 2.5, "floor_area_per_student": 5.0, "sports_area_per_student": 8.0,
            "equipment_value_per_student": 2100.0,
        },
    }]  # fmt: skip
    assert data["balance"]["初中"]["schools"] == []
    assert data["sharing"] == {
        "flows": {"urban_to_rural": 5, "rural_to_urban": 0, "urban_to_urban": 0, "rural_to_rural": 0},
        "rural_reach": pytest.approx(0.3333),
    }
    assert set(data["showcase"]) == {"submission_rate", "coverage"}
    assert set(data["training"]) == {"rate_360h", "rate_50h"}
    assert data["training"] == {"rate_360h": 0.0, "rate_50h": 0.0}  # 80 专任教师, none with hours yet


def test_paired_schools_flows_are_shown_per_pair(urban_lesson):
    from resources.models import School
    from supervision.models import SchoolPair

    pair = SchoolPair.objects.create(urban=School.objects.get(code="CGYX"), rural=School.objects.get(code="QSZX"))
    SchoolPair.objects.create(urban=School.objects.get(code="CGEZ"), rural=School.objects.get(code="HXZX"))
    for number in range(5):
        _play(teacher(f"qs{number}", "QSZX"), urban_lesson)
    _play(teacher("hx0", "HXZX"), urban_lesson)  # not its partner's lesson
    rollup.run()
    rows = sharing.pairs(FILTERS, Scope())
    assert [(p.rural.code, to_rural.display, to_urban.display) for p, to_rural, to_urban in rows] == [
        ("HXZX", 0, 0), ("QSZX", 5, 0)
    ]  # fmt: skip
    assert rows[1][0] == pair
