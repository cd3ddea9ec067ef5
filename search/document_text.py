"""The text inside attached documents (PDF, DOCX, PPTX), for search.

Extraction is bounded and never raises: `search.extract` refuses a file
whose zip directory or page count promises too much, and parses the rest in
a child process under memory, CPU and wall-clock limits (settings
SEARCH_EXTRACT_*, see `search.extract.DEFAULTS`). A file that is refused,
killed or broken is logged with the reason and remembered as FAILED, so the
document stays indexed without its text and is not read again until its
file changes. The text and its search terms are kept in search.DocumentText
keyed by the document and its file hash, so indexing a page reads no file;
extraction runs in the Celery task `search.extract_document_text` when a
document is saved (and the retry beat job picks up any that were missed),
then re-indexes the pages that carry the document.
"""

import logging

from django.db.models import F, Q
from django.utils.html import format_html
from modelsearch.index import insert_or_update_object
from wagtail.documents import get_document_model

from core.chinese import index_terms
from resources.models import LessonPackagePage, PackagePart, ResourceFile, ResourcePage

from . import extract as bounded
from .highlight import snippet
from .models import DocumentText

logger = logging.getLogger(__name__)

# The defaults; the limits in force are the settings of the same name (SEARCH_EXTRACT_MAX_BYTES, ...).
MAX_BYTES = bounded.DEFAULTS["SEARCH_EXTRACT_MAX_BYTES"]
MAX_PARTS = bounded.DEFAULTS["SEARCH_EXTRACT_MAX_PARTS"]
MAX_CHARS = bounded.DEFAULTS["SEARCH_EXTRACT_MAX_CHARS"]
MAX_TERMS_PER_PAGE = 40_000  # characters of document terms indexed per lesson


def extract(document):
    """Extract (or reuse) the text of `document`; returns its DocumentText. Never raises."""
    file_hash = document.file_hash or ""
    cached = DocumentText.objects.filter(document=document).first()
    if cached and cached.file_hash == file_hash and file_hash:
        return cached
    extension = (document.file_extension or "").lower()
    status, text = DocumentText.Status.UNSUPPORTED, ""
    if extension in bounded.KINDS:
        limit = bounded.limits()
        try:
            with document.open_file() as handle:
                data = handle.read(limit["SEARCH_EXTRACT_MAX_BYTES"] + 1)
            outcome = bounded.extract_text(data, extension, limit)
        except Exception as exc:  # noqa: BLE001 - the file could not even be opened
            outcome = bounded.Outcome("", f"unreadable: {type(exc).__name__}: {exc}")
        text = outcome.text
        if outcome.reason:
            logger.warning("could not extract the text of document %s: %s", document.pk, outcome.reason)
            status = DocumentText.Status.FAILED
        else:
            status = DocumentText.Status.OK if text.strip() else DocumentText.Status.EMPTY
    row, _ = DocumentText.objects.update_or_create(
        document=document,
        defaults={"file_hash": file_hash, "status": status, "text": text, "terms": index_terms(text) if text else ""},
    )
    return row


def extract_and_reindex(document):
    """Extract `document`'s text and, when that worked, re-index the pages showing it; returns the row."""

    row = extract(document)
    if row.status == row.Status.OK:
        for page in pages_with(document.pk):
            insert_or_update_object(page)
    return row


def _document_ids(page):
    if hasattr(page, "parts"):
        return [part.document_id for part in page.parts.all() if part.document_id]
    if hasattr(page, "files"):
        return [item.document_id for item in page.files.all() if item.document_id]
    return []


def terms_for_page(page):
    """Search terms of the page's documents' text, from the cache only (never reads a file)."""
    ids = _document_ids(page)
    if not ids:
        return ""
    rows = DocumentText.objects.filter(document_id__in=ids, status=DocumentText.Status.OK).values_list(
        "terms", flat=True
    )
    return " ".join(rows)[:MAX_TERMS_PER_PAGE]


def pages_with(document_id):
    """Pages (specific) that carry the document, to be re-indexed once its text is known."""

    return [
        *LessonPackagePage.objects.filter(parts__document_id=document_id).distinct(),
        *ResourcePage.objects.filter(files__document_id=document_id).distinct(),
    ]


def _documents_of(pages):
    """{document id: page pk} for the pages' attached files, two queries whatever their number."""

    pks = [page.pk for page in pages]
    pairs = [
        *PackagePart.objects.filter(package_id__in=pks, document__isnull=False).values_list(
            "document_id", "package_id"
        ),
        *ResourceFile.objects.filter(resource_id__in=pks, document__isnull=False).values_list(
            "document_id", "resource_id"
        ),
    ]
    by_document = {}
    for document_id, page_pk in pairs:
        by_document.setdefault(document_id, page_pk)
    return by_document


def snippets(pages, terms):
    """{page pk: "《title》…text…"} for pages whose own text has none of the terms but a document does."""
    wanted = [page for page in pages if not _mentions(f"{page.title} {page.description}", terms)]
    if not wanted:
        return {}
    by_document = _documents_of(wanted)
    if not by_document:
        return {}
    found = {}
    rows = DocumentText.objects.filter(document_id__in=by_document, status=DocumentText.Status.OK).select_related(
        "document"
    )
    for row in rows:
        page_pk = by_document[row.document_id]
        if page_pk not in found and _mentions(row.text, terms):
            found[page_pk] = format_html("《{}》{}", row.document.title, snippet(row.text, terms))
    return found


def _mentions(text, terms):
    return any(term and term in text for term in terms)


def missing(limit):
    """Documents attached to a page that have no extracted text yet (or a replaced file)."""

    attached = Q(pk__in=PackagePart.objects.values("document_id")) | Q(
        pk__in=ResourceFile.objects.values("document_id")
    )
    stale = Q(search_text__isnull=True) | ~Q(search_text__file_hash=F("file_hash"))
    return get_document_model().objects.filter(attached).filter(stale).order_by("pk")[:limit]
