"""Beat jobs of supervision."""

from celery import shared_task

from . import rollup


@shared_task(name="supervision.rollup_usage")
def rollup_usage():
    """The incremental roll-up and the retention of user ids (supervision.rollup.run)."""
    return [day.isoformat() for day in rollup.run()]
