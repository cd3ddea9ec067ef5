"""Fixtures shared by the search tests: each backend in turn, and an engine index without leftovers."""

import pytest
from django.test import override_settings

from tests.conftest import missing

DATABASE_ONLY = {"default": {"BACKEND": "wagtail.search.backends.database"},
                 "database": {"BACKEND": "wagtail.search.backends.database"}}  # fmt: skip


# The engine variant carries the service mark, so it is skipped before the test's other fixtures run.
@pytest.fixture(params=["database", pytest.param("engine", marks=pytest.mark.service("search"))])
def backend(request, settings):
    """The embedded default's database backend, then the real engine the site is configured with."""
    if request.param == "database":
        with override_settings(WAGTAILSEARCH_BACKENDS=DATABASE_ONLY):
            yield "database"
        return
    if not settings.WAGTAILSEARCH_BACKENDS["default"].get("URLS"):
        missing("no search engine configured (SEARCH_URL)")
    yield "engine"


@pytest.fixture(autouse=True)
def clear_engine(request, settings):
    """Pages are indexed as they are saved; rows an earlier test rolled back
    would stay in the engine and count in totals and facets (the page's
    results are read back from the database, so they could never show).
    Pure tests (no database) never touch the engine."""
    from wagtail.models import Page

    from search import backends

    if not request.node.get_closest_marker("django_db"):
        return
    if not settings.WAGTAILSEARCH_BACKENDS["default"].get("URLS"):
        return
    engine = backends.get("default")
    index = engine.get_index_for_model(Page)
    engine.es.delete_by_query(index=index.name, body={"query": {"match_all": {}}}, refresh=True, conflicts="proceed")


def refresh(backend):
    """Make what was just indexed searchable (the engine refreshes about once a second)."""
    if backend == "engine":
        from wagtail.models import Page

        from search import backends

        backends.get("default").get_index_for_model(Page).refresh()
