"""X-ARF v4 abuse reports (JSON), one report, an array of reports, or JSON lines.

Fields read (names from the ``xarf`` v4 schemas): ``xarf_version`` (must be 4.x),
``report_id``, ``timestamp``, ``reporter``, ``source_identifier`` (IP or DNS name),
``source_port``, ``category``/``type`` (mapped to RSIT), and per category ``url``/``domain``
(content), ``malware_family``/``c2_server`` (infrastructure), ``service``/``cve``
(vulnerability), ``protocol``, ``evidence_source``, ``description``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from dnscert.core.exceptions import InvalidInput
from dnscert.intel.experts.taxonomy import XARF_TO_RSIT
from dnscert.intel.feeds.indicators import put_host, put_url
from dnscert.intel.feeds.parsers._json_records import build_each
from dnscert.intel.feeds.records import (
    Item,
    Lines,
    ReadSettings,
    check_options,
    event_template,
    read_document,
    read_settings,
)
from dnscert.intel.feeds.registry import register
from dnscert.intel.schema import Event, FailedRecord, InvalidValue, normalise_port, normalise_time

REQUIRED = ("xarf_version", "report_id", "timestamp", "reporter", "source_identifier")


@register("xarf")
def parse(
    lines: Lines, *, feed_name: str, options: Mapping[str, Any] | None = None
) -> Iterator[Item]:
    """Events from X-ARF v4 reports."""
    opts = check_options(options, (), "xarf")
    settings = read_settings(feed_name, opts)
    template = event_template(feed_name, opts)
    return _parse(lines, settings, template)


def _parse(lines: Lines, settings: ReadSettings, template: Event) -> Iterator[Item]:
    text, failed = read_document(lines, settings)
    if failed is not None:
        yield failed
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        yield from _json_lines(text, settings, template)
        return
    except RecursionError:
        yield FailedRecord(settings.feed_name, 1, text, "document is nested too deeply")
        return
    reports = document if isinstance(document, list) else [document]
    yield from build_each(reports, settings, lambda report, raw: build(report, raw, template))


def _json_lines(text: str, settings: ReadSettings, template: Event) -> Iterator[Item]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            report = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            reason = f"line is not a JSON report: {getattr(exc, 'msg', 'nested too deeply')}"
            yield FailedRecord(settings.feed_name, number, line, reason)
            continue
        try:
            event = build(report, line, template)
        except InvalidInput as exc:
            yield FailedRecord(settings.feed_name, number, line, str(exc))
            continue
        event["feed.line"] = number
        yield event


def build(report: Any, raw: str, template: Event) -> Event:
    """The event of one X-ARF report."""
    if not isinstance(report, dict):
        raise InvalidValue("report", "is not a JSON object")
    _check_required(report)
    event = dict(template)
    event["raw"] = raw
    event["classification.type"] = _rsit_type(report)
    event["classification.identifier"] = f"{report['category']}/{report['type']}".lower()
    event["time.source"] = normalise_time(str(report["timestamp"]), "timestamp")
    put_host(event, str(report["source_identifier"]))
    if report.get("source_port") is not None:
        event["source.port"] = normalise_port(report["source_port"], "source_port")
    _category_fields(event, report)
    event["extra"] = _extra(report)
    return event


def _check_required(report: dict[str, Any]) -> None:
    missing = [key for key in (*REQUIRED, "category", "type") if not report.get(key)]
    if missing:
        raise InvalidValue("report", f"lacks required field(s) {', '.join(missing)}")
    if not str(report["xarf_version"]).startswith("4"):
        raise InvalidValue("xarf_version", f"{report['xarf_version']!r} is not X-ARF v4")


def _rsit_type(report: dict[str, Any]) -> str:
    pair = (str(report["category"]).lower(), str(report["type"]).lower())
    try:
        return XARF_TO_RSIT[pair]
    except KeyError:
        raise InvalidValue("category/type", f"{'/'.join(pair)!r} is not an X-ARF v4 type") from None


def _category_fields(event: Event, report: dict[str, Any]) -> None:
    if isinstance(report.get("url"), str):
        put_url(event, report["url"])
    if isinstance(report.get("malware_family"), str):
        event["malware.name"] = report["malware_family"].lower()
    if isinstance(report.get("c2_server"), str):
        put_host(event, report["c2_server"], "destination")
    if isinstance(report.get("service"), str):
        event["protocol.application"] = report["service"].lower()
    if isinstance(report.get("protocol"), str):
        event["protocol.application"] = report["protocol"].lower()
    if isinstance(report.get("description"), str):
        event["event_description.text"] = report["description"]


def _extra(report: dict[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {"report_id": str(report["report_id"])}
    reporter = report.get("reporter")
    if isinstance(reporter, dict):
        extra["reporter"] = {k: reporter[k] for k in ("org", "contact", "domain") if k in reporter}
    for key in ("evidence_source", "confidence", "cve", "tags", "domain"):
        if report.get(key) is not None:
            extra[key] = report[key]
    return extra
