"""Wagtail search backends with Chinese analysis and recorded index failures.

`youke/settings/services.py` points WAGTAILSEARCH_BACKENDS at
`search.backends.opensearch` or `search.backends.elasticsearch`; each is
modelsearch's backend of that engine plus `base.ChineseBackendMixin`.
"""

import threading

from django.conf import settings

_cache = {}
_lock = threading.Lock()


def get(name="default"):
    """The configured backend `name`, built once per process and configuration.

    modelsearch's get_search_backend() builds a new backend, and so a new
    HTTP client with an empty connection pool, at every call; a search
    request should reuse the connections of the last one.
    """
    from modelsearch.backends import get_search_backend

    key = (name, repr(settings.WAGTAILSEARCH_BACKENDS.get(name)))
    backend = _cache.get(key)
    if backend is None:
        with _lock:
            backend = _cache.get(key) or get_search_backend(name)
            _cache[key] = backend
    return backend
