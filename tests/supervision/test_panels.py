"""Training compliance (360 h in five years, 2.0's 50 h apart), 晒课率 and coverage, and the printable announcement."""

from decimal import Decimal

import pytest
from django.urls import reverse

from resources.models import KnowledgeNode
from supervision import compliance, showcase
from supervision.access import Scope
from supervision.filters import Filters
from supervision.models import ImportedTrainingHours
from tests.clients import signed_in
from tests.resources.helpers import package
from training.models import StudyHoursEntry

from .helpers import stats, teacher

pytestmark = [pytest.mark.service("postgres"), pytest.mark.django_db]
FILTERS = Filters.for_year(2026)


def _hours(user, year, hours):
    StudyHoursEntry.objects.create(user=user, course_title="平台课程", year=year, hours=Decimal(hours))


def _imported(user, year, hours, kind="online", ability=False):
    ImportedTrainingHours.objects.create(user=user, year=year, hours=Decimal(hours), kind=kind, ability_program=ability)


def test_360_hours_count_five_years_to_the_periods_end_and_50_hours_show_online_and_practice_apart(library):
    stats("QSZX", 125, year=2026, area="rural", teachers=10)
    full = teacher("full", "QSZX")
    _hours(full, 2022, 300)  # 2022 … 2026: inside
    _imported(full, 2026, 60, ability=True)  # 2.0 online
    short = teacher("short", "QSZX")
    _hours(short, 2021, 200)  # six years back: outside
    _hours(short, 2026, 200)
    _imported(short, 2024, 20, kind="practice", ability=True)
    _imported(short, 2023, 40, ability=True)  # 2.0 counts three years: 2024 … 2026 only
    rows, totals = compliance.per_school(FILTERS, Scope())
    qszx = next(row for row in rows if row.school.code == "QSZX")
    assert (qszx.full_time_teachers, qszx.met_360, qszx.met_50) == (10, 1, 1)
    assert (qszx.online_hours, qszx.practice_hours) == (Decimal(60), Decimal(20))
    assert (qszx.rate_360, qszx.rate_50) == (0.1, 0.1)
    assert compliance.rates(FILTERS, Scope()) == (0.1, 0.1)


def test_submission_rate_and_curriculum_coverage(library):
    stats("CGYX", 1000, year=2026, teachers=40)
    teacher1 = teacher("teacher1", "CGYX")
    package("认识分数", school_code="CGYX", parts=False, teacher=teacher1, award_level="district")
    package("认识分数（二）", school_code="CGYX", parts=False, teacher=teacher1)
    package("草稿", school_code="CGYX", parts=False, teacher=teacher("drafter", "CGYX"), live=False)
    summary = showcase.summary(FILTERS, Scope())
    assert (summary["packages"], summary["submitting_teachers"], summary["full_time_teachers"]) == (2, 1, 40)
    assert summary["submission_rate"] == 1 / 40
    assert dict(summary["awards"])["区级优课"] == 1
    covered, total, ratio, _ = showcase.coverage(FILTERS)
    assert (covered, total) == (1, KnowledgeNode.objects.count())
    assert ratio == 1 / total
    uncovered = [row[-1] for row in showcase.uncovered(FILTERS)]
    assert "几分之一" not in uncovered and len(uncovered) == total - 1


def test_the_announcement_is_a_pdf_for_supervisors_only(library):
    stats("CGYX", 1000, year=2026)
    supervisor = signed_in(teacher("supervisor_x", "CGYX", "supervisor"))
    response = supervisor.get(reverse("supervision:announcement") + "?year=2026")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    leader = signed_in(teacher("leader_qs", "QSZX", "school_leader"))
    assert leader.get(reverse("supervision:announcement") + "?year=2026").status_code == 403
