"""Shadowserver CSV reports: a few common report types, with their real column names.

The report type is detected from the header row, or set with the ``report`` option:

===================  ======================================  ===================================
report               Shadowserver name                       classification (RSIT)
===================  ======================================  ===================================
``scan_dns``         Accessible / Open DNS Resolvers         vulnerable / ddos-amplifier
``scan_ntp``         NTP Version                             vulnerable / vulnerable-system
``scan_ntpmonitor``  NTP Monitor (monlist)                   vulnerable / ddos-amplifier
``event4_sinkhole``  Sinkhole Events (IPv4)                  malicious-code / infected-system
``botnet_drone``     Drone (legacy botnet drone report)      malicious-code / infected-system
``blocklist``        Blocklist                               other / blocklist
===================  ======================================  ===================================

The key columns (timestamp and the reported address) must be valid or the row fails. Other
mapped columns that hold a bad value (Shadowserver rows do carry junk such as ``default``
for a DNS name) are kept in ``extra`` under their column name instead; every unmapped
non-empty column is kept in ``extra`` too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from dnscert.core.exceptions import InvalidInput
from dnscert.intel.feeds.indicators import put_network, set_field
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
from dnscert.intel.schema import Event, InvalidValue

_SCAN_COLUMNS = {
    "timestamp": "time.source",
    "ip": "source.ip",
    "protocol": "protocol.transport",
    "port": "source.port",
    "hostname": "source.reverse_dns",
    "asn": "source.asn",
    "geo": "source.geolocation.cc",
}


@dataclass(frozen=True)
class Report:
    """How one Shadowserver report type maps onto the event schema."""

    name: str
    columns: dict[str, str]
    key_columns: tuple[str, ...]
    classification_type: str
    identifier: str | None = None
    application: str | None = None
    malware_column: str | None = None
    identifier_column: str | None = None
    signature: frozenset[str] = field(default_factory=frozenset)


REPORTS: dict[str, Report] = {
    report.name: report
    for report in (
        Report(
            "scan_dns",
            _SCAN_COLUMNS,
            ("timestamp", "ip"),
            "ddos-amplifier",
            identifier="dns-open-resolver",
            application="dns",
            signature=frozenset({"ip", "dns_version", "min_amplification"}),
        ),
        Report(
            "scan_ntpmonitor",
            _SCAN_COLUMNS,
            ("timestamp", "ip"),
            "ddos-amplifier",
            identifier="ntp-monitor",
            application="ntp",
            signature=frozenset({"ip", "packets", "size"}),
        ),
        Report(
            "scan_ntp",
            _SCAN_COLUMNS,
            ("timestamp", "ip"),
            "vulnerable-system",
            identifier="ntp-version",
            application="ntp",
            signature=frozenset({"ip", "stratum", "refid"}),
        ),
        Report(
            "event4_sinkhole",
            {
                "timestamp": "time.source",
                "protocol": "protocol.transport",
                "src_ip": "source.ip",
                "src_port": "source.port",
                "src_asn": "source.asn",
                "src_geo": "source.geolocation.cc",
                "src_hostname": "source.reverse_dns",
                "dst_ip": "destination.ip",
                "dst_port": "destination.port",
                "dst_asn": "destination.asn",
                "dst_geo": "destination.geolocation.cc",
                "dst_hostname": "destination.fqdn",
            },
            ("timestamp", "src_ip"),
            "infected-system",
            malware_column="infection",
            identifier_column="infection",
            signature=frozenset({"src_ip", "dst_ip", "infection"}),
        ),
        Report(
            "botnet_drone",
            {
                "timestamp": "time.source",
                "ip": "source.ip",
                "port": "source.port",
                "asn": "source.asn",
                "geo": "source.geolocation.cc",
                "hostname": "source.reverse_dns",
                "type": "protocol.transport",
                "cc_ip": "destination.ip",
                "cc_port": "destination.port",
                "cc_asn": "destination.asn",
                "cc_geo": "destination.geolocation.cc",
                "cc_dns": "destination.fqdn",
                "url": "extra.url",
            },
            ("timestamp", "ip"),
            "infected-system",
            malware_column="infection",
            identifier_column="infection",
            signature=frozenset({"ip", "infection", "cc_ip"}),
        ),
        Report(
            "blocklist",
            {
                "timestamp": "time.source",
                "ip": "source.ip",
                "hostname": "source.reverse_dns",
                "asn": "source.asn",
                "geo": "source.geolocation.cc",
                "reason": "event_description.text",
            },
            ("timestamp", "ip"),
            "blocklist",
            identifier="blocklist",
            signature=frozenset({"ip", "source", "reason"}),
        ),
    )
}


@register("shadowserver")
def parse(
    lines: Lines, *, feed_name: str, options: Mapping[str, Any] | None = None
) -> Iterator[Item]:
    """Events from a Shadowserver CSV report."""
    opts = check_options(options, ("report",), "shadowserver")
    forced = opts.get("report")
    if forced is not None and forced not in REPORTS:
        raise InvalidInput("report", f"unknown report {forced!r}; known: {', '.join(REPORTS)}")
    reader = ReportReader(event_template(feed_name, opts), forced, opts.get("classification_type"))
    return parse_records(lines, read_settings(feed_name, opts), reader.build)


def detect(header: list[str]) -> Report:
    """The report type whose signature columns are all in the header."""
    names = set(header)
    for report in REPORTS.values():
        if report.signature <= names:
            return report
    raise InvalidValue("header", "matches no known Shadowserver report; set the 'report' option")


class ReportReader:
    """Reads the header, then turns each row into an event."""

    def __init__(self, template: Event, forced: str | None, forced_type: str | None) -> None:
        self.template = template
        self.report: Report | None = REPORTS[forced] if forced else None
        self.forced_type = forced_type
        self.header: list[str] | None = None
        self.header_problem: str | None = None

    def build(self, number: int, text: str) -> Event | None:
        """The event of one row; ``None`` for the header."""
        row = split_csv(text)
        if self.header_problem:
            raise InvalidValue("row", f"cannot be read: {self.header_problem}")
        if self.header is None:
            self._read_header(number, row)
            return None
        if len(row) != len(self.header):
            raise InvalidValue("row", f"has {len(row)} fields, the header has {len(self.header)}")
        assert self.report is not None  # set with the header
        return _event(self.report, dict(zip(self.header, row, strict=True)), text, self._base())

    def _base(self) -> Event:
        event = dict(self.template)
        if self.forced_type:
            event["classification.type"] = self.forced_type
        return event

    def _read_header(self, number: int, row: list[str]) -> None:
        header = [name.strip().lower() for name in row]
        try:
            report = self.report or detect(header)
            missing = [name for name in report.key_columns if name not in header]
            if missing:
                raise InvalidValue("header", f"lacks the column(s) {', '.join(missing)}")
        except InvalidValue as exc:
            self.header_problem = f"the header on line {number} is unusable ({exc.problem})"
            raise
        self.report, self.header = report, header


def _event(report: Report, row: dict[str, str], text: str, event: Event) -> Event:
    event["raw"] = text
    event.setdefault("classification.type", report.classification_type)
    extra: dict[str, Any] = {}
    for column, value in row.items():
        target = report.columns.get(column)
        if target is None:
            if value.strip():
                extra[column] = value.strip()
            continue
        _set(event, extra, column, target, value, column in report.key_columns)
    _labels(report, row, event)
    if extra:
        event["extra"] = extra
    return event


def _set(
    event: Event, extra: dict[str, Any], column: str, target: str, value: str, key: bool
) -> None:
    if target == "source.ip" and "/" in value:
        put_network(event, value)
        return
    try:
        set_field(event, target, value)
    except InvalidValue:
        if key:
            raise
        extra[column] = value.strip()
    if target.startswith("extra.") and "extra" in event:
        extra.update(event.pop("extra"))


def _labels(report: Report, row: dict[str, str], event: Event) -> None:
    if report.identifier:
        event["classification.identifier"] = report.identifier
    if report.application:
        event["protocol.application"] = report.application
    infection = row.get(report.malware_column or "", "").strip().lower()
    if infection:
        event["malware.name"] = row.get("family", "").strip().lower() or infection
    if report.identifier_column and infection:
        event["classification.identifier"] = infection
    if "time.source" not in event:
        raise InvalidValue("timestamp", "is empty")
    if "source.ip" not in event and "source.network" not in event:
        raise InvalidValue(report.key_columns[1], "is empty")
