"""DailyUsage into the month roll-up (MonthlyUsage) the sharing panel reads for whole months.

A month is always recomputed whole from its DailyUsage rows, so it is idempotent
and can be rebuilt from the daily table at any time; supervision.rollup rebuilds
each month one of whose days it rebuilt. The lesson's section and subject are
copied as they are when the month is rebuilt (a lesson moved to another subject
later keeps its old subject in past months until `rebuild` is run for them).
"""

import datetime

from django.db import transaction
from django.db.models import Max, Sum

from . import cache
from .models import DailyUsage, MonthlyUsage

KEYS = {
    "consumer_school_id": "consumer_school_id",
    "consumer_area": "consumer_area",
    "producer_school_id": "producer_school_id",
    "producer_area": "producer_area",
    "lesson__stage__code": "section",
    "lesson__subject_id": "subject_id",
    "lesson__subject__parent_id": "subject_parent_id",
}


def first_of(day):
    return day.replace(day=1)


def next_month(month):
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def rebuild_month(month):
    """Recompute one month (its first day) from DailyUsage; returns the rows written."""
    month = first_of(month)
    grouped = (
        DailyUsage.objects.filter(day__gte=month, day__lt=next_month(month))
        .values(*KEYS)
        .annotate(
            sum_plays=Sum("plays"),
            sum_downloads=Sum("downloads"),
            sum_documents=Sum("documents"),
            sum_offline=Sum("offline_plays"),
            max_teachers=Max("teachers"),
        )
        .order_by()
    )
    cells = [
        MonthlyUsage(
            month=month,
            **{field: row[key] for key, field in KEYS.items()} | {"section": row["lesson__stage__code"] or ""},
            plays=row["sum_plays"],
            downloads=row["sum_downloads"],
            documents=row["sum_documents"],
            offline_plays=row["sum_offline"],
            teachers=row["max_teachers"],
        )
        for row in grouped.iterator(chunk_size=5000)
    ]
    with transaction.atomic():
        MonthlyUsage.objects.filter(month=month).delete()
        MonthlyUsage.objects.bulk_create(cells, batch_size=2000)
    cache.changed()
    return len(cells)


def rebuild_months_of(days):
    """Rebuild every month one of `days` falls in; returns those months."""
    months = sorted({first_of(day) for day in days})
    for month in months:
        rebuild_month(month)
    return months


def rebuild(start, end):
    """Recompute every month from the one of `start` to the one of `end` from DailyUsage."""
    month = first_of(start)
    while month <= end:
        rebuild_month(month)
        month = next_month(month)


def whole_months(start, end):
    """(first whole month, last whole month) within start..end, or None when no month is whole."""
    first = start if start.day == 1 else next_month(first_of(start))
    last = first_of(end) if next_month(first_of(end)) - datetime.timedelta(days=1) == end else None
    if last is None:
        last = first_of(first_of(end) - datetime.timedelta(days=1))
    return (first, last) if first <= last else None
