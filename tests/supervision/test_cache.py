"""The supervision pages' cache: the same tables again without the big queries, new ones after a roll-up.

And the weekly trend and the period's 晒课, which the cached tables carry.
"""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from resources.models import School
from supervision import rollup, sharing, showcase, tasks
from supervision.access import Scope
from supervision.filters import Filters
from supervision.models import UsageKind
from supervision.usage import record_online_use
from tests.resources.helpers import package

from .helpers import teacher

pytestmark = [pytest.mark.service("postgres"), pytest.mark.django_db]
DAY = timezone.localdate() - datetime.timedelta(days=2)


def _play(user, lesson, hour):
    when = timezone.make_aware(datetime.datetime.combine(DAY, datetime.time(hour)))
    return record_online_use(user=user, lesson=lesson, kind=UsageKind.PLAY, when=when)


@pytest.fixture
def cached(settings):
    settings.SUPERVISION_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def supervisor():
    client = Client()
    client.force_login(teacher("supervisor_cache", "CGYX", "supervisor"))
    return client


def _uses(client):
    page = client.get(f"/supervision/?year={DAY.year}")
    assert page.status_code == 200
    return page


def test_the_second_render_reads_the_cache_and_a_roll_up_shows_new_uses(library, cached, supervisor):
    lesson = package("认识分数", school_code="CGYX", parts=False)
    for number in range(6):
        _play(teacher(f"qs{number}", "QSZX"), lesson, 9)
    rollup.run()

    with CaptureQueriesContext(connection) as first:
        before = _uses(supervisor)
    with CaptureQueriesContext(connection) as second:
        again = _uses(supervisor)
    assert again.context["tables"][0].rows == before.context["tables"][0].rows
    assert len(second) < len(first) - 5, "the roll-up tables are not queried again"
    assert not any("supervision_monthlyusage" in q["sql"] or "supervision_dailyusage" in q["sql"] for q in second)

    for number in range(6, 9):
        _play(teacher(f"qs{number}", "QSZX"), lesson, 10)
    tasks.rollup_usage()  # the beat job: roll-up, new generation, the district's pages warmed
    with CaptureQueriesContext(connection) as warmed:
        after = _uses(supervisor)
    flows = dict(after.context["tables"][0].rows)
    assert flows[sharing.FLOW_LABELS["urban_to_rural"]].uses == 9
    assert not any("supervision_dailyusage" in q["sql"] for q in warmed), "warmed by the beat job"


def test_a_school_changing_class_starts_a_new_generation(library, cached, supervisor):
    _uses(supervisor)
    school = School.objects.get(code="QSZX")
    with CaptureQueriesContext(connection) as hit:
        _uses(supervisor)
    school.name = "青山乡中心小学（改名）"
    school.save()
    with CaptureQueriesContext(connection) as miss:
        page = _uses(supervisor)
    assert len(miss) > len(hit)
    assert "青山乡中心小学（改名）" in page.content.decode()


def test_the_weekly_trend_has_this_weeks_uses(library):
    lesson = package("认识分数", school_code="CGYX", parts=False)
    for number in range(5):
        _play(teacher(f"qs{number}", "QSZX"), lesson, 9)
    rollup.run()
    weeks = sharing.weekly(Filters.for_year(DAY.year), Scope(), today=DAY)
    monday = DAY - datetime.timedelta(days=DAY.weekday())
    assert weeks and weeks[-1][0] == monday
    assert weeks[-1][1]["urban_to_rural"].uses == 5
    assert sum(cells["urban_to_rural"].uses for _, cells in weeks) == 5


def test_showcase_counts_only_the_periods_submissions(library):
    lesson = package("认识分数", school_code="CGYX", parts=False)
    this_year = Filters.for_year(lesson.first_published_at.year)
    last_year = Filters.for_year(lesson.first_published_at.year - 1)
    assert showcase.summary(this_year, Scope())["packages"] >= 1
    before = showcase.summary(last_year, Scope())["packages"]
    assert before == 0, "a package first published this year is no submission of last year"


def test_nothing_is_cached_when_it_is_turned_off(library, supervisor, settings):
    settings.SUPERVISION_CACHE_SECONDS = 0
    cache.clear()
    _uses(supervisor)
    assert not [key for key in cache._cache if "supervision:" in key and "generation" not in key]
