"""Versioned caches: what search keeps between requests, and what makes it stale.

Two version tokens live in the shared cache: the vocabulary's (taxonomy rows
and schools; aliases and facet labels are built from them) and the library's
(any lesson or resource; cached answers depend on it). Saving one of those
models renews the token (the receivers are connected in search.apps), so an
edit in the admin is seen at the next search without a restart, and a
cached value is never invalidated one key at a time.
"""

import uuid

from django.core.cache import cache

VERSION_KEY = "search:vocabulary-version"
LIBRARY_KEY = "search:library-version"
SCHEMA = 2  # bumped when the shape of a cached value changes, so a deployment never reads an old one
CACHE_SECONDS = 24 * 3600

_local = {}  # per process: {name: (version, value)}


def _token(key):
    value = cache.get(key)
    if value is None:
        cache.add(key, uuid.uuid4().hex, None)
        value = cache.get(key) or uuid.uuid4().hex  # no cache at all: never reuse
    return value


def _renew(key):
    cache.set(key, uuid.uuid4().hex, None)


def version():
    """A token that changes whenever the vocabulary does (random, so it never repeats)."""
    return _token(VERSION_KEY)


def bump(**_kwargs):
    """Signal receiver: the taxonomy or the schools changed."""
    _renew(VERSION_KEY)


def library_version():
    """A token that changes whenever a lesson or resource is saved or deleted (cached answers expire)."""
    return _token(LIBRARY_KEY)


def library_changed(**_kwargs):
    """Signal receiver: a page was saved, published, unpublished or deleted."""
    _renew(LIBRARY_KEY)


def cached(name, build):
    """`build()`, cached per process and in the shared cache until the vocabulary changes."""
    current = version()
    hit = _local.get(name)
    if hit and hit[0] == current:
        return hit[1]
    key = f"search:{name}:{SCHEMA}:{current}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, CACHE_SECONDS)
    _local[name] = (current, value)
    return value
