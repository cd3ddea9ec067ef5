"""The roll-up: idempotent, incremental, rebuildable; user ids dropped after retention, counts kept."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from resources.models import School
from supervision import rollup
from supervision.models import DailyUsage, UsageEvent, UsageKind
from supervision.usage import credit_offline_plays, record_online_use
from tests.resources.helpers import package

pytestmark = pytest.mark.django_db
DAY = timezone.localdate() - datetime.timedelta(days=2)  # within the retention window


def _at(hour):
    return timezone.make_aware(datetime.datetime.combine(DAY, datetime.time(hour)))


@pytest.fixture
def used(library):
    lesson = package("认识分数", school_code="CGYX", parts=False)
    users = get_user_model().objects
    for hour in (9, 10):
        record_online_use(user=users.get(username="teacher2"), lesson=lesson, kind=UsageKind.PLAY, when=_at(hour))
    record_online_use(user=users.get(username="teacher1"), lesson=lesson, kind=UsageKind.DOCUMENT, when=_at(9))
    credit_offline_plays(school=School.objects.get(code="QSZX"), lesson=lesson, day=DAY, plays=4)
    return lesson


def _cells():
    return {
        row.consumer_school.code: (row.plays, row.documents, row.offline_plays, row.teachers, row.producer_area)
        for row in DailyUsage.objects.select_related("consumer_school")
    }


def test_rollup_counts_by_school_and_is_idempotent(used):
    now = timezone.now()
    assert rollup.run(now) == [DAY]
    expected = {"QSZX": (2, 0, 4, 1, "urban"), "CGYX": (0, 1, 0, 1, "urban")}
    assert _cells() == expected
    rollup.run(now + rollup.OVERLAP * 2)  # looks back over the overlap: the same day again, same result
    assert _cells() == expected
    assert rollup.run(now + rollup.OVERLAP * 4) == []  # nothing new since
    rollup.rebuild(DAY, DAY)
    assert _cells() == expected


def test_a_reimported_offline_count_replaces_the_cell(used):
    rollup.run()
    credit_offline_plays(school=School.objects.get(code="QSZX"), lesson=used, day=DAY, plays=6)
    rollup.run(timezone.now())
    assert _cells()["QSZX"][2] == 6


def test_user_ids_are_dropped_after_retention_and_the_counts_stay(used, settings):
    settings.SUPERVISION_USER_RETENTION_DAYS = 30
    rollup.run()
    later = timezone.now() + datetime.timedelta(days=31)
    rollup.drop_user_ids(later)
    assert not UsageEvent.objects.filter(user__isnull=False).exists()
    rollup.rebuild(DAY, DAY)
    assert _cells() == {"QSZX": (2, 0, 4, 1, "urban"), "CGYX": (0, 1, 0, 1, "urban")}
