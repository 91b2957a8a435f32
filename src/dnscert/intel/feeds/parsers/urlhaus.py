"""abuse.ch URLhaus CSV database dump (``csv.txt``, ``csv_online.txt``, ``csv_recent.txt``).

Columns: ``id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter``; the
older dump without ``last_online`` (8 columns) is read too. The column header is a comment.
Each row becomes a ``malware-distribution`` event on ``source.url``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from dnscert.intel.feeds.indicators import put_url
from dnscert.intel.feeds.records import (
    Item,
    Lines,
    check_options,
    event_template,
    parse_records,
    read_settings,
    split_csv,
)
from dnscert.intel.feeds.registry import register
from dnscert.intel.schema import Event, InvalidValue, normalise_time

COLUMNS = (
    "id",
    "dateadded",
    "url",
    "url_status",
    "last_online",
    "threat",
    "tags",
    "urlhaus_link",
    "reporter",
)
_LEGACY_COLUMNS = tuple(name for name in COLUMNS if name != "last_online")


@register("urlhaus")
def parse(
    lines: Lines, *, feed_name: str, options: Mapping[str, Any] | None = None
) -> Iterator[Item]:
    """Events from a URLhaus CSV dump."""
    opts = check_options(options, (), "urlhaus")
    template = event_template(feed_name, opts)
    template["classification.type"] = opts.get("classification_type") or "malware-distribution"
    return parse_records(
        lines, read_settings(feed_name, opts), lambda _n, text: build(text, template)
    )


def build(text: str, template: Event) -> Event:
    """The event of one URLhaus row."""
    values = split_csv(text)
    if len(values) == len(COLUMNS):
        row = dict(zip(COLUMNS, values, strict=True))
    elif len(values) == len(_LEGACY_COLUMNS):
        row = dict(zip(_LEGACY_COLUMNS, values, strict=True))
    else:
        raise InvalidValue("row", f"has {len(values)} fields, expected {len(COLUMNS)}")
    event = dict(template)
    event["raw"] = text
    put_url(event, row["url"])
    event["time.source"] = normalise_time(row["dateadded"], "dateadded")
    event["classification.identifier"] = row["threat"].strip().lower() or "malware_download"
    if row["urlhaus_link"]:
        event["event_description.url"] = row["urlhaus_link"]
    event["extra"] = _extra(row)
    return event


def _extra(row: dict[str, str]) -> dict[str, Any]:
    extra: dict[str, Any] = {"urlhaus_id": row["id"], "url_status": row["url_status"]}
    if row.get("last_online"):
        extra["last_online"] = normalise_time(row["last_online"], "last_online")
    if row["tags"] and row["tags"] != "None":
        extra["tags"] = [tag.strip() for tag in row["tags"].split(",") if tag.strip()]
    if row["reporter"]:
        extra["reporter"] = row["reporter"]
    return extra
