"""Building a bundle in the background (the admin page queues it; ids and plain values only)."""

import logging

from celery import shared_task
from django.conf import settings

from . import builder
from .selection import Selection

log = logging.getLogger(__name__)


@shared_task(name="bundles.build_bundle")
def build_bundle(selection):
    """Build the bundle of `selection` (Selection's fields) under BUNDLE_OUTPUT_DIR/<bundle id>; idempotent."""
    chosen = Selection(**selection)
    out = settings.BUNDLE_OUTPUT_DIR / chosen.bundle_id()
    manifest = builder.build(chosen, out, warn=log.warning)
    log.info("bundle %s version %s: %d lessons", manifest["bundle_id"], manifest["version"], len(manifest["lessons"]))
    return {"bundle_id": manifest["bundle_id"], "version": manifest["version"], "lessons": len(manifest["lessons"])}
