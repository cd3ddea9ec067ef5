"""Catching up on index updates the engine missed (search.IndexFailure).

Run by the Celery beat job `search.retry_index_updates` (every
SEARCH_RETRY_INTERVAL seconds, default queue) and by
`manage.py retry_index_updates`. Each recorded object is indexed again as it
is *now*: re-added if it is still indexable (published, say), deleted from
the index if it no longer is or no longer exists. A row is removed only
when every engine took the update; otherwise it stays for the next run.
"""

import logging

from modelsearch.backends import get_search_backends_with_name
from modelsearch.index import get_indexed_instance

from . import document_text
from .backends.base import ChineseBackendMixin
from .models import IndexFailure

logger = logging.getLogger(__name__)

BATCH = 500
DOCUMENTS_PER_RUN = 20


def _engines():
    return [backend for _, backend in get_search_backends_with_name(with_auto_update=True)
            if isinstance(backend, ChineseBackendMixin)]  # fmt: skip


def _apply(row, engines):
    model = row.content_type.model_class()
    if model is None:  # the model's app was removed: nothing to index any more
        return True
    obj = model._default_manager.filter(pk=row.object_id).first()
    indexed = get_indexed_instance(obj) if obj is not None else None
    for backend in engines:
        if indexed is not None:
            backend.add(indexed)
        else:
            backend.delete(obj if obj is not None else model(pk=row.object_id))
    return True


def retry_failed(limit=BATCH):
    """Push each recorded failure again; returns (caught up, still failing)."""
    engines = _engines()
    done = failed = 0
    for row in IndexFailure.objects.select_related("content_type").order_by("last_failed_at")[:limit]:
        try:
            _apply(row, engines)
        except Exception:  # the engine is still down: keep the row, try the next run
            failed += 1
            logger.warning("index update of %s failed again", row, exc_info=True)
            continue
        IndexFailure.objects.filter(pk=row.pk).delete()
        done += 1
    if done or failed:
        logger.info("index catch-up: %s updated, %s still failing", done, failed)
    return done, failed


def extract_missing(limit=DOCUMENTS_PER_RUN):
    """Extract the text of documents whose extraction never ran (broker down at upload); re-index their pages."""
    count = 0
    for document in document_text.missing(limit):
        document_text.extract_and_reindex(document)
        count += 1
    return count
