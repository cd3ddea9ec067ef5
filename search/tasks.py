"""Background jobs of search (default queue)."""

from celery import shared_task
from wagtail.documents import get_document_model

from . import document_text
from .retry import extract_missing, retry_failed


@shared_task(name="search.retry_index_updates", ignore_result=True)
def retry_index_updates():
    """Beat job: index again what the engine missed, extract text that was never extracted."""

    done, failed = retry_failed()
    return {"updated": done, "failing": failed, "documents": extract_missing()}


@shared_task(name="search.extract_document_text", ignore_result=True, soft_time_limit=120, time_limit=180)
def extract_document_text(document_id):
    """Read a saved document's text once, then re-index the pages that carry it. Idempotent."""

    document = get_document_model().objects.filter(pk=document_id).first()
    if document is None:
        return None
    return document_text.extract_and_reindex(document).status
