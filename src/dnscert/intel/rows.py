"""Events as database rows: the column order of ``intel_event`` and the dedupe key (no Django).

The storage service writes events as plain lists in :data:`COLUMNS` order (bulk ``COPY`` on
PostgreSQL, ``executemany`` elsewhere), never as model instances: building a model object per
event would cost more than parsing it. This module is pure so it can run in worker processes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

import orjson

from dnscert.intel.experts.dedupe import DEFAULT_KEY_FIELDS
from dnscert.intel.schema import Event, parse_time

COLUMNS = (
    "time_source",
    "time_observation",
    "feed_id",
    "run_id",
    "classification_taxonomy",
    "classification_type",
    "source_fqdn",
    "source_domain",
    "source_tld",
    "source_url",
    "source_ip",
    "source_asn",
    "registrar_name",
    "registrar_iana_id",
    "registrar_org_id",
    "registry_org_id",
    "domain_created_at",
    "dedupe_key",
    "raw",
    "extra",
)
"""Columns of ``intel_event`` written by the storage service, in row order."""

(
    TIME,
    OBSERVED,
    FEED,
    RUN,
    TAXONOMY,
    TYPE,
    FQDN,
    DOMAIN,
    TLD,
    URL,
    IP,
    ASN,
    REGISTRAR_NAME,
    REGISTRAR_IANA_ID,
    REGISTRAR_ORG,
    REGISTRY_ORG,
    DOMAIN_CREATED,
    DEDUPE_KEY,
    RAW,
    EXTRA,
) = range(len(COLUMNS))

#: Index of the COPY text a row prepared for PostgreSQL carries after its columns
#: (:func:`dnscert.intel.copytext.prepared`).
COPY_TEXT = len(COLUMNS)

_STORED_FIELDS = frozenset(
    {
        "time.source",
        "time.observation",
        "feed.name",
        "classification.taxonomy",
        "classification.type",
        "source.fqdn",
        "source.registered_domain",
        "source.tld",
        "source.url",
        "source.ip",
        "source.asn",
        "raw",
        "extra",
    }
)
"""Event fields that have a column; every other field is kept in ``extra``."""


#: One encoder for every row (``json.dumps`` with options builds a new one per call).
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def dedupe_key(event: Event) -> int:
    """A stable signed 64-bit hash of the fields that make two events the same report.

    An integer rather than text: its index costs a fraction of a text index on bulk loads.
    """
    text = "\x1f".join(str(event.get(name) or "") for name in DEFAULT_KEY_FIELDS)
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def extra_of(event: Event) -> dict[str, Any]:
    """The fields of ``event`` without a column, merged with its ``extra`` dict.

    ``source.fqdn_unicode`` is left out when it equals ``source.fqdn`` (an ASCII name).
    """
    extra = dict(event.get("extra") or {})
    for name, value in event.items():
        if name not in _STORED_FIELDS:
            extra[name] = value
    if extra.get("source.fqdn_unicode") == event.get("source.fqdn"):
        extra.pop("source.fqdn_unicode", None)
    return extra


def extra_json(extra: dict[str, Any]) -> str:
    """``extra`` as JSON text that PostgreSQL's ``jsonb`` accepts (no NUL characters).

    orjson writes it in a fraction of the standard encoder's time; what orjson refuses (an
    integer over 64 bits, a lone surrogate) goes through the standard encoder instead.
    """
    try:
        text = orjson.dumps(extra, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        text = _JSON.encode(extra)
    return text.replace("\\u0000", "\\ufffd") if "\\u0000" in text else text


def clean_text(text: str) -> str:
    """Text safe for any database: NUL characters shown as ``\\x00``."""
    return text.replace("\x00", "\\x00") if "\x00" in text else text


def to_row(event: Event, feed_id: int, run_id: int | None) -> list[Any]:
    """The database row of an enriched event; attribution columns are left empty."""
    observed = parse_time(event["time.observation"])
    source_time = event.get("time.source")
    asn = event.get("source.asn")
    return [
        parse_time(source_time) if source_time else observed,
        observed,
        feed_id,
        run_id,
        event.get("classification.taxonomy", ""),
        event.get("classification.type", ""),
        event.get("source.fqdn", ""),
        event.get("source.registered_domain", ""),
        event.get("source.tld", ""),
        event.get("source.url", ""),
        event.get("source.ip"),
        int(asn) if asn is not None else None,
        "",
        None,
        None,
        None,
        None,
        dedupe_key(event),
        clean_text(str(event.get("raw", ""))),
        extra_json(extra_of(event)),
    ]


def row_time(row: list[Any]) -> datetime:
    """The event time of a row."""
    value: datetime = row[TIME]
    return value


class RowDedupe:
    """In-run dedupe of rows by key within ``window`` seconds, bounded memory.

    A row repeats when a row of the same key already kept lies within the window of it, in
    either direction: the rule the stored-event check applies, so that a feed listing one
    report out of time order gets the same verdict in one run as across runs. Rows come from
    worker processes, which cannot share one :class:`~dnscert.intel.experts.dedupe.DedupeExpert`.
    """

    def __init__(self, window: float, max_keys: int = 1_000_000) -> None:
        self.window = window
        self.max_keys = max_keys
        # Kept times per key: one float, or a list once a key has several kept rows.
        self._kept: dict[int, float | list[float]] = {}

    def fresh(self, rows: list[list[Any]]) -> list[list[Any]]:
        """The rows that repeat no kept row within the window (and remember them)."""
        if self.window <= 0:
            return rows
        kept = []
        window = self.window
        seen = self._kept
        for row in rows:
            key, moment = row[DEDUPE_KEY], row[TIME].timestamp()
            times = seen.get(key)
            if times is None:
                if len(seen) >= self.max_keys:
                    seen.pop(next(iter(seen)))
                seen[key] = moment
            elif isinstance(times, float):
                if abs(moment - times) < window:
                    continue
                seen[key] = [times, moment]
            else:
                if any(abs(moment - other) < window for other in times):
                    continue
                times.append(moment)
            kept.append(row)
        return kept
