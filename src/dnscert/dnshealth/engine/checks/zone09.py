"""ZONE09: MX records are present, consistent and a Null MX is used correctly (RFC 7505)."""

from __future__ import annotations

from collections import defaultdict

import dns.name
import dns.rcode
import dns.rdatatype

from dnscert.dnshealth.engine.checks.zone11 import is_non_mail_domain
from dnscert.dnshealth.engine.checks.zone_soa import name_servers
from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

MxSet = frozenset[tuple[int, dns.name.Name]]


class Collected:
    """Per-server outcomes of the SOA then MX queries."""

    def __init__(self) -> None:
        self.no_response: list[NsIp] = []
        self.rcodes: dict[str, list[NsIp]] = defaultdict(list)
        self.non_auth: list[NsIp] = []
        self.no_mx: list[NsIp] = []
        self.mx: dict[NsIp, MxSet] = {}


@register
class Zone09(TestCase):
    """Ask each authoritative server for MX and compare the answers."""

    id = "ZONE09"
    module = "Zone"
    description = "MX record present"
    tags = {
        "Z09_INCONSISTENT_MX": Level.WARNING,
        "Z09_INCONSISTENT_MX_DATA": Level.WARNING,
        "Z09_MISSING_MAIL_TARGET": Level.NOTICE,
        "Z09_MX_DATA": Level.INFO,
        "Z09_MX_FOUND": Level.INFO,
        "Z09_NON_AUTH_MX_RESPONSE": Level.WARNING,
        "Z09_NO_MX_FOUND": Level.INFO,
        "Z09_NO_RESPONSE_MX_QUERY": Level.WARNING,
        "Z09_NULL_MX_NON_ZERO_PREF": Level.NOTICE,
        "Z09_NULL_MX_WITH_OTHER_MX": Level.WARNING,
        "Z09_ROOT_EMAIL_DOMAIN": Level.NOTICE,
        "Z09_TLD_EMAIL_DOMAIN": Level.WARNING,
        "Z09_UNEXPECTED_RCODE_MX": Level.WARNING,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        found = Collected()
        for server in await name_servers(ctx):
            await self._collect(ctx, server, found)
        messages = self._problems(found)
        if found.no_mx and found.mx:
            messages += [
                self.msg("Z09_INCONSISTENT_MX"),
                self.msg("Z09_NO_MX_FOUND", ns_ip_list=_ips(found.no_mx)),
                self.msg("Z09_MX_FOUND", ns_ip_list=_ips(list(found.mx))),
            ]
        if found.mx:
            messages += self._judge_mx(ctx.zone, found.mx)
        elif found.no_mx and not is_non_mail_domain(ctx.zone):
            messages.append(self.msg("Z09_MISSING_MAIL_TARGET"))
        return messages

    @staticmethod
    async def _collect(ctx: ZoneContext, server: NsIp, found: Collected) -> None:
        assert server.address is not None
        soa = await ctx.query(server.address, ctx.zone, "SOA")
        if not isinstance(soa, Answer) or soa.rcode != dns.rcode.NOERROR or not soa.aa:
            return
        if not soa.records("SOA", name=ctx.zone):
            return
        response = await ctx.query(server.address, ctx.zone, "MX")
        if not isinstance(response, Answer):
            found.no_response.append(server)
        elif response.rcode != dns.rcode.NOERROR:
            found.rcodes[dns.rcode.to_text(dns.rcode.Rcode.make(response.rcode))].append(server)
        elif not response.aa:
            found.non_auth.append(server)
        else:
            records = [
                (rdata.preference, rdata.exchange)
                for rrset in response.message.answer
                if rrset.rdtype == dns.rdatatype.MX and rrset.name == ctx.zone
                for rdata in rrset
            ]
            if records:
                found.mx[server] = frozenset(records)
            else:
                found.no_mx.append(server)

    def _problems(self, found: Collected) -> list[Message]:
        messages = []
        if found.no_response:
            messages.append(
                self.msg("Z09_NO_RESPONSE_MX_QUERY", ns_ip_list=_ips(found.no_response))
            )
        for rcode, servers in found.rcodes.items():
            messages.append(
                self.msg("Z09_UNEXPECTED_RCODE_MX", rcode=rcode, ns_ip_list=_ips(servers))
            )
        if found.non_auth:
            messages.append(self.msg("Z09_NON_AUTH_MX_RESPONSE", ns_ip_list=_ips(found.non_auth)))
        return messages

    def _judge_mx(self, zone: dns.name.Name, by_server: dict[NsIp, MxSet]) -> list[Message]:
        groups: dict[MxSet, list[NsIp]] = defaultdict(list)
        for server, records in by_server.items():
            groups[records].append(server)
        if len(groups) > 1:
            return [
                self.msg("Z09_INCONSISTENT_MX_DATA"),
                *(self._data(records, servers) for records, servers in groups.items()),
            ]
        records, servers = next(iter(groups.items()))
        null = [(pref, target) for pref, target in records if target == dns.name.root]
        if null:
            messages = []
            if len(records) > 1:
                messages.append(
                    self.msg("Z09_NULL_MX_WITH_OTHER_MX", mailtarget_list=_targets(records))
                )
            if any(pref != 0 for pref, _ in null):
                messages.append(self.msg("Z09_NULL_MX_NON_ZERO_PREF"))
            return messages
        if len(zone.labels) == 2:
            return [self.msg("Z09_TLD_EMAIL_DOMAIN")]
        if zone == dns.name.root:
            return [self.msg("Z09_ROOT_EMAIL_DOMAIN")]
        return [self._data(records, servers)]

    def _data(self, records: MxSet, servers: list[NsIp]) -> Message:
        return self.msg("Z09_MX_DATA", mailtarget_list=_targets(records), ns_ip_list=_ips(servers))


def _ips(servers: list[NsIp]) -> str:
    return ns_list(servers)


def _targets(records: MxSet) -> str:
    return ";".join(sorted(target.to_text() for _pref, target in records))
