"""The embedded default's SQLite, shared by the site and its workers, queues writers instead of failing them.

A transaction that reads and then writes while another connection commits a
write in between is what the site and its Celery workers do all the time
(a progress update beside a chunk upload's `touch`). Under a plain deferred
BEGIN the second writer fails at once with "database is locked", whatever the
timeout; with the options `services.database` gives, it waits its turn.
"""

import threading
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connections, transaction
from django.db.utils import ConnectionHandler

from youke.settings import services

SETUP = "CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY, value INTEGER)"


@contextmanager
def two_connections(tmp_path, monkeypatch, deferred=False):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = services.database(tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    if deferred:  # the options before the fix: WAL and a timeout, but a plain BEGIN
        config["OPTIONS"] = {k: v for k, v in config["OPTIONS"].items() if k != "transaction_mode"}
    # Two more aliases beside the test database, so that Django's own atomic() (which
    # issues the BEGIN the options choose) runs on them.
    filled = ConnectionHandler({"default": dict(config), "other": dict(config)}).settings
    monkeypatch.setitem(connections.settings, "reader", filled["default"])
    monkeypatch.setitem(connections.settings, "other", filled["other"])
    with connections["reader"].cursor() as cursor:
        cursor.execute(SETUP)
        cursor.execute("INSERT INTO counter (id, value) VALUES (1, 0)")
    yield connections
    connections["reader"].close()
    del connections["reader"]  # the next test has a file of its own


def read_then_write_while_another_writes(handler):
    """`reader` reads, `other` (a thread) writes meanwhile, then `reader` writes; returns the error, if any."""
    reader = handler["reader"]
    other_done, failure = threading.Event(), []

    def write_from_other_connection():
        other = handler["other"]  # Django's connections are per thread: this thread's own
        try:
            with transaction.atomic(using="other"), other.cursor() as cursor:
                cursor.execute("UPDATE counter SET value = value + 10 WHERE id = 1")
        finally:
            other.close()
            other_done.set()

    try:
        with transaction.atomic(using="reader"), reader.cursor() as cursor:
            cursor.execute("SELECT value FROM counter WHERE id = 1")
            writer = threading.Thread(target=write_from_other_connection)
            writer.start()
            # Deferred: the other write commits now. Immediate: it waits for our
            # commit, so do not wait for it (that would deadlock) beyond a moment.
            other_done.wait(2)
            cursor.execute("UPDATE counter SET value = value + 1 WHERE id = 1")
    except OperationalError as error:
        failure.append(error)
    writer.join(30)
    with reader.cursor() as cursor:
        cursor.execute("SELECT value FROM counter WHERE id = 1")
        value = cursor.fetchone()[0]
    reader.close()
    return failure, value


def test_deferred_transactions_fail_at_once_with_database_is_locked(tmp_path, monkeypatch):
    """The old options: the reader's write fails although the other write was long over."""
    with two_connections(tmp_path, monkeypatch, deferred=True) as handler:
        failure, value = read_then_write_while_another_writes(handler)
    assert failure and "database is locked" in str(failure[0])
    assert value == 10, "only the other connection's write landed"


def test_immediate_transactions_wait_their_turn(tmp_path, monkeypatch):
    """services.database's options: both writes land, one after the other."""
    with two_connections(tmp_path, monkeypatch) as handler:
        failure, value = read_then_write_while_another_writes(handler)
    assert not failure, failure
    assert value == 11


@pytest.fixture(autouse=True)
def _temporary_file_only(django_db_blocker):
    """Connections to a temporary SQLite file: no test database, no service."""
    with django_db_blocker.unblock():
        yield
