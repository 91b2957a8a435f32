"""Bulk writing of event rows: a streamed ``COPY`` on PostgreSQL, ``executemany`` elsewhere.

Rows are lists in :data:`dnscert.intel.rows.COLUMNS` order. Both paths skip model instances
entirely. On PostgreSQL a batch is formatted as COPY text in one pass and sent by a
background thread: :func:`start_write` returns at once with a :class:`PendingWrite`, and the
server loads the batch while this process prepares the next one. The COPY text itself is made
by :mod:`dnscert.intel.copytext`, most of it before attribution, often in worker processes.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from typing import Any

from django.db import connection

from dnscert.intel import rows as R
from dnscert.intel.copytext import COPY_ORDER, copy_lines
from dnscert.intel.models import Event

_DATETIME_COLUMNS = (R.TIME, R.OBSERVED, R.DOMAIN_CREATED)


class PendingWrite:
    """A batch on its way into the event table; :meth:`finish` waits until it is in.

    The COPY runs in its own thread on this connection's psycopg cursor, holding the
    connection's lock: anything else that uses the connection meanwhile waits for it rather
    than interleaving with it.
    """

    def __init__(self, cursor: Any = None, statement: str = "", data: bytes = b"") -> None:
        self._cursor = cursor
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if cursor is not None:
            self._thread = threading.Thread(
                target=self._copy, args=(statement, data), name="event-copy", daemon=True
            )
            self._thread.start()

    def _copy(self, statement: str, data: bytes) -> None:
        try:
            with self._cursor.cursor.copy(statement) as copy:
                copy.write(data)
        except BaseException as exc:  # handed to the caller by finish()
            self._error = exc

    def finish(self) -> None:
        """Wait for the server to take the whole batch; raises what the server reported."""
        thread, cursor = self._thread, self._cursor
        self._thread = self._cursor = None
        if thread is not None:
            thread.join()
        if cursor is not None:
            cursor.close()
        if self._error is not None:
            error, self._error = self._error, None
            with connection.wrap_database_errors:  # as Django's own queries raise them
                raise error

    def abort(self) -> None:
        """Wait for the batch to end without raising (the caller rolls the transaction back)."""
        with contextlib.suppress(Exception):  # the caller is handling what made it abort
            self.finish()


def start_write(batch: Sequence[list[Any]]) -> PendingWrite:
    """Start inserting ``batch`` (rows, or rows :func:`~copytext.prepared` for COPY).

    On PostgreSQL the rows stream in the background until :meth:`PendingWrite.finish`; the
    connection must not be used for anything else meanwhile. Elsewhere they are written now.
    """
    if not batch:
        return PendingWrite()
    if connection.vendor != "postgresql":
        _insert(batch)
        return PendingWrite()
    return PendingWrite(connection.cursor(), copy_statement(), copy_data(batch))


def copy_statement() -> str:
    """The ``COPY ... FROM STDIN`` statement of the event table, columns in COPY order."""
    table = connection.ops.quote_name(Event._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(R.COLUMNS[i]) for i in COPY_ORDER)
    return f"COPY {table} ({columns}) FROM STDIN"


def copy_data(batch: Sequence[list[Any]]) -> bytes:
    """The COPY text of ``batch``, encoded."""
    return copy_lines(batch).encode("utf-8", "replace")


def uses_copy() -> bool:
    """True when batches go in by COPY (and rows are worth :func:`~copytext.prepared` early)."""
    return connection.vendor == "postgresql"


def _insert(batch: Sequence[list[Any]]) -> None:
    table = connection.ops.quote_name(Event._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in R.COLUMNS)
    marks = ", ".join(["%s"] * len(R.COLUMNS))
    adapt = connection.ops.adapt_datetimefield_value
    prepared = []
    for row in batch:
        values = list(row[: len(R.COLUMNS)])
        for index in _DATETIME_COLUMNS:
            if values[index] is not None:
                values[index] = adapt(values[index])
        prepared.append(values)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", prepared)
