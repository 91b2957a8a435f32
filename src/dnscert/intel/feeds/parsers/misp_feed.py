"""MISP feed events (the ``<uuid>.json`` files of a MISP feed, or a REST ``response`` list).

Each attribute, top-level or inside an ``Object``, is one record. Indicator attributes become
events with the indicator in ``source.*`` (the thing to act on, whatever MISP's src/dst):

=========================================  ==============================================
MISP attribute type                        event fields
=========================================  ==============================================
``domain``, ``hostname``                   ``source.fqdn``
``url``, ``uri``                           ``source.url`` (+ host)
``ip-src``, ``ip-dst``                     ``source.ip`` (or ``source.network`` for CIDR)
``domain|ip``                              ``source.fqdn`` + ``source.ip``
``ip-src|port``, ``ip-dst|port``           ``source.ip`` + ``source.port``
``hostname|port``                          ``source.fqdn`` + ``source.port``
``md5``, ``sha1``, ``sha256``              ``malware.hash.*``
=========================================  ==============================================

Other attribute types (``text``, ``link``, ``email-src``...) become failed records saying the
type is not mapped: kept, never dropped. The classification comes from an ``rsit:`` tag on the
attribute or the event, else the ``classification_type`` option, else ``undetermined``.
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
    to_raw,
)
from dnscert.intel.feeds.registry import register
from dnscert.intel.schema import Event, InvalidValue, normalise_port, normalise_time

_RSIT_TAG = re.compile(r'^rsit:(?P<taxonomy>[a-z-]+)="(?P<type>[a-z-]+)"$')
_HASH_TYPES = {
    "md5": "malware.hash.md5",
    "sha1": "malware.hash.sha1",
    "sha256": "malware.hash.sha256",
}


@register("misp_feed")
def parse(
    lines: Lines, *, feed_name: str, options: Mapping[str, Any] | None = None
) -> Iterator[Item]:
    """Events from the attributes of MISP events."""
    opts = check_options(options, (), "misp_feed")
    template = event_template(feed_name, opts)
    default_type = str(opts.get("classification_type") or "undetermined")
    return parse_document(
        lines,
        read_settings(feed_name, opts),
        attributes,
        lambda pair, _raw: build(pair, template, default_type),
        lambda pair: to_raw(pair[1]),
    )


def attributes(document: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """``(event, attribute)`` for every attribute of every MISP event in the document."""
    for misp_event in _events(document):
        for attribute in misp_event.get("Attribute") or []:
            yield misp_event, attribute
        for misp_object in misp_event.get("Object") or []:
            if isinstance(misp_object, dict):
                for attribute in misp_object.get("Attribute") or []:
                    yield misp_event, attribute


def _events(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, dict) and isinstance(document.get("response"), list):
        document = document["response"]
    wrapped = document if isinstance(document, list) else [document]
    events = [item.get("Event") for item in wrapped if isinstance(item, dict)]
    if not events or not all(isinstance(event, dict) for event in events):
        raise InvalidValue("document", "is not a MISP event ({'Event': {...}})")
    return [event for event in events if isinstance(event, dict)]


def build(pair: tuple[dict[str, Any], Any], template: Event, default_type: str) -> Event:
    """The event of one MISP attribute."""
    misp_event, attribute = pair
    if not isinstance(attribute, dict):
        raise InvalidValue("attribute", "is not a JSON object")
    event = dict(template)
    event["raw"] = to_raw(attribute)
    _indicator(event, str(attribute.get("type", "")), str(attribute.get("value", "")))
    event["time.source"] = _time(attribute, misp_event)
    event["classification.type"] = _rsit_type(attribute, misp_event) or default_type
    event["misp.attribute_uuid"] = str(attribute.get("uuid", "")).lower()
    event["misp.event_uuid"] = str(misp_event.get("uuid", "")).lower()
    if misp_event.get("info"):
        event["event_description.text"] = str(misp_event["info"])
    event["extra"] = {
        "misp_type": attribute.get("type"),
        "misp_category": attribute.get("category"),
        "to_ids": bool(attribute.get("to_ids")),
    }
    if attribute.get("comment"):
        event["extra"]["comment"] = attribute["comment"]
    return event


def _indicator(event: Event, type_: str, value: str) -> None:
    if not value:
        raise InvalidValue("value", f"attribute of type {type_!r} has no value")
    if type_ in ("domain", "hostname"):
        put_fqdn(event, value)
    elif type_ in ("url", "uri"):
        put_url(event, value)
    elif type_ in ("ip-src", "ip-dst"):
        (put_network if "/" in value else put_ip)(event, value)
    elif type_ == "domain|ip":
        name, _, address = value.partition("|")
        put_fqdn(event, name)
        put_ip(event, address)
    elif type_ in ("ip-src|port", "ip-dst|port", "hostname|port"):
        _with_port(event, type_, value)
    elif type_ in _HASH_TYPES:
        event[_HASH_TYPES[type_]] = value.lower()
    else:
        raise InvalidValue("type", f"MISP attribute type {type_!r} is not an indicator we map")


def _with_port(event: Event, type_: str, value: str) -> None:
    host, _, port = value.rpartition("|")
    (put_fqdn if type_.startswith("hostname") else put_ip)(event, host)
    event["source.port"] = normalise_port(port)


def _time(attribute: dict[str, Any], misp_event: dict[str, Any]) -> str:
    stamp = attribute.get("timestamp") or misp_event.get("timestamp") or misp_event.get("date")
    if stamp is None:
        raise InvalidValue("timestamp", "neither the attribute nor the event has a time")
    return normalise_time(str(stamp), "timestamp")


def _rsit_type(attribute: dict[str, Any], misp_event: dict[str, Any]) -> str | None:
    for tags in (attribute.get("Tag"), misp_event.get("Tag")):
        for tag in tags or []:
            match = _RSIT_TAG.match(str(tag.get("name", "")) if isinstance(tag, dict) else "")
            if match:
                return match.group("type")
    return None
