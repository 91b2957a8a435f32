"""Bulk writing of event rows: a streamed ``COPY`` on PostgreSQL, ``executemany`` elsewhere.

Rows are lists in :data:`dnscert.intel.rows.COLUMNS` order. Both paths skip model instances
entirely. On PostgreSQL a batch is formatted as COPY text in one pass and sent by a
background thread: :func:`start_write` returns at once with a :class:`PendingWrite`, and the
server loads the batch while this process prepares the next one. The COPY column list puts
the columns that attribution fills last, so the rest of a row can be formatted
(:func:`copy_base`) before attribution has run.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from typing import Any

from django.db import connection

from dnscert.intel import rows as R
from dnscert.intel.models import Event

_DATETIME_COLUMNS = (R.TIME, R.OBSERVED, R.DOMAIN_CREATED)
_ATTRIBUTION_COLUMNS = (
    R.REGISTRAR_NAME,
    R.REGISTRAR_IANA_ID,
    R.REGISTRAR_ORG,
    R.REGISTRY_ORG,
    R.DOMAIN_CREATED,
)
#: Indexes of :data:`~dnscert.intel.rows.COLUMNS` in the order the COPY statement names them.
COPY_ORDER = tuple(i for i in range(len(R.COLUMNS)) if i not in _ATTRIBUTION_COLUMNS) + (
    _ATTRIBUTION_COLUMNS
)


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


def write_events(batch: Sequence[list[Any]]) -> int:
    """Insert ``batch`` into the event table and wait; the number of rows written."""
    start_write(batch).finish()
    return len(batch)


def start_write(batch: Sequence[list[Any]], bases: Sequence[str] | None = None) -> PendingWrite:
    """Start inserting ``batch``; ``bases`` are its rows' :func:`copy_base` texts if made.

    On PostgreSQL the rows stream in the background until :meth:`PendingWrite.finish`; the
    connection must not be used for anything else meanwhile. Elsewhere they are written now.
    """
    if not batch:
        return PendingWrite()
    if connection.vendor != "postgresql":
        _insert(batch)
        return PendingWrite()
    if bases is None:
        bases = [copy_base(row) for row in batch]
    text = "".join([base + copy_attribution(row) for base, row in zip(bases, batch, strict=True)])
    table = connection.ops.quote_name(Event._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(R.COLUMNS[i]) for i in COPY_ORDER)
    statement = f"COPY {table} ({columns}) FROM STDIN"
    return PendingWrite(connection.cursor(), statement, text.encode("utf-8", "replace"))


def uses_copy() -> bool:
    """True when batches go in by COPY (and :func:`copy_base` is worth calling early)."""
    return connection.vendor == "postgresql"


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def _text(value: str) -> str:
    """Free text (raw line, URL, JSON, names from feeds) escaped for COPY's text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def _number(value: int | None) -> str:
    return _NULL if value is None else str(value)


def copy_base(row: Sequence[Any]) -> str:
    """The columns of ``row`` that attribution leaves alone, in PostgreSQL's COPY text format.

    Tab-separated, ``\\N`` for NULL, no line end (:func:`copy_attribution` adds the rest).
    Names and addresses were validated by the pipeline and cannot hold a tab, a line break or
    a backslash; every free-text column is escaped.
    """
    (
        moment,
        observed,
        feed_id,
        run_id,
        taxonomy,
        category,
        fqdn,
        domain,
        tld,
        url,
        ip,
        asn,
        _registrar_name,
        _registrar_iana_id,
        _registrar_org,
        _registry_org,
        _created,
        key,
        raw,
        extra,
    ) = row
    return "\t".join(
        (
            moment.isoformat(),
            observed.isoformat(),
            str(feed_id),
            _number(run_id),
            _text(taxonomy),
            _text(category),
            _text(fqdn),
            _text(domain),
            tld,
            _text(url),
            ip or _NULL,
            _number(asn),
            str(key),
            _text(raw),
            _text(extra),
        )
    )


#: The attribution columns of an event nobody could attribute.
_UNATTRIBUTED = "\t\t" + "\t".join([_NULL] * 4) + "\n"


def copy_attribution(row: Sequence[Any]) -> str:
    """The attribution columns of ``row`` in COPY text format, with the leading tab and line end."""
    name = row[R.REGISTRAR_NAME]
    iana_id = row[R.REGISTRAR_IANA_ID]
    registrar_org = row[R.REGISTRAR_ORG]
    registry_org = row[R.REGISTRY_ORG]
    created = row[R.DOMAIN_CREATED]
    if not name and iana_id is None and registrar_org is None and created is None:
        return _UNATTRIBUTED if registry_org is None else f"\t\t\\N\t\\N\t{registry_org}\t\\N\n"
    fields = (
        _text(name),
        _number(iana_id),
        _number(registrar_org),
        _number(registry_org),
        created.isoformat() if created is not None else _NULL,
    )
    return "\t" + "\t".join(fields) + "\n"


def _insert(batch: Sequence[list[Any]]) -> None:
    table = connection.ops.quote_name(Event._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in R.COLUMNS)
    marks = ", ".join(["%s"] * len(R.COLUMNS))
    adapt = connection.ops.adapt_datetimefield_value
    prepared = []
    for row in batch:
        values = list(row)
        for index in _DATETIME_COLUMNS:
            if values[index] is not None:
                values[index] = adapt(values[index])
        prepared.append(values)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", prepared)
