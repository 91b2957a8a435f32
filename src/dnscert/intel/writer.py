"""Bulk writing of event rows: ``COPY`` on PostgreSQL, ``executemany`` on other databases.

Rows are lists in :data:`dnscert.intel.rows.COLUMNS` order. Both paths skip model instances
entirely; on PostgreSQL a batch is formatted as COPY text in one pass and sent as one block,
which costs a fraction of adapting value by value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

from dnscert.intel import rows as R
from dnscert.intel.models import Event

_DATETIME_COLUMNS = (R.TIME, R.OBSERVED, R.DOMAIN_CREATED)


def write_events(batch: Sequence[list[Any]]) -> int:
    """Insert ``batch`` into the event table; the number of rows written."""
    if not batch:
        return 0
    if connection.vendor == "postgresql":
        _copy(batch)
    else:
        _insert(batch)
    return len(batch)


def _columns() -> str:
    return ", ".join(connection.ops.quote_name(name) for name in R.COLUMNS)


def _copy(batch: Sequence[list[Any]]) -> None:
    table = connection.ops.quote_name(Event._meta.db_table)
    with connection.cursor() as cursor:
        raw_cursor: Any = cursor.cursor
        with raw_cursor.copy(f"COPY {table} ({_columns()}) FROM STDIN") as copy:
            copy.write("".join(map(copy_line, batch)).encode("utf-8", "replace"))


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def _text(value: str) -> str:
    """Free text (raw line, URL, JSON, names from feeds) escaped for COPY's text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def _number(value: int | None) -> str:
    return _NULL if value is None else str(value)


def copy_line(row: Sequence[Any]) -> str:
    """One event row in PostgreSQL's COPY text format (tab-separated, ``\\N`` for NULL).

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
        registrar_name,
        registrar_iana_id,
        registrar_org,
        registry_org,
        created,
        key,
        raw,
        extra,
    ) = row
    fields = (
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
        _text(registrar_name),
        _number(registrar_iana_id),
        _number(registrar_org),
        _number(registry_org),
        created.isoformat() if created is not None else _NULL,
        str(key),
        _text(raw),
        _text(extra),
    )
    return "\t".join(fields) + "\n"


def _insert(batch: Sequence[list[Any]]) -> None:
    table = connection.ops.quote_name(Event._meta.db_table)
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
        cursor.executemany(f"INSERT INTO {table} ({_columns()}) VALUES ({marks})", prepared)
