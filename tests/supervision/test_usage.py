"""Recording uses: once per user, lesson and hour; offline plays replaced on re-import; area as of the day."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from resources.models import School
from supervision.models import OfflinePlayCount, SchoolAreaChange, UsageEvent, UsageKind
from supervision.usage import area_on, credit_offline_plays, record_online_use
from tests.resources.helpers import package

pytestmark = pytest.mark.django_db


@pytest.fixture
def urban_lesson(library):
    return package("认识分数", school_code="CGYX", parts=False)


def _at(hour, minute=0):
    return timezone.make_aware(datetime.datetime(2026, 3, 2, hour, minute))


def test_a_rural_teachers_plays_of_an_urban_lesson_count_once_per_hour(urban_lesson):
    rural_teacher = get_user_model().objects.get(username="teacher2")  # 青山乡中心小学
    assert record_online_use(user=rural_teacher, lesson=urban_lesson, kind=UsageKind.PLAY, when=_at(9, 5))
    assert not record_online_use(user=rural_teacher, lesson=urban_lesson, kind=UsageKind.PLAY, when=_at(9, 55))
    assert record_online_use(user=rural_teacher, lesson=urban_lesson, kind=UsageKind.PLAY, when=_at(10, 1))
    events = UsageEvent.objects.order_by("hour")
    assert events.count() == 2
    event = events.first()
    assert (event.consumer_school.code, event.consumer_area) == ("QSZX", "rural")
    assert (event.producer_school.code, event.producer_area) == ("CGYX", "urban")


def test_a_user_without_a_school_records_nothing(urban_lesson):
    admin = get_user_model().objects.get(username="district_admin1")
    assert not record_online_use(user=admin, lesson=urban_lesson, kind=UsageKind.DOCUMENT)
    assert not UsageEvent.objects.exists()


def test_offline_plays_are_replaced_not_added_on_reimport(urban_lesson):
    school = School.objects.get(code="QSCZ")
    day = datetime.date(2026, 3, 2)
    credit_offline_plays(school=school, lesson=urban_lesson, day=day, plays=7)
    credit_offline_plays(school=school, lesson=urban_lesson, day=day, plays=7)
    credit_offline_plays(school=school, lesson=urban_lesson, day=day, plays=9)
    assert list(OfflinePlayCount.objects.values_list("plays", flat=True)) == [9]


def test_the_class_of_a_school_is_the_one_it_had_that_day(demo_site):
    school = School.objects.get(code="HXZX")  # rural now, urban until 2026-09-01 in this story
    SchoolAreaChange.objects.create(school=school, area="urban", since=datetime.date(2020, 1, 1))
    SchoolAreaChange.objects.create(school=school, area="rural", since=datetime.date(2026, 9, 1))
    assert area_on(school, datetime.date(2026, 3, 1)) == "urban"
    assert area_on(school, datetime.date(2026, 9, 1)) == "rural"
    assert area_on(school, datetime.date(2019, 1, 1)) == "rural"  # before any record: its class now
