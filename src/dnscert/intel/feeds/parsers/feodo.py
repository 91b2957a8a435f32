"""abuse.ch Feodo Tracker botnet C2 IP blocklist, CSV (``ipblocklist.csv``).

Columns: ``first_seen_utc,dst_ip,dst_port,c2_status,last_online,malware``; the older
``Firstseen,DstIP,DstPort,LastOnline,Malware`` (5 columns) is read too. The header line may
be a comment or a plain row; it is recognised and skipped. Each row is a ``c2-server`` event
with the C2 address in ``source.ip`` (the host to act on, as IntelMQ does).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

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
from dnscert.intel.schema import Event, InvalidValue, normalise_ip, normalise_port, normalise_time

_HEADER_FIRST_FIELDS = frozenset({"first_seen_utc", "firstseen"})


@register("feodo")
def parse(
    lines: Lines, *, feed_name: str, options: Mapping[str, Any] | None = None
) -> Iterator[Item]:
    """Events from a Feodo Tracker IP blocklist."""
    opts = check_options(options, (), "feodo")
    template = event_template(feed_name, opts)
    template["classification.type"] = opts.get("classification_type") or "c2-server"
    return parse_records(
        lines, read_settings(feed_name, opts), lambda _n, text: build(text, template)
    )


def build(text: str, template: Event) -> Event | None:
    """The event of one row; ``None`` for the header row."""
    values = [value.strip() for value in split_csv(text)]
    if values[0].lower() in _HEADER_FIRST_FIELDS:
        return None
    if len(values) == 6:
        first_seen, ip, port, status, last_online, malware = values
    elif len(values) == 5:
        first_seen, ip, port, last_online, malware = values
        status = ""
    else:
        raise InvalidValue("row", f"has {len(values)} fields, expected 6")
    event = dict(template)
    event["raw"] = text
    event["time.source"] = normalise_time(first_seen, "first_seen_utc")
    event["source.ip"] = normalise_ip(ip, "dst_ip")
    event["source.port"] = normalise_port(port, "dst_port")
    if malware:
        event["malware.name"] = malware.lower()
    extra: dict[str, Any] = {"last_online": last_online} if last_online else {}
    if status:
        extra["c2_status"] = status
    if extra:
        event["extra"] = extra
    return event
