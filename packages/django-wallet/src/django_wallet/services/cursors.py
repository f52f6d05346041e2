"""The wallet's one server-binding cursor: postings, charge sales and batches run their statements through it.

Its parameters are bound by PostgreSQL (``%b`` sends them in binary, without quoting in Python). Where the site
allows prepared statements on its connections (psycopg's ``prepare_threshold`` set, e.g.
``DATABASES["default"]["OPTIONS"]["prepare_threshold"]``; Django's default is none, a transaction-pooling proxy
may not keep them), each statement is prepared at its first run on the connection: PostgreSQL parses, analyses
and plans it once per connection (again by itself when search_path changes).

A prepared statement keeps its result type for the connection's life: every statement run here names its
columns (no ``SELECT *``), and a function it calls never changes its result in place (a new function instead).
"""
from __future__ import annotations

import psycopg
from django.db import connection


class PreparedCursor(psycopg.Cursor):
    """Server-side binding, each statement prepared at its first run where the connection allows it (Django's
    cursor wrapper calls execute() without psycopg's ``prepare``; with ``prepare_threshold`` None psycopg
    prepares nothing)."""

    def execute(self, query, params=None, **kwargs):
        kwargs.setdefault("prepare", True)
        return super().execute(query, params, **kwargs)

    def _send_query_prepared(self, name, pgq, **kwargs):
        # psycopg keeps the statement it ran in _query except for a prepared one's run; Django's query log
        # (connection.queries, CaptureQueriesContext) reads it from there. Private API: the wallet pins
        # psycopg below its next minor release, and tests/test_cursors.py fails if the log loses the SQL.
        self._query = pgq
        return super()._send_query_prepared(name, pgq, **kwargs)


def prepares() -> bool:
    """Whether the current connection allows prepared statements (call with it open)."""
    return getattr(connection.connection, "prepare_threshold", None) is not None


def server_cursor():
    """A ``PreparedCursor`` on the current connection, wrapped as Django wraps its own cursors: thread check,
    query logging, execute wrappers, error translation.

    Call inside a ``connection.cursor()`` block, so the connection is open and a multi-tenant backend has set
    the search path first.
    """
    connection.validate_thread_sharing()
    raw = PreparedCursor(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
