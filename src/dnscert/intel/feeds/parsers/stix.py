"""STIX 2.1 indicators with simple patterns, from a bundle, an array or a single object.

Each ``indicator`` object is one record; other objects (identity, malware, relationship,
marking-definition) are context: a ``malware`` object linked by an ``indicates``
relationship names ``malware.name``. Patterns understood (one comparison)::

    [domain-name:value = 'bad.example']
    [url:value = 'http://bad.example/x']
    [ipv4-addr:value = '192.0.2.1']       (also ipv6-addr, and CIDR values)
    [file:hashes.'SHA-256' = '...']       (also MD5, SHA-1)

Other patterns, non-STIX pattern types and revoked indicators become failed records.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from dnscert.intel.feeds.indicators import put_fqdn, put_ip, put_network, put_url
from dnscert.intel.feeds.parsers._json_records import parse_document
from dnscert.intel.feeds.records import (
    Item,
    Lines,
    check_options,
    event_template,
    read_settings,
)
from dnscert.intel.feeds.registry import register
from dnscert.intel.schema import Event, InvalidValue, normalise_time

_PATTERN = re.compile(
    r"^\[\s*(?P<object>[a-z0-9-]+):(?P<path>[a-z_]+(?:\.'?[A-Za-z0-9-]+'?)?)\s*=\s*"
    r"'(?P<value>(?:[^'\\]|\\.)*)'\s*\]$"
)
_HASH_FIELDS = {
    "MD5": "malware.hash.md5",
    "SHA-1": "malware.hash.sha1",
    "SHA-256": "malware.hash.sha256",
}


@register("stix")
def parse(
    lines: Lines, *, feed_name: str, options: Mapping[str, Any] | None = None
) -> Iterator[Item]:
    """Events from the indicators of a STIX 2.1 bundle."""
    opts = check_options(options, (), "stix")
    template = event_template(feed_name, opts)
    template["classification.type"] = str(opts.get("classification_type") or "undetermined")
    malware_of: dict[str, str] = {}
    return parse_document(
        lines,
        read_settings(feed_name, opts),
        lambda document: indicators(document, malware_of),
        lambda indicator, raw: build(indicator, raw, template, malware_of),
    )


def indicators(document: Any, malware_of: dict[str, str]) -> list[dict[str, Any]]:
    """The indicator objects of the document; fills ``malware_of`` (indicator id -> name)."""
    if isinstance(document, dict) and document.get("type") == "bundle":
        objects = document.get("objects")
    else:
        objects = document if isinstance(document, list) else [document]
    if not isinstance(objects, list):
        raise InvalidValue("document", "is not a STIX bundle, array or object")
    typed = [item for item in objects if isinstance(item, dict)]
    malware_of.update(_malware_names(typed))
    return [item for item in objects if not isinstance(item, dict) or _is_indicator(item)]


def _is_indicator(item: dict[str, Any]) -> bool:
    return item.get("type") == "indicator"


def _malware_names(objects: list[dict[str, Any]]) -> dict[str, str]:
    names = {
        str(o.get("id")): str(o.get("name", "")) for o in objects if o.get("type") == "malware"
    }
    return {
        str(o.get("source_ref")): names[str(o.get("target_ref"))]
        for o in objects
        if o.get("type") == "relationship"
        and o.get("relationship_type") == "indicates"
        and str(o.get("target_ref")) in names
    }


def build(indicator: Any, raw: str, template: Event, malware_of: dict[str, str]) -> Event:
    """The event of one indicator."""
    if not isinstance(indicator, dict):
        raise InvalidValue("object", "is not a JSON object")
    if indicator.get("revoked") is True:
        raise InvalidValue("indicator", "is revoked")
    if indicator.get("pattern_type", "stix") != "stix":
        raise InvalidValue("pattern_type", f"{indicator.get('pattern_type')!r} is not 'stix'")
    event = dict(template)
    event["raw"] = raw
    _pattern(event, str(indicator.get("pattern", "")))
    stamp = indicator.get("valid_from") or indicator.get("created")
    if not stamp:
        raise InvalidValue("valid_from", "the indicator has neither valid_from nor created")
    event["time.source"] = normalise_time(str(stamp), "valid_from")
    malware = malware_of.get(str(indicator.get("id")))
    if malware:
        event["malware.name"] = malware.lower()
    if indicator.get("name"):
        event["event_description.text"] = str(indicator["name"])
    event["extra"] = _extra(indicator)
    return event


def _pattern(event: Event, pattern: str) -> None:
    match = _PATTERN.match(pattern.strip())
    if not match:
        raise InvalidValue("pattern", f"{pattern[:80]!r} is not a single-comparison pattern")
    kind, path = match.group("object"), match.group("path")
    value = match.group("value").replace("\\'", "'").replace("\\\\", "\\")
    if kind == "domain-name" and path == "value":
        put_fqdn(event, value)
    elif kind == "url" and path == "value":
        put_url(event, value)
    elif kind in ("ipv4-addr", "ipv6-addr") and path == "value":
        (put_network if "/" in value else put_ip)(event, value)
    elif kind == "file" and path.startswith("hashes."):
        _hash(event, path[7:].strip("'"), value)
    else:
        raise InvalidValue("pattern", f"object path {kind}:{path} is not one we map")


def _hash(event: Event, algorithm: str, value: str) -> None:
    field = _HASH_FIELDS.get(algorithm.upper())
    if field is None:
        raise InvalidValue("pattern", f"hash algorithm {algorithm!r} is not MD5, SHA-1 or SHA-256")
    event[field] = value.lower()


def _extra(indicator: dict[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {"stix_id": indicator.get("id")}
    for key in ("indicator_types", "valid_until", "labels", "confidence"):
        if indicator.get(key) is not None:
            extra[key] = indicator[key]
    return extra
