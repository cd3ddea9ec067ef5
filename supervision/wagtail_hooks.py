from wagtail import hooks

from . import documents


@hooks.register("before_serve_document")
def count_document_use(document, request):
    """A lesson's file opened or downloaded is a use of the lesson (only when the file is served at all)."""
    documents.record_download(document, request.user)
