"""PhishTank database dumps, CSV (``online-valid.csv``) or JSON (``online-valid.json``).

CSV columns: ``phish_id,url,phish_detail_url,submission_time,verified,verification_time,
online,target`` with a header row. JSON: an array of objects with the same keys plus
``details`` (a list with ``ip_address``, ``announcing_network``, ``country``...). The shape is
detected from the first character. Each entry is a ``phishing`` event on ``source.url``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

from dnscert.core.exceptions import InvalidInput
from dnscert.intel.feeds.indicators import put_url
from dnscert.intel.feeds.records import (
    Item,
    Lines,
    ReadSettings,
    check_options,
    decode,
    event_template,
    load_json,
    parse_records,
    read_document,
    read_settings,
    split_csv,
    to_raw,
)
from dnscert.intel.feeds.registry import register
from dnscert.intel.schema import Event, FailedRecord, InvalidValue, normalise_ip, normalise_time

COLUMNS = (
    "phish_id",
    "url",
    "phish_detail_url",
    "submission_time",
    "verified",
    "verification_time",
    "online",
    "target",
)


@register("phishtank")
def parse(
    lines: Lines, *, feed_name: str, options: Mapping[str, Any] | None = None
) -> Iterator[Item]:
    """Events from a PhishTank CSV or JSON dump."""
    opts = check_options(options, (), "phishtank")
    settings = read_settings(feed_name, opts)
    template = event_template(feed_name, opts)
    template["classification.type"] = opts.get("classification_type") or "phishing"
    head, lines = _peek(lines, settings)
    if head.lstrip().startswith("["):
        return _parse_json(lines, settings, template)
    return parse_records(lines, settings, lambda _n, text: _csv_row(text, template))


def _peek(lines: Lines, settings: ReadSettings) -> tuple[str, Lines]:
    iterator = iter(lines)
    seen: list[str | bytes] = []
    for line in iterator:
        seen.append(line)
        text, _problem = decode(line, settings.encoding)
        if text.strip():
            return text.removeprefix("\ufeff"), itertools.chain(seen, iterator)
    return "", seen


def _csv_row(text: str, template: Event) -> Event | None:
    values = split_csv(text)
    if values[0].strip() == "phish_id":
        return None
    if len(values) != len(COLUMNS):
        raise InvalidValue("row", f"has {len(values)} fields, expected {len(COLUMNS)}")
    return _event(dict(zip(COLUMNS, values, strict=True)), text, template)


def _parse_json(lines: Lines, settings: ReadSettings, template: Event) -> Iterator[Item]:
    text, failed = read_document(lines, settings)
    document, failed = (None, failed) if failed else load_json(text, settings)
    if failed:
        yield failed
        return
    if not isinstance(document, list):
        yield FailedRecord(settings.feed_name, 1, text, "document is not a JSON array of entries")
        return
    for position, entry in enumerate(document, 1):
        raw = to_raw(entry)
        try:
            if not isinstance(entry, dict):
                raise InvalidValue("entry", "is not a JSON object")
            event = _event(entry, raw, template)
        except InvalidInput as exc:
            yield FailedRecord(settings.feed_name, position, raw, str(exc))
            continue
        event["feed.line"] = position
        yield event


def _event(entry: Mapping[str, Any], raw: str, template: Event) -> Event:
    url = entry.get("url")
    if not isinstance(url, str) or not url:
        raise InvalidValue("url", "missing")
    event = dict(template)
    event["raw"] = raw
    put_url(event, url)
    event["time.source"] = normalise_time(str(entry.get("submission_time", "")), "submission_time")
    if entry.get("phish_detail_url"):
        event["event_description.url"] = str(entry["phish_detail_url"])
    extra: dict[str, Any] = {"phish_id": str(entry.get("phish_id", ""))}
    for key in ("target", "verified", "online"):
        if entry.get(key) not in (None, ""):
            extra[key] = entry[key]
    if entry.get("target") not in (None, "", "Other"):
        event["event_description.text"] = f"target: {entry['target']}"
    _details(event, entry.get("details"))
    event["extra"] = extra
    return event


def _details(event: Event, details: Any) -> None:
    if not isinstance(details, list) or not details or not isinstance(details[0], dict):
        return
    first = details[0]
    address = first.get("ip_address")
    if isinstance(address, str) and address and "source.ip" not in event:
        event["source.ip"] = normalise_ip(address, "details.ip_address")
    country = first.get("country")
    if isinstance(country, str) and len(country) == 2:
        event["source.geolocation.cc"] = country.upper()
