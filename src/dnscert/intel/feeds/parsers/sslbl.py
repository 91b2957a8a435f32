"""abuse.ch SSL Blacklist (SSLBL), both CSV shapes.

* the SSL certificate blacklist (``sslblacklist.csv``): ``Listingdate,SHA1,Listingreason``,
  e.g. ``...,<sha1>,Dridex C&C``: an event with ``malware.hash.sha1`` (the certificate's
  fingerprint) and the malware named by the reason;
* the botnet C2 IP blacklist (``sslipblacklist.csv``): ``Firstseen,DstIP,DstPort``: an event
  with ``source.ip`` and ``source.port``.

The shape is told apart row by row by the second column (40 hex digits or an address).
"""

from __future__ import annotations

import re
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
from dnscert.intel.schema import (
    Event,
    InvalidValue,
    is_ip,
    normalise_ip,
    normalise_port,
    normalise_time,
)

_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
_C2_REASON = re.compile(r"^(?P<malware>.+?)\s+C&C$", re.IGNORECASE)


@register("sslbl")
def parse(
    lines: Lines, *, feed_name: str, options: Mapping[str, Any] | None = None
) -> Iterator[Item]:
    """Events from an SSLBL certificate or IP blacklist."""
    opts = check_options(options, (), "sslbl")
    template = event_template(feed_name, opts)
    forced_type = opts.get("classification_type")
    return parse_records(
        lines,
        read_settings(feed_name, opts),
        lambda _n, text: build(text, template, forced_type),
    )


def build(text: str, template: Event, forced_type: str | None = None) -> Event:
    """The event of one row of either shape."""
    values = [value.strip() for value in split_csv(text)]
    if len(values) != 3:
        raise InvalidValue("row", f"has {len(values)} fields, expected 3")
    event = dict(template)
    event["raw"] = text
    event["time.source"] = normalise_time(values[0], "listing date")
    if _SHA1.match(values[1]):
        _certificate(event, values[1], values[2])
    elif is_ip(values[1]):
        event["source.ip"] = normalise_ip(values[1], "DstIP")
        event["source.port"] = normalise_port(values[2], "DstPort")
        event["classification.type"] = "c2-server"
    else:
        raise InvalidValue("row", "2nd column is neither a SHA-1 fingerprint nor an IP address")
    if forced_type:
        event["classification.type"] = forced_type
    return event


def _certificate(event: Event, sha1: str, reason: str) -> None:
    event["malware.hash.sha1"] = sha1.lower()
    event["event_description.text"] = reason
    match = _C2_REASON.match(reason)
    if match:
        event["classification.type"] = "c2-server"
        event["malware.name"] = match.group("malware").lower()
    else:
        event["classification.type"] = "malware-configuration"
