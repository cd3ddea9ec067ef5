"""What the search app adds to a library page's index entry.

A lesson's attached documents are read by the search app (it extracts their
text in the background), which sits above resources: resources may not
import it. So the page asks this hook, and search's AppConfig.ready()
registers the one function that answers.
"""

_document_terms = None


def provide_document_terms(function):
    """Register `function(page) -> str`, the search terms of the page's documents' text."""
    global _document_terms
    _document_terms = function


def document_terms(page):
    """The page's document terms, or "" while no search app has registered (e.g. in a migration)."""
    return _document_terms(page) if _document_terms is not None else ""
