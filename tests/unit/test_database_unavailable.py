"""A database that cannot be reached: every page answers 503 「数据库暂时无法访问」, no traceback, no 500.

The failures are real: a PostgreSQL connection to a port nothing listens
on, made through Django's own backend, as the site meets it when
PostgreSQL is stopped. A query that is wrong stays a 500.
"""

import dj_database_url
import pytest
from django.db import OperationalError, connection
from django.db.utils import ConnectionHandler
from django.test import RequestFactory

from youke import errors, urls

GONE = "postgres://youke:youke@127.0.0.1:1/youke"


def _raised(action):
    try:
        action()
    except Exception:  # noqa: BLE001 - answered as Django's handler would, inside the except
        return errors.server_error(RequestFactory().get("/curriculum/"))
    raise AssertionError("expected an error")


def _connect_to_nothing():
    handler = ConnectionHandler({"default": dj_database_url.parse(GONE)})
    handler["default"].ensure_connection()


def test_the_site_uses_this_handler():
    assert urls.handler500 == "youke.errors.server_error"


@pytest.mark.django_db  # pytest-django refuses every connection, even to a database that is not there, without it
def test_an_unreachable_database_is_a_503_page():
    with pytest.raises(OperationalError) as caught:
        _connect_to_nothing()
    assert errors.database_unreachable(caught.value)
    response = _raised(_connect_to_nothing)
    text = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)
    assert "数据库暂时无法访问" in text and "稍后刷新" in text
    assert "Traceback" not in text and "127.0.0.1" not in text


@pytest.mark.django_db
def test_a_wrong_query_is_still_a_500():
    def wrong():
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table_here")

    response = _raised(wrong)
    assert response.status_code == 500
    assert "服务器出错了" in response.content.decode()


def test_other_errors_are_still_a_500():
    response = _raised(lambda: 1 / 0)
    assert response.status_code == 500
