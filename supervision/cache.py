"""The supervision pages' tables, cached until what they are computed from changes.

Every figure rests on data that moves in steps: the roll-ups (a beat job),
the imports (commands run by an admin), the schools and their pairs. Those
steps call `changed()`, which starts a new generation: every cached table of
the old one is never read again. What moves between the steps (a package
submitted, an hour of training credited) is at most SUPERVISION_CACHE_SECONDS
old. After a roll-up that changed something, `warm()` renders the district's
unfiltered pages, so a supervisor's first click does not pay for 2 million
uses. SUPERVISION_CACHE_SECONDS=0 turns it off (the tests do, except the
tests of this module).
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from resources.models import School

from .access import Scope
from .filters import Filters
from .models import SchoolPair, SchoolYearStats

GENERATION = "supervision:generation"


def _seconds():
    return getattr(settings, "SUPERVISION_CACHE_SECONDS", 300)


def generation():
    value = cache.get(GENERATION)
    if value is None:
        cache.add(GENERATION, uuid.uuid4().hex, None)  # add: two first requests agree on one generation
        value = cache.get(GENERATION, "")
    return value


def changed():
    """What the pages are computed from changed: nothing cached before is read again."""
    cache.set(GENERATION, uuid.uuid4().hex, None)


def tables(page, filters, scope, build):
    """build(filters, scope), from the cache when this page was built for them in this generation."""
    seconds = _seconds()
    if not seconds:
        return build(filters, scope)
    digest = hashlib.sha256(repr((page, filters, scope)).encode()).hexdigest()[:32]
    key = f"supervision:{generation()}:{digest}"
    built = cache.get(key)
    if built is None:
        built = build(filters, scope)
        cache.set(key, built, seconds)
    return built


def warm(pages, year):
    """Build the district-wide pages of `year`, unfiltered and per urban/rural, into the cache."""
    if not _seconds():
        return 0
    scope = Scope()
    built = 0
    for page, build in pages:
        for area in ("", School.Area.URBAN, School.Area.RURAL):
            tables(page, Filters.for_year(year, area=area), scope, build)
            built += 1
    return built


@receiver(post_save, sender=School)
@receiver(post_delete, sender=School)
@receiver(post_save, sender=SchoolPair)
@receiver(post_delete, sender=SchoolPair)
@receiver(post_save, sender=SchoolYearStats)
@receiver(post_delete, sender=SchoolYearStats)
def _school_changed(**kwargs):
    changed()
