"""Beat jobs of supervision."""

from celery import shared_task
from django.utils import timezone

from . import cache, rollup


@shared_task(name="supervision.rollup_usage")
def rollup_usage():
    """The incremental roll-up and the retention of user ids (supervision.rollup.run), then the cache warmed."""
    days = rollup.run()
    if days:
        from .views import BUILDS  # the pages' own builders, so the warmed tables are the ones they read

        cache.warm(BUILDS.items(), timezone.localdate().year)
    return [day.isoformat() for day in days]
