"""The 500 handler: a database that cannot be reached is a 503 page saying so, not a server error.

While PostgreSQL restarts every page that reads it fails; an answer of
「服务器出错了」 for each would look like a broken site (and a 500 storm to the
monitoring), when it is a pause that ends by itself. Django calls the 500
handler inside its `except`, so the exception is still at hand here. The
page renders without the request: its context processors would read the
session, from the database that is away.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as default_server_error

# How long browsers and proxies are asked to wait; a restart takes seconds.
RETRY_AFTER_SECONDS = 30
# PostgreSQL error classes that mean "no server to talk to": connection
# exceptions (08…) and the server shutting down or starting up (57P01–57P03).
UNREACHABLE_SQLSTATES = ("08", "57P")


def database_unreachable(exc):
    """True for an error that means the database is away, not that a query is wrong.

    A connection refused or dropped has no SQLSTATE (psycopg) or a class 08/57P
    one; an OperationalError about the query itself (a missing table, a
    deadlock) stays a 500, so that a real bug is not hidden as an outage.
    """
    if isinstance(exc, InterfaceError):  # "connection already closed"
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if cause is None or not hasattr(cause, "sqlstate"):
        return False  # not psycopg (SQLite: locked or missing file is a local matter, not an outage)
    return cause.sqlstate is None or cause.sqlstate.startswith(UNREACHABLE_SQLSTATES)


def database_unavailable():
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@requires_csrf_token
def server_error(request, template_name="500.html"):
    if database_unreachable(sys.exc_info()[1]):
        return database_unavailable()
    return default_server_error(request, template_name)
