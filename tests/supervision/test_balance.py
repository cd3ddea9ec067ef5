"""The seven indicators, the pass rule and the 校际差异系数, against examples worked by hand."""

import math

import pytest

from supervision import balance
from supervision.models import Section

from .helpers import stats

pytestmark = [pytest.mark.service("postgres"), pytest.mark.django_db]


def _results():
    return balance.year_results(2026)[Section.PRIMARY]


def _by_code(result):
    return {school.stats.school.code: school for school in result.schools}


def test_values_per_100_students_and_per_student():
    stats("A", 1000)
    a = _by_code(_results())["A"]
    assert a.values == pytest.approx({
        "qualified_teachers_per_100": 5.0, "backbone_teachers_per_100": 1.2, "pe_art_teachers_per_100": 1.0,
        "multimedia_rooms_per_100": 2.5, "floor_area_per_student": 5.0, "sports_area_per_student": 8.0,
        "equipment_value_per_student": 2100.0,
    })  # fmt: skip
    assert (a.met, a.passed) == (7, True)


def test_six_of_seven_pass_only_when_the_seventh_reaches_85_percent():
    # Sports area standard 7.5 m² per student: 84 % is 6.3, 86 % is 6.45.
    stats("B84", 500, sports_area_m2=3150)
    stats("C86", 500, sports_area_m2=3225)
    schools = _by_code(_results())
    assert schools["B84"].values["sports_area_per_student"] == pytest.approx(6.3)
    assert (schools["B84"].met, schools["B84"].passed, schools["B84"].short) == (6, False, ["sports_area_per_student"])
    assert schools["C86"].values["sports_area_per_student"] == pytest.approx(6.45)
    assert (schools["C86"].met, schools["C86"].passed) == (6, True)


def test_five_of_seven_fails_even_when_the_rest_reach_90_percent():
    # 90 % of the qualified (4.2) and backbone (1.0) standards for 1000 students: 37.8 → 38 is 3.8; 0.9 → 9.
    stats("D", 1000, qualified_teachers=38, backbone_teachers=9)
    d = _by_code(_results())["D"]
    assert (d.met, d.passed) == (5, False)


def test_cv_is_enrolment_weighted_per_indicator():
    stats("A", 1000)  # 8.0 m² per student
    stats("B84", 500, sports_area_m2=3150)  # 6.3
    stats("C86", 500, sports_area_m2=3225)  # 6.45
    result = _results()
    # X̄ = (8000 + 3150 + 3225) / 2000 = 7.1875
    # Σ (Pᵢ/P)(xᵢ − X̄)² = 0.5·0.8125² + 0.25·0.8875² + 0.25·0.7375² = 0.66296875
    assert result.cvs["sports_area_per_student"] == pytest.approx(math.sqrt(0.66296875) / 7.1875)
    assert result.cvs["sports_area_per_student"] == pytest.approx(0.113284, abs=1e-6)
    assert result.cv_pass("sports_area_per_student")
    # Every school has the same floor area per student (5.0): no difference at all.
    assert result.cvs["floor_area_per_student"] == pytest.approx(0.0)


def test_cv_limit_is_045_for_junior_sections():
    # Equipment 5000 and 1000 元 per student, 100 students each: X̄ = 3000, σ = 2000, CV = 0.667.
    stats("X", 100, section=Section.JUNIOR, equipment_value_yuan=500_000)
    stats("Y", 100, section=Section.JUNIOR, equipment_value_yuan=100_000)
    junior = balance.year_results(2026)[Section.JUNIOR]
    assert junior.cvs["equipment_value_per_student"] == pytest.approx(2 / 3)
    assert not junior.cv_pass("equipment_value_per_student")
    # 1.2 backbone per 100 everywhere: CV 0 ≤ 0.45.
    assert junior.cv_pass("backbone_teachers_per_100")


def test_cv_pure_function():
    assert balance.cv([(1, 2.0), (3, 2.0)]) == 0
    assert balance.cv([(1, 0.0)]) is None
    assert balance.cv([]) is None
    # (3·1 + 1·5) / 4 = 2; Σ = 0.75·1 + 0.25·9 = 3; √3 / 2
    assert balance.cv([(3, 1.0), (1, 5.0)]) == pytest.approx(math.sqrt(3) / 2)
