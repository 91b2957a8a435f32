"""Shared loop for JSON-document parsers: one event or failed record per record in the document."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from dnscert.core.exceptions import InvalidInput
from dnscert.intel.feeds.records import Item, Lines, ReadSettings, load_json, read_document, to_raw
from dnscert.intel.schema import Event, FailedRecord

Records = Callable[[Any], Iterable[Any]]
"""From the decoded document to its records; raises InvalidInput if the shape is wrong."""


def parse_document(
    lines: Lines,
    settings: ReadSettings,
    records: Records,
    build: Callable[[Any, str], Event],
    raw_of: Callable[[Any], str] = to_raw,
) -> Iterator[Item]:
    """Read the whole document, then build an event per record (position = ``line``)."""
    text, failed = read_document(lines, settings)
    if failed is None:
        document, failed = load_json(text, settings)
    if failed is not None:
        yield failed
        return
    try:
        items = list(records(document))
    except InvalidInput as exc:
        yield FailedRecord(settings.feed_name, 1, text, f"document: {exc}")
        return
    yield from build_each(items, settings, build, raw_of)


def build_each(
    items: Iterable[Any],
    settings: ReadSettings,
    build: Callable[[Any, str], Event],
    raw_of: Callable[[Any], str] = to_raw,
) -> Iterator[Item]:
    """Build every record, turning errors into failed records with the record as raw."""
    for position, item in enumerate(items, 1):
        raw = raw_of(item)
        try:
            event = build(item, raw)
        except InvalidInput as exc:
            yield FailedRecord(settings.feed_name, position, raw, str(exc))
            continue
        event["feed.line"] = position
        yield event
