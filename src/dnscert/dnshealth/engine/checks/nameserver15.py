"""NAMESERVER15: revealed software version (Zonemaster Nameserver-TP/nameserver15)."""

from __future__ import annotations

import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype

from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.names import kept_name
from dnscert.dnshealth.engine.registry import TestCase, register

QUERY_NAMES = ("version.bind", "version.server")


@register
class Nameserver15(TestCase):
    """Ask every name server CH TXT version.bind and version.server."""

    id = "NAMESERVER15"
    module = "Nameserver"
    description = "Checking for revealed software version"
    tags = {
        "N15_ERROR_ON_VERSION_QUERY": Level.NOTICE,
        "N15_NO_VERSION_REVEALED": Level.INFO,
        "N15_SOFTWARE_VERSION": Level.NOTICE,
        "N15_WRONG_CLASS": Level.WARNING,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        versions: dict[tuple[str, str], list[NsIp]] = {}
        errors: dict[str, list[NsIp]] = {}
        asked: list[NsIp] = []
        wrong_class: list[NsIp] = []
        for server in await ctx.get_all_ns():
            if server.address is None or not ctx.can_query(server.address):
                continue
            if not isinstance(await ctx.query(server.address, ctx.zone, "SOA"), Answer):
                continue
            asked.append(server)
            for qname in QUERY_NAMES:
                await self._ask(ctx, server, qname, versions, errors, wrong_class)
        return self._report(versions, errors, asked, wrong_class)

    async def _ask(
        self,
        ctx: ZoneContext,
        server: NsIp,
        qname: str,
        versions: dict[tuple[str, str], list[NsIp]],
        errors: dict[str, list[NsIp]],
        wrong_class: list[NsIp],
    ) -> None:
        assert server.address is not None
        response = await ctx.query(server.address, qname, "TXT", qclass="CH")
        if not isinstance(response, Answer) or response.rcode == dns.rcode.SERVFAIL:
            errors.setdefault(qname, []).append(server)
            return
        owner = kept_name(qname)
        for rrset in response.rrsets("answer"):
            if rrset.rdtype != dns.rdatatype.TXT or rrset.name != owner:
                continue
            if rrset.rdclass != dns.rdataclass.CH and server not in wrong_class:
                wrong_class.append(server)
            for rdata in rrset:
                text = b"".join(rdata.strings).decode("utf-8", "replace")
                if text.strip():
                    versions.setdefault((qname, text), []).append(server)

    def _report(
        self,
        versions: dict[tuple[str, str], list[NsIp]],
        errors: dict[str, list[NsIp]],
        asked: list[NsIp],
        wrong_class: list[NsIp],
    ) -> list[Message]:
        messages = [
            self.msg("N15_SOFTWARE_VERSION", ns_list=ns_list(servers), query_name=q, string=text)
            for (q, text), servers in versions.items()
        ]
        messages += [
            self.msg("N15_ERROR_ON_VERSION_QUERY", ns_list=ns_list(servers), query_name=q)
            for q, servers in errors.items()
        ]
        revealing = {server for servers in versions.values() for server in servers}
        silent = [server for server in asked if server not in revealing]
        if silent:
            messages.append(self.msg("N15_NO_VERSION_REVEALED", ns_list=ns_list(silent)))
        if wrong_class:
            messages.append(self.msg("N15_WRONG_CLASS", ns_list=ns_list(wrong_class)))
        return messages
