"""Spamhaus DROP and EDROP lists, text (``prefix ; SBL id``) and JSON-lines shapes.

Text: ``192.0.2.0/24 ; SBL123456`` with ``;`` comment lines. JSON lines (``drop_v4.json``,
``drop_v6.json``): ``{"cidr": "...", "sblid": "...", "rir": "..."}`` per line and a closing
``{"type": "metadata", ...}`` line, which is not a record. Every prefix becomes a
``blocklist`` event on ``source.network`` (netblocks run by criminal operations).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from dnscert.intel.feeds.records import (
    Item,
    Lines,
    check_options,
    event_template,
    parse_records,
    read_settings,
)
from dnscert.intel.feeds.registry import register
from dnscert.intel.schema import Event, InvalidValue, normalise_network, normalise_time


@register("spamhaus_drop")
def parse(
    lines: Lines, *, feed_name: str, options: Mapping[str, Any] | None = None
) -> Iterator[Item]:
    """Events from a DROP or EDROP list."""
    opts = check_options(options, (), "spamhaus_drop")
    template = event_template(feed_name, opts)
    template["classification.type"] = opts.get("classification_type") or "blocklist"
    template["classification.identifier"] = "spamhaus-drop"
    settings = read_settings(feed_name, opts, (";", "#"))
    return parse_records(lines, settings, lambda _n, text: build(text, template))


def build(text: str, template: Event) -> Event | None:
    """The event of one line; ``None`` for the JSON metadata line."""
    stripped = text.strip()
    if stripped.startswith("{"):
        return _json_line(stripped, text, template)
    prefix, _, sbl = stripped.partition(";")
    return _event(text, template, prefix.strip(), sbl.strip(), None)


def _json_line(stripped: str, text: str, template: Event) -> Event | None:
    try:
        record = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise InvalidValue("line", f"is not valid JSON: {exc.msg}") from None
    if not isinstance(record, dict):
        raise InvalidValue("line", "is JSON but not an object")
    if record.get("type") == "metadata":
        return None
    if not isinstance(record.get("cidr"), str):
        raise InvalidValue("cidr", "missing from the JSON record")
    return _event(text, template, record["cidr"], str(record.get("sblid") or ""), record)


def _event(
    text: str, template: Event, prefix: str, sbl: str, record: dict[str, Any] | None
) -> Event:
    event = dict(template)
    event["raw"] = text
    event["source.network"] = normalise_network(prefix, "prefix")
    if sbl:
        if not sbl.upper().startswith("SBL"):
            raise InvalidValue("sbl id", f"{sbl[:40]!r} is not an SBL reference")
        event["extra"] = {"sbl_id": sbl.upper()}
        event["event_description.url"] = f"https://check.spamhaus.org/sbl/query/{sbl.upper()}"
    if record and record.get("rir"):
        event.setdefault("extra", {})["rir"] = str(record["rir"])
    if record and isinstance(record.get("timestamp"), int):
        event["time.source"] = normalise_time(record["timestamp"])
    return event
