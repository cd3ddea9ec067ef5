"""Recording qualifying uses of a lesson (the public entry points other apps call).

- record_online_use: a qualifying play, small-video download or document
  opened/downloaded by a signed-in user, credited to the user's school from
  the SSO profile (never an IP address; none is stored);
- credit_offline_plays: plays a school's offline bundle reported for a lesson
  and day, replacing what an earlier import of the same file said.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from resources.models import School
from sso.roles import school_of

from .models import OfflinePlayCount, SchoolAreaChange, UsageEvent, UsageKind

ONLINE_KINDS = (UsageKind.PLAY, UsageKind.VIDEO_DOWNLOAD, UsageKind.DOCUMENT)


def area_on(school, day):
    """The urban/rural class `school` had on `day`: its last recorded change by then, else its class now."""
    if school is None:
        return ""
    change = SchoolAreaChange.objects.filter(school=school, since__lte=day).order_by("-since").first()
    return change.area if change else school.area


def _school(school_id):
    return School.objects.filter(pk=school_id).first() if school_id else None


def record_online_use(*, user, lesson, kind, when=None):
    """Record one qualifying use; return whether it counted (False: a repeat within the hour, or no school).

    A user with no school in the SSO profile (district staff, unknown) consumes
    for no school, so nothing is recorded: a use is a school's use.
    """
    if kind not in ONLINE_KINDS:
        raise ValueError(f"not an online use: {kind}")
    consumer = _school(school_of(user))
    if consumer is None:
        return False
    when = timezone.localtime(when or timezone.now())
    day = when.date()
    producer = getattr(lesson, "school", None)
    try:
        with transaction.atomic():
            UsageEvent.objects.create(
                kind=kind,
                user=user,
                lesson_id=lesson.pk,
                consumer_school=consumer,
                consumer_area=area_on(consumer, day),
                producer_school=producer,
                producer_area=area_on(producer, day),
                day=day,
                hour=when.replace(minute=0, second=0, microsecond=0),
            )
    except IntegrityError:  # the same user, lesson and kind within this hour: counted once
        return False
    return True


def credit_offline_plays(*, school, lesson, day, plays, source="bundle"):
    """Set the offline plays of `lesson` at `school` on `day` to `plays`: idempotent per (school, lesson, day, source).

    A re-import of the same usage file replaces the count rather than adding
    to it; the roll-up picks the change up on its next run.
    """
    if not isinstance(day, datetime.date):
        raise TypeError("day must be a date")
    plays = int(plays)
    if plays < 0:
        raise ValueError("plays must not be negative")
    OfflinePlayCount.objects.update_or_create(
        school=school, lesson_id=lesson.pk, day=day, source=source, defaults={"plays": plays}
    )
