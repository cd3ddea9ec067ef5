"""Wagtail's database backend, with quotes in a query kept as text on SQLite.

modelsearch's SQLite backend wraps each word of a query in FTS5's double
quotes without doubling the quotes inside it, so a search for `"` (or
`a"b`) is an FTS5 syntax error and the page a 500. Everywhere else this is
`modelsearch.backends.database` unchanged.
"""

from modelsearch.backends.database import SearchBackend as _database_backend
from modelsearch.query import PlainText


def _escaped(query):
    # FTS5 strings escape a double quote by doubling it.
    if isinstance(query, PlainText):
        return PlainText(query.query_string.replace('"', '""'), operator=query.operator, boost=query.boost)
    return query


def SearchBackend(params):  # the name modelsearch looks up in a backend module
    backend = _database_backend(params)
    if type(backend).__module__.rpartition(".")[2] != "sqlite":
        # Only the SQLite backend needs it; its module cannot even be imported on PostgreSQL
        # (it looks up a model that exists only with an SQLite database).
        return backend
    from modelsearch.backends.database.sqlite import sqlite

    if isinstance(backend, sqlite.SQLiteSearchBackend):
        backend.query_compiler_class = _compiler(sqlite.SQLiteSearchQueryCompiler)
        backend.autocomplete_query_compiler_class = _compiler(sqlite.SQLiteAutocompleteQueryCompiler)
    return backend


_compilers = {}


def _compiler(base):
    if base not in _compilers:

        def build_search_query_content(self, query, config=None):
            return base.build_search_query_content(self, _escaped(query), config=config)

        _compilers[base] = type(
            f"Quoted{base.__name__}", (base,), {"build_search_query_content": build_search_query_content}
        )
    return _compilers[base]
