"""Search insights for the district: what teachers look for, and what they cannot find.

The log is anonymised at the source: no user id, session, address or exact
time is written - only a role bucket, the urban/rural kind of the user's
school, the normalised query, the result count, how it was answered and the
hour. One INSERT per search (a few hundred microseconds); a failure to log
never fails the search.
"""

import csv
import logging
import unicodedata
from datetime import timedelta

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import Avg, Count, Max, Q
from django.utils import timezone

from core.spreadsheets import Echo, inert
from sso.roles import roles_of

from .models import QueryLog

logger = logging.getLogger(__name__)

MAX_QUERY = 100
ROLE_SECONDS = 300
# Most specific first: a teacher who also reviews counts as a reviewer.
ROLE_ORDER = (
    ("district_admin", QueryLog.Role.ADMIN),
    ("district_reviewer", QueryLog.Role.REVIEWER),
    ("school_reviewer", QueryLog.Role.REVIEWER),
    ("trainer", QueryLog.Role.TRAINER),
    ("teacher", QueryLog.Role.TEACHER),
)


def normalise(query):
    """Full-width to half-width, lower case, single spaces, at most MAX_QUERY characters."""
    text = unicodedata.normalize("NFKC", query or "").lower()
    return " ".join(text.split())[:MAX_QUERY]


def role_of(user):
    """The user's role bucket and the urban/rural kind of their school, ("teacher", "rural").

    Remembered for a few minutes, so a search costs no groups or profile query.
    """
    if not (user and user.is_authenticated):
        return QueryLog.Role.ANONYMOUS, ""
    key = f"search:role:{user.pk}"
    known = cache.get(key)
    if known is None:
        if user.is_superuser:
            bucket = QueryLog.Role.ADMIN
        else:
            roles = roles_of(user)
            bucket = next((bucket for role, bucket in ROLE_ORDER if role in roles), QueryLog.Role.OTHER)
        profile = getattr(user, "sso_profile", None)
        school = getattr(profile, "school", None)
        known = (str(bucket), school.area if school else "")
        cache.set(key, known, ROLE_SECONDS)
    return known


def log(query, user, results, backend):
    text = normalise(query)
    if not text:
        return
    role, area = role_of(user)
    row = QueryLog(
        query=text,
        role=role,
        area=area,
        results=results,
        backend=backend,
        hour=timezone.now().replace(minute=0, second=0, microsecond=0),
    )
    try:
        if connection.in_atomic_block:
            with transaction.atomic():  # a savepoint: a failed INSERT must not break the caller's transaction
                row.save(force_insert=True)
        else:
            row.save(force_insert=True)  # one statement, autocommitted
    except DatabaseError:
        logger.exception("could not log a search")


PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365}


def period_start(days):
    return timezone.now() - timedelta(days=days)


def top_queries(since, limit=50, zero_only=False, role=None):
    """[{query, searches, zero (searches with no result), average results, last}] most searched first."""
    rows = QueryLog.objects.filter(hour__gte=since)
    if role:
        rows = rows.filter(role=role)
    if zero_only:
        rows = rows.filter(results=0)
    return list(
        rows.values("query")
        .annotate(
            searches=Count("pk"),
            zero=Count("pk", filter=Q(results=0)),
            average=Avg("results"),
            last=Max("hour"),
        )
        .order_by("-searches", "query")[:limit]
    )


def summary(since):
    rows = QueryLog.objects.filter(hour__gte=since)
    totals = rows.aggregate(searches=Count("pk"), zero=Count("pk", filter=Q(results=0)))
    totals["fallback"] = rows.filter(backend=QueryLog.Backend.FALLBACK).count()
    totals["by_role"] = dict(rows.values_list("role").annotate(n=Count("pk")).order_by())
    return totals


CSV_HEADER = ["检索词", "检索次数", "无结果次数", "平均结果数", "最近检索（小时）"]


def csv_rows(since, zero_only=False, limit=10_000):
    writer = csv.writer(Echo())
    yield "\ufeff"  # so that Excel opens the UTF-8 file as UTF-8
    yield writer.writerow(CSV_HEADER)
    for row in top_queries(since, limit=limit, zero_only=zero_only):
        # A query typed as =cmd(...) must stay text in a spreadsheet.
        query = inert(row["query"])
        last = timezone.localtime(row["last"]).strftime("%Y-%m-%d %H:00")
        yield writer.writerow([query, row["searches"], row["zero"], f"{row['average'] or 0:.1f}", last])
