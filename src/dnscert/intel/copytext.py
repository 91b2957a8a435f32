"""Event rows as PostgreSQL ``COPY`` text (pure: no Django), so worker processes can format them.

The text format: tab-separated columns, ``\\N`` for NULL, and a backslash, tab, line feed or
carriage return inside a value escaped. :data:`COPY_ORDER` puts the columns that attribution
fills last, so the rest of a row (:func:`copy_base`) can be formatted where the row was built,
before attribution has run, and :func:`copy_attribution` adds the rest when it has.

A worker that formats its rows sends them :func:`prepared`: the COPY text appended at
:data:`~dnscert.intel.rows.COPY_TEXT`, and the columns that only the text needs dropped, which
makes each row a fraction of the size to pickle, send and unpickle.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from dnscert.intel import rows as R

ATTRIBUTION_COLUMNS = (
    R.REGISTRAR_NAME,
    R.REGISTRAR_IANA_ID,
    R.REGISTRAR_ORG,
    R.REGISTRY_ORG,
    R.DOMAIN_CREATED,
)
#: Indexes of :data:`~dnscert.intel.rows.COLUMNS` in the order the COPY statement names them.
COPY_ORDER = tuple(i for i in range(len(R.COLUMNS)) if i not in ATTRIBUTION_COLUMNS) + (
    ATTRIBUTION_COLUMNS
)
#: Columns a prepared row keeps: what dedupe, attribution and the aggregates read.
KEPT_COLUMNS = frozenset({R.TIME, R.FEED, R.RUN, R.TYPE, R.DOMAIN, R.TLD, R.DEDUPE_KEY}) | set(
    ATTRIBUTION_COLUMNS
)
_DROPPED = tuple(i for i in range(len(R.COLUMNS)) if i not in KEPT_COLUMNS)

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def _text(value: str) -> str:
    """Free text (raw line, URL, JSON, names from feeds) escaped for COPY's text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def _number(value: int | None) -> str:
    return _NULL if value is None else str(value)


class _TimeText:
    """ISO text of the last time formatted: a run's rows share one observation time."""

    moment: datetime | None = None
    text: str = ""


def _observed_text(moment: datetime) -> str:
    if moment != _TimeText.moment:
        _TimeText.moment, _TimeText.text = moment, moment.isoformat()
    return _TimeText.text


def copy_base(row: Sequence[Any]) -> str:
    """The columns of ``row`` that attribution leaves alone, in COPY text format.

    Tab-separated, ``\\N`` for NULL, no line end (:func:`copy_attribution` adds the rest).
    Every free-text column is escaped; they are checked together first, as they rarely hold
    a character that needs it.
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
    free = taxonomy + category + fqdn + domain + tld + url + raw + extra
    if "\\" in free or "\t" in free or "\n" in free or "\r" in free:
        taxonomy, category, fqdn, domain, tld, url, raw, extra = map(
            _text, (taxonomy, category, fqdn, domain, tld, url, raw, extra)
        )
    return "\t".join(
        (
            moment.isoformat(),
            _observed_text(observed),
            str(feed_id),
            _number(run_id),
            taxonomy,
            category,
            fqdn,
            domain,
            tld,
            url,
            ip or _NULL,
            _number(asn),
            str(key),
            raw,
            extra,
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


def is_prepared(row: Sequence[Any]) -> bool:
    """True when ``row`` carries its COPY text (see :func:`prepared`)."""
    return len(row) > R.COPY_TEXT


def prepared(row: list[Any]) -> list[Any]:
    """``row`` with its :func:`copy_base` text appended and the columns only that text needs
    set to None (in place; also returned)."""
    row.append(copy_base(row))
    for index in _DROPPED:
        row[index] = None
    return row


def copy_lines(rows: Sequence[Sequence[Any]]) -> str:
    """The COPY text of ``rows`` (in :data:`COPY_ORDER`), prepared or not."""
    lines = []
    for row in rows:
        base = row[R.COPY_TEXT] if len(row) > R.COPY_TEXT else copy_base(row)
        if (
            row[R.REGISTRY_ORG] is None
            and row[R.REGISTRAR_IANA_ID] is None
            and row[R.DOMAIN_CREATED] is None
            and row[R.REGISTRAR_ORG] is None
            and not row[R.REGISTRAR_NAME]
        ):
            lines.append(base + _UNATTRIBUTED)  # most events: nobody to attribute them to
        else:
            lines.append(base + copy_attribution(row))
    return "".join(lines)
