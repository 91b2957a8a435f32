"""Measuring a batch of targets with the pure engine, and turning the outcome into rows.

The engine's ``ZoneReport`` carries the messages but neither the parent-side delegation nor
per-server timings, so each zone also gets a focused probe through the engine's
``ZoneContext``: the delegation (NS, addresses, DS) for the delegation watch, and one SOA
query per server address over UDP and over TCP (never answered from a cache) for
reachability, latency and serial. A name server host target gets the probe only.

Rows are compact (see :mod:`dnscert.dnshealth.models`): messages as ``[test_case, tag,
level, args]`` lists without DEBUG, measurements as ``[ns, address, reachable, udp_ms,
tcp_ms, serial]`` lists.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
from django.conf import settings

from dnscert.dnshealth.choices import CheckKind, HealthStatus
from dnscert.dnshealth.engine import eventloop
from dnscert.dnshealth.engine.context import Answer, NsIp, QueryResult, ZoneContext
from dnscert.dnshealth.engine.hints import read_hints
from dnscert.dnshealth.engine.model import EngineConfig, Level, Message, ZoneReport
from dnscert.dnshealth.engine.runner import Batch, check_zones

#: Test case of the messages this module writes itself (name server host targets).
PROBE_TEST_CASE = "DNSHEALTH"
NS_REACHABLE = "DH_NS_REACHABLE"
NS_UNREACHABLE = "DH_NS_UNREACHABLE"
NS_NO_ADDRESS = "DH_NS_NO_ADDRESS"

#: Engine profile per check kind.
PROFILE_FOR_KIND = {CheckKind.FULL: "default", CheckKind.REACHABILITY: "quick"}


@dataclass(frozen=True)
class DelegationState:
    """The parent-side delegation of a zone: sorted NS names, their addresses, sorted DS."""

    ns: list[str]
    glue: dict[str, list[str]]
    ds: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"ns": self.ns, "glue": self.glue, "ds": self.ds}


@dataclass
class ServerTiming:
    """One SOA probe of one server address over UDP and TCP."""

    ns: str
    address: str
    udp_ms: float | None
    tcp_ms: float | None
    serial: int | None

    @property
    def reachable(self) -> bool:
        return self.udp_ms is not None or self.tcp_ms is not None

    def as_row(self) -> list[Any]:
        return [self.ns, self.address, self.reachable, self.udp_ms, self.tcp_ms, self.serial]


@dataclass
class Measurement:
    """Everything one batch learnt about one target."""

    name: str
    report: ZoneReport | None = None
    delegation: DelegationState | None = None
    servers: list[ServerTiming] = field(default_factory=list)
    extra_messages: list[Message] = field(default_factory=list)

    @property
    def messages(self) -> list[Message]:
        engine = self.report.messages if self.report is not None else []
        return [*engine, *self.extra_messages]


# ---- configuration ----------------------------------------------------------------------------


def engine_config(check_kind: str = CheckKind.FULL) -> EngineConfig:
    """The engine configuration from the settings, for one kind of check."""
    config = EngineConfig(
        profile=PROFILE_FOR_KIND[CheckKind(check_kind)], port=settings.DNSCERT_DNS_PORT
    )
    hints_path = settings.DNSCERT_DNS_ROOT_HINTS
    if hints_path:
        config.root_hints = read_hints(hints_path)
    config.check_options["DNSCERT01"] = {"horizon_days": settings.DNSCERT_RRSIG_HORIZON_DAYS}
    return config


def ignored_tags() -> frozenset[str]:
    """Tags that never count towards a status (``DNSCERT_DNSHEALTH_IGNORE_TAGS``)."""
    return frozenset(settings.DNSCERT_DNSHEALTH_IGNORE_TAGS)


# ---- measuring -------------------------------------------------------------------------------


def _serial_of(result: QueryResult, zone: dns.name.Name) -> tuple[float | None, int | None]:
    """Latency and serial of an authoritative SOA answer; (None, None) for anything else."""
    if not isinstance(result, Answer) or result.rcode != dns.rcode.NOERROR or not result.aa:
        return None, None
    for rrset in result.message.answer:
        if rrset.rdtype == dns.rdatatype.SOA and rrset.name == zone:
            return round(result.elapsed_ms, 2), int(rrset[0].serial)
    return None, None


def _responded(result: QueryResult) -> float | None:
    """Latency of any DNS response (a host target only has to answer)."""
    return round(result.elapsed_ms, 2) if isinstance(result, Answer) else None


async def _time_soa(ctx: ZoneContext, server: NsIp, *, any_answer: bool = False) -> ServerTiming:
    assert server.address is not None
    timings: list[float | None] = []
    serial: int | None = None
    for tcp in (False, True):
        query = dns.message.make_query(ctx.zone, dns.rdatatype.SOA)
        query.flags = 0  # no RD: an authoritative probe
        result = await ctx.send(server.address, query, tcp=tcp)
        latency, found = _serial_of(result, ctx.zone)
        if any_answer and latency is None:
            latency = _responded(result)
        timings.append(latency)
        serial = serial if serial is not None else found
    name = server.name.to_text()
    return ServerTiming(name, server.address, timings[0], timings[1], serial)


def _delegation_state(servers: list[NsIp] | None, ds: list[Any]) -> DelegationState | None:
    if not servers:
        return None
    glue: dict[str, list[str]] = {}
    for server in servers:
        addresses = glue.setdefault(server.name.to_text().lower(), [])
        if server.address:
            addresses.append(server.address)
    glue = {name: sorted(addresses) for name, addresses in glue.items()}
    return DelegationState(sorted(glue), glue, sorted(rdata.to_text().upper() for rdata in ds))


async def probe_zone(name: str, batch: Batch, watch: bool) -> Measurement:
    """Delegation (when ``watch``) and per-server SOA timings of one zone."""
    ctx = ZoneContext(name, batch.config, batch.client, batch.cuts)
    measurement = Measurement(name)
    if watch and name != ".":
        delegation = await ctx.get_delegation()
        measurement.delegation = _delegation_state(delegation.ns, delegation.ds)
    servers = [ns for ns in await ctx.get_all_ns() if ns.address and ctx.can_query(ns.address)]
    measurement.servers = list(await asyncio.gather(*(_time_soa(ctx, ns) for ns in servers)))
    return measurement


async def probe_host(hostname: str, addresses: list[str], batch: Batch) -> Measurement:
    """Reachability and latency of a name server host: does each address answer at all?"""
    ctx = ZoneContext(".", batch.config, batch.client, batch.cuts)
    host = dns.name.from_text(hostname)
    known = [address for address in addresses if ctx.can_query(address)]
    known = known or [a for a in await ctx.get_ns_ips(host) if ctx.can_query(a)]
    measurement = Measurement(hostname)
    if not known:
        measurement.extra_messages.append(_probe_message(NS_NO_ADDRESS, Level.ERROR, hostname))
        return measurement
    timings = [_time_soa(ctx, NsIp(host, address), any_answer=True) for address in known]
    measurement.servers = list(await asyncio.gather(*timings))
    for timing in measurement.servers:
        tag, level = (
            (NS_REACHABLE, Level.INFO) if timing.reachable else (NS_UNREACHABLE, Level.ERROR)
        )
        measurement.extra_messages.append(_probe_message(tag, level, hostname, timing.address))
    return measurement


def _probe_message(tag: str, level: Level, hostname: str, address: str = "") -> Message:
    args = {"ns": hostname, "address": address} if address else {"ns": hostname}
    return Message(PROBE_TEST_CASE, tag, level, args)


@dataclass(frozen=True)
class Work:
    """One target to measure: a zone (with or without delegation watch) or a host."""

    name: str
    is_zone: bool
    watch: bool = False
    addresses: tuple[str, ...] = ()


async def _measure(work: list[Work], config: EngineConfig, concurrency: int) -> list[Measurement]:
    zones = [item.name for item in work if item.is_zone]
    reports: dict[str, ZoneReport] = {}
    if zones:
        async for report in check_zones(zones, config, concurrency=concurrency):
            reports[report.zone] = report
    batch = Batch(config)
    semaphore = asyncio.Semaphore(concurrency)

    async def one(item: Work) -> Measurement:
        async with semaphore:
            if not item.is_zone:
                return await probe_host(item.name, list(item.addresses), batch)
            measurement = await probe_zone(item.name, batch, item.watch)
            measurement.report = reports.get(item.name)
            return measurement

    try:
        return list(await asyncio.gather(*(one(item) for item in work)))
    finally:
        await batch.close()


def measure(work: Iterable[Work], config: EngineConfig, concurrency: int) -> list[Measurement]:
    """Measure every item (engine checks for zones, probes for all), in the order given."""
    return eventloop.run(_measure(list(work), config, concurrency))


# ---- converting ------------------------------------------------------------------------------


def status_for(messages: Iterable[Message], ignore: frozenset[str]) -> tuple[str, str]:
    """(status, worst level name) of messages, tags in ``ignore`` left out."""
    levels = [message.level for message in messages if message.tag not in ignore]
    worst = max(levels, default=None)
    if worst is None:
        return HealthStatus.GREEN, ""
    if worst >= Level.ERROR:
        return HealthStatus.RED, worst.name
    if worst >= Level.WARNING:
        return HealthStatus.AMBER, worst.name
    return HealthStatus.GREEN, worst.name


def message_rows(messages: Iterable[Message], *, keep_info: bool = True) -> list[list[Any]]:
    """Compact rows ``[test_case, tag, level, args]`` of the messages above DEBUG.

    ``keep_info=False`` keeps NOTICE and above only (INFO is about 90 % of a full check's
    messages and is kept on the latest full result of each target only).
    """
    lowest = Level.INFO if keep_info else Level.NOTICE
    rows = []
    for message in messages:
        if message.level >= lowest:
            data = message.to_dict()
            rows.append([data["test_case"], data["tag"], data["level"], data["args"]])
    return rows


def without_info(rows: list[list[Any]]) -> list[list[Any]]:
    """Stored message rows without the INFO ones (a superseded full result is compacted)."""
    return [row for row in rows if len(row) < 3 or row[2] != Level.INFO.name]


def distinct_serials(servers: Iterable[ServerTiming]) -> list[int]:
    """The distinct SOA serials the servers answered, sorted."""
    return sorted({timing.serial for timing in servers if timing.serial is not None})
