"""ZONE01: the SOA MNAME names a reachable, authoritative primary with the highest serial."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import dns.name
import dns.rcode
import dns.rdatatype
import dns.rdtypes.ANY.SOA

from dnscert.dnshealth.engine.checks.zone_soa import name_servers
from dnscert.dnshealth.engine.context import Answer, NsIp, QueryResult, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.query import ip_address
from dnscert.dnshealth.engine.registry import TestCase, register

LOCALHOST_NAME = dns.name.from_text("localhost.")
LOCALHOST_ADDRESSES = {ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")}
HALF_SERIAL_SPACE = 2**31


def serial_greater(a: int, b: int) -> bool:
    """RFC 1982 serial number arithmetic: is ``a`` later than ``b``?"""
    return (a < b and b - a > HALF_SERIAL_SPACE) or (a > b and a - b < HALF_SERIAL_SPACE)


@dataclass
class Collected:
    """What the zone's own servers said about the SOA."""

    localhost: list[str] = field(default_factory=list)
    dot: list[str] = field(default_factory=list)
    mnames: list[dns.name.Name] = field(default_factory=list)
    serials: list[int] = field(default_factory=list)


@register
class Zone01(TestCase):
    """Compare the MNAME server's SOA with what the zone's name servers serve."""

    id = "ZONE01"
    module = "Zone"
    description = "Fully qualified master name server in SOA"
    tags = {
        "Z01_MNAME_HAS_LOCALHOST_ADDR": Level.NOTICE,
        "Z01_MNAME_IS_DOT": Level.NOTICE,
        "Z01_MNAME_IS_LOCALHOST": Level.NOTICE,
        "Z01_MNAME_IS_MASTER": Level.DEBUG,
        "Z01_MNAME_MISSING_SOA_RECORD": Level.NOTICE,
        "Z01_MNAME_NO_RESPONSE": Level.NOTICE,
        "Z01_MNAME_NOT_AUTHORITATIVE": Level.NOTICE,
        "Z01_MNAME_NOT_IN_NS_LIST": Level.INFO,
        "Z01_MNAME_NOT_MASTER": Level.NOTICE,
        "Z01_MNAME_NOT_RESOLVE": Level.NOTICE,
        "Z01_MNAME_UNEXPECTED_RCODE": Level.NOTICE,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        collected = await self._collect(ctx)
        messages: list[Message] = []
        if collected.localhost:
            messages.append(
                self.msg("Z01_MNAME_IS_LOCALHOST", ns_ip_list=";".join(collected.localhost))
            )
        if collected.dot:
            messages.append(self.msg("Z01_MNAME_IS_DOT", ns_ip_list=";".join(collected.dot)))
        if not collected.mnames:
            return messages
        child_names = set(await ctx.get_zone_ns_names() or [])
        mname_serials: list[tuple[NsIp, int]] = []
        for mname in dict.fromkeys(collected.mnames):
            if mname not in child_names:
                messages.append(self.msg("Z01_MNAME_NOT_IN_NS_LIST", nsname=_text(mname)))
            messages.extend(await self._ask_mname(ctx, mname, mname_serials))
        messages.extend(self._master_verdict(mname_serials, collected.serials))
        return messages

    @staticmethod
    async def _collect(ctx: ZoneContext) -> Collected:
        collected = Collected()
        for server in await name_servers(ctx):
            assert server.address is not None
            response = await ctx.query(server.address, ctx.zone, "SOA")
            if not isinstance(response, Answer) or response.rcode != dns.rcode.NOERROR:
                continue
            soa = _soa(response, ctx.zone)
            if soa is None or not response.aa:
                continue
            if soa.mname == LOCALHOST_NAME:
                collected.localhost.append(server.address)
            elif soa.mname == dns.name.root:
                collected.dot.append(server.address)
            else:
                collected.mnames.append(soa.mname)
            collected.serials.append(soa.serial)
        return collected

    async def _ask_mname(
        self, ctx: ZoneContext, mname: dns.name.Name, serials: list[tuple[NsIp, int]]
    ) -> list[Message]:
        addresses = await ctx.get_ns_ips(mname)
        if not addresses:
            return [self.msg("Z01_MNAME_NOT_RESOLVE", nsname=_text(mname))]
        messages: list[Message] = []
        for address in addresses:
            server = NsIp(mname, address)
            if ip_address(address) in LOCALHOST_ADDRESSES:
                messages.append(
                    self.msg("Z01_MNAME_HAS_LOCALHOST_ADDR", nsname=_text(mname), ns_ip=address)
                )
                continue
            response = await ctx.query(address, ctx.zone, "SOA")
            problem = self._mname_problem(ctx, server, response, serials)
            if problem is not None:
                messages.append(problem)
        return messages

    def _mname_problem(
        self,
        ctx: ZoneContext,
        server: NsIp,
        response: QueryResult,
        serials: list[tuple[NsIp, int]],
    ) -> Message | None:
        if not isinstance(response, Answer):
            return self.msg("Z01_MNAME_NO_RESPONSE", ns=str(server))
        if response.rcode != dns.rcode.NOERROR:
            rcode = dns.rcode.to_text(dns.rcode.Rcode.make(response.rcode))
            return self.msg("Z01_MNAME_UNEXPECTED_RCODE", ns=str(server), rcode=rcode)
        soa = _soa(response, ctx.zone)
        if soa is None:
            return self.msg("Z01_MNAME_MISSING_SOA_RECORD", ns=str(server))
        if not response.aa:
            return self.msg("Z01_MNAME_NOT_AUTHORITATIVE", ns=str(server))
        serials.append((server, soa.serial))
        return None

    def _master_verdict(
        self, mname_serials: list[tuple[NsIp, int]], zone_serials: list[int]
    ) -> list[Message]:
        not_master = [
            (server, serial)
            for server, serial in mname_serials
            if any(serial_greater(other, serial) for other in zone_serials)
        ]
        master = [server for server, serial in mname_serials if (server, serial) not in not_master]
        messages = []
        if not_master:
            highest = max(
                zone_serials, key=lambda s: sum(serial_greater(s, o) for o in zone_serials)
            )
            messages.append(
                self.msg(
                    "Z01_MNAME_NOT_MASTER",
                    ns_list=ns_list([server for server, _ in not_master]),
                    soaserial=highest,
                    soaserial_list=";".join(str(serial) for _, serial in not_master),
                )
            )
        if master:
            messages.append(self.msg("Z01_MNAME_IS_MASTER", ns_list=ns_list(master)))
        return messages


def _soa(response: Answer, zone: dns.name.Name) -> dns.rdtypes.ANY.SOA.SOA | None:
    for rrset in response.message.answer:
        if rrset.rdtype == dns.rdatatype.SOA and rrset.name == zone:
            soa: dns.rdtypes.ANY.SOA.SOA = next(iter(rrset))
            return soa
    return None


def _text(name: dns.name.Name) -> str:
    return name.to_text(omit_final_dot=True)
