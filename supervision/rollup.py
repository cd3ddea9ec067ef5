"""Usage events into the school x day x lesson roll-up (DailyUsage), and its months (supervision.monthly).

Each run rebuilds whole days: every day touched by an event or offline count
written since the last run's watermark is recomputed from the raw rows, so
running twice changes nothing and `rebuild()` recomputes any range from
scratch. A day whose events have already lost their user ids keeps the
teacher counts its roll-up had (they cannot be recounted; nothing else is lost).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from resources.models import LessonPackagePage, School

from . import monthly
from .models import DailyUsage, OfflinePlayCount, RollupState, UsageEvent, UsageKind
from .usage import area_on

STATE_KEY = "daily_usage"
# Rows written in a transaction still open at the last run carry an earlier timestamp than
# its watermark; looking back this far catches them (re-rolling a day is harmless).
OVERLAP = datetime.timedelta(minutes=10)


def _rebuild_day(day):
    previous = {(row.lesson_id, row.consumer_school_id): row.teachers for row in DailyUsage.objects.filter(day=day)}
    cells = {}
    events = (
        UsageEvent.objects.filter(day=day, consumer_school__isnull=False)
        .values("lesson_id", "consumer_school_id", "consumer_area", "producer_school_id", "producer_area")
        .annotate(
            plays=Count("id", filter=Q(kind=UsageKind.PLAY)),
            downloads=Count("id", filter=Q(kind=UsageKind.VIDEO_DOWNLOAD)),
            documents=Count("id", filter=Q(kind=UsageKind.DOCUMENT)),
            teachers=Count("user_id", distinct=True),
        )
    )
    for row in events:
        key = (row["lesson_id"], row["consumer_school_id"])
        cell = cells.setdefault(key, DailyUsage(day=day, lesson_id=key[0], consumer_school_id=key[1]))
        cell.consumer_area, cell.producer_area = row["consumer_area"], row["producer_area"]
        cell.producer_school_id = row["producer_school_id"]
        cell.plays += row["plays"]
        cell.downloads += row["downloads"]
        cell.documents += row["documents"]
        cell.teachers += row["teachers"]
    offline = list(OfflinePlayCount.objects.filter(day=day, plays__gt=0).select_related("school"))
    producers = dict(
        LessonPackagePage.objects.filter(pk__in={item.lesson_id for item in offline}).values_list("pk", "school_id")
    )
    schools = {}
    for item in offline:
        key = (item.lesson_id, item.school_id)
        cell = cells.get(key)
        if cell is None:
            producer_id = producers.get(item.lesson_id)
            if producer_id and producer_id not in schools:
                schools[producer_id] = School.objects.get(pk=producer_id)
            cell = cells[key] = DailyUsage(
                day=day,
                lesson_id=key[0],
                consumer_school_id=key[1],
                consumer_area=area_on(item.school, day),
                producer_school_id=producer_id,
                producer_area=area_on(schools.get(producer_id), day),
            )
        cell.offline_plays += item.plays
    for key, cell in cells.items():
        cell.teachers = max(cell.teachers, previous.get(key, 0))
    with transaction.atomic():
        DailyUsage.objects.filter(day=day).delete()
        DailyUsage.objects.bulk_create(cells.values(), batch_size=1000)
    return len(cells)


def run(now=None):
    """Roll up what changed since the last run; then drop user ids past retention. Returns the days rebuilt."""
    now = now or timezone.now()
    state, _ = RollupState.objects.get_or_create(key=STATE_KEY)
    events = UsageEvent.objects.filter(created_at__lte=now)
    offline = OfflinePlayCount.objects.filter(updated_at__lte=now)
    if state.events_until:
        events = events.filter(created_at__gt=state.events_until - OVERLAP)
    if state.offline_until:
        offline = offline.filter(updated_at__gt=state.offline_until - OVERLAP)
    days = set(events.values_list("day", flat=True).distinct()) | set(offline.values_list("day", flat=True).distinct())
    for day in sorted(days):
        _rebuild_day(day)
    monthly.rebuild_months_of(days)
    state.events_until = state.offline_until = now
    state.save()
    drop_user_ids(now)
    return sorted(days)


def rebuild(start, end):
    """Recompute every day from `start` to `end` (inclusive) from the raw rows, then their months."""
    day = start
    while day <= end:
        _rebuild_day(day)
        day += datetime.timedelta(days=1)
    monthly.rebuild(start, end)


def drop_user_ids(now=None):
    """Forget who made the events older than the retention window (their days are rolled up first)."""
    now = now or timezone.now()
    cutoff = timezone.localtime(now).date() - datetime.timedelta(days=settings.SUPERVISION_USER_RETENTION_DAYS)
    old = UsageEvent.objects.filter(day__lt=cutoff, user__isnull=False)
    days = sorted(set(old.values_list("day", flat=True).distinct()))
    for day in days:
        _rebuild_day(day)
    monthly.rebuild_months_of(days)
    return old.update(user=None)
