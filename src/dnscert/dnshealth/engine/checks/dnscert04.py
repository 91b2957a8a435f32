"""DNSCERT04: root and TLD servers against RSSAC047's availability and latency thresholds.

RSSAC047 (ICANN, 2020) sets for each root server identifier: availability >= 96 % (per
transport and address family), median response latency <= 250 ms over UDP and <= 500 ms over
TCP. This test case applies the same thresholds, from this run's single vantage point, to
every name server address of a root or TLD zone: ``probes`` (default 5) SOA queries over UDP
and as many over TCP, never answered from the cache. A probe counts as available when an
authoritative NOERROR answer with the SOA arrives within the engine's timeout and retries.
Option ``all_zones`` applies it below the TLDs too.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import dns.message
import dns.rcode
import dns.rdatatype

from dnscert.dnshealth.engine.checks.dnscert_common import (
    MODULE,
    check_option,
    name_servers,
    number_option,
    unique_addresses,
)
from dnscert.dnshealth.engine.context import Answer, QueryResult, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

MIN_AVAILABILITY = 0.96
MAX_MEDIAN_UDP_MS = 250.0
MAX_MEDIAN_TCP_MS = 500.0
DEFAULT_PROBES = 5


@dataclass(frozen=True)
class TransportFigures:
    """Availability and median latency of one server over one transport."""

    probes: int
    answered: int
    median_ms: float | None

    @property
    def availability(self) -> float:
        """Share of probes answered correctly (0.0 when nothing was sent)."""
        return self.answered / self.probes if self.probes else 0.0


def figures(latencies: list[float | None]) -> TransportFigures:
    """Figures of one transport from per-probe latencies (None: the probe failed)."""
    answered = [value for value in latencies if value is not None]
    median = statistics.median(answered) if answered else None
    return TransportFigures(len(latencies), len(answered), median)


def breaches(udp: TransportFigures, tcp: TransportFigures) -> list[str]:
    """The RSSAC047 thresholds the figures miss, as tags (empty when all are met)."""
    found = []
    if udp.availability < MIN_AVAILABILITY or tcp.availability < MIN_AVAILABILITY:
        found.append("DC04_AVAILABILITY_LOW")
    if udp.median_ms is not None and udp.median_ms > MAX_MEDIAN_UDP_MS:
        found.append("DC04_UDP_LATENCY_HIGH")
    if tcp.median_ms is not None and tcp.median_ms > MAX_MEDIAN_TCP_MS:
        found.append("DC04_TCP_LATENCY_HIGH")
    return found


def probe_latency(result: QueryResult, zone: dns.name.Name) -> float | None:
    """The latency of a correct SOA answer in milliseconds, or None for a failed probe."""
    if not isinstance(result, Answer) or result.rcode != dns.rcode.NOERROR or not result.aa:
        return None
    if zone not in result.owners(dns.rdatatype.SOA):
        return None
    return result.elapsed_ms


@register
class Dnscert04(TestCase):
    """RSSAC047-style availability and latency of root and TLD name servers."""

    id = "DNSCERT04"
    module = MODULE
    description = "Root and TLD servers must meet RSSAC047's availability and latency figures"
    tags = {
        "DC04_AVAILABILITY_LOW": Level.WARNING,
        "DC04_UDP_LATENCY_HIGH": Level.WARNING,
        "DC04_TCP_LATENCY_HIGH": Level.WARNING,
        "DC04_SERVER_OK": Level.INFO,
        "DC04_NOT_APPLICABLE": Level.DEBUG,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        top_level = len(ctx.zone.labels) <= 2
        if not top_level and not check_option(ctx, self.id, "all_zones", False):
            return [self.msg("DC04_NOT_APPLICABLE", domain=ctx.zone.to_text())]
        probes = int(number_option(ctx, self.id, "probes", DEFAULT_PROBES))
        messages = []
        for address, servers in unique_addresses(await name_servers(ctx)).items():
            udp = figures([await self._probe(ctx, address, False) for _ in range(probes)])
            tcp = figures([await self._probe(ctx, address, True) for _ in range(probes)])
            args = _arguments(ns_list(servers), udp, tcp)
            found = breaches(udp, tcp)
            messages += [self.msg(tag, **args) for tag in found] or [
                self.msg("DC04_SERVER_OK", **args)
            ]
        return messages

    async def _probe(self, ctx: ZoneContext, address: str, tcp: bool) -> float | None:
        query = dns.message.make_query(ctx.zone, dns.rdatatype.SOA)
        query.flags = 0  # no RD: an authoritative probe, as RSSAC047 measures
        return probe_latency(await ctx.send(address, query, tcp=tcp), ctx.zone)


def _arguments(servers: str, udp: TransportFigures, tcp: TransportFigures) -> dict[str, object]:
    return {
        "ns_list": servers,
        "probes": udp.probes,
        "udp_availability": round(udp.availability, 3),
        "tcp_availability": round(tcp.availability, 3),
        "udp_median_ms": None if udp.median_ms is None else round(udp.median_ms, 2),
        "tcp_median_ms": None if tcp.median_ms is None else round(tcp.median_ms, 2),
        "min_availability": MIN_AVAILABILITY,
        "max_udp_median_ms": MAX_MEDIAN_UDP_MS,
        "max_tcp_median_ms": MAX_MEDIAN_TCP_MS,
    }
