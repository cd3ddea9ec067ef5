"""Record and clear failed index updates (kept apart so backends import no models at load time)."""

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction

from ..models import IndexFailure

logger = logging.getLogger(__name__)


def _key(obj):

    return ContentType.objects.get_for_model(type(obj)), str(obj.pk)


def record(obj, action):
    """Remember that `obj` is missing from (or stale in) the engine; the retry task catches up."""

    try:
        content_type, object_id = _key(obj)
        # A savepoint: a failed write here must not break the caller's transaction.
        with transaction.atomic():
            IndexFailure.note(content_type, object_id, action)
    except DatabaseError:
        logger.exception("could not record the failed index update of %r", obj)


def clear(obj):
    """The engine has `obj` as it is now: nothing left to retry."""

    if not IndexFailure.objects.exists():  # the usual case: one cheap query
        return
    content_type, object_id = _key(obj)
    IndexFailure.objects.filter(content_type=content_type, object_id=object_id).delete()
