"""CONSISTENCY05: glue in the delegation matches the zone's address records (consistency05).

Tags follow the Zonemaster engine vocabulary used by its scenario data: in-bailiwick glue is
compared with the child's authoritative A/AAAA answers, out-of-bailiwick glue with a lookup.
"""

from __future__ import annotations

import dns.name
import dns.rcode
import dns.rdatatype

from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

Addresses = dict[dns.name.Name, set[str]]


def _text(name: dns.name.Name) -> str:
    return name.to_text(omit_final_dot=True)


def _ips(addresses: set[str]) -> str:
    return ";".join(sorted(addresses))


@register
class Consistency05(TestCase):
    """Compare glue with the child's address records for each name server name."""

    id = "CONSISTENCY05"
    module = "Consistency"
    description = "Consistency between glue and authoritative data"
    tags = {
        "ADDRESSES_MATCH": Level.INFO,
        "CHILD_NS_FAILED": Level.ERROR,
        "CHILD_ZONE_LAME": Level.ERROR,
        "EXTRA_ADDRESS_CHILD": Level.NOTICE,
        "IN_BAILIWICK_ADDR_MISMATCH": Level.ERROR,
        "NO_RESPONSE": Level.WARNING,
        "OUT_OF_BAILIWICK_ADDR_MISMATCH": Level.ERROR,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        glue = await self._glue(ctx)
        in_zone = {name: ips for name, ips in glue.items() if name.is_subdomain(ctx.zone)}
        out_of_zone = {name: ips for name, ips in glue.items() if name not in in_zone}
        zone_names = [n for n in await ctx.get_zone_ns_names() or [] if n.is_subdomain(ctx.zone)]
        names = list(dict.fromkeys([*in_zone, *zone_names]))
        child, messages, working = await self._child_addresses(ctx, names)
        if not working:
            servers = await ctx.get_all_ns()
            return [*messages, self.msg("CHILD_ZONE_LAME", ns_list=ns_list(servers))]
        problems = self._compare_in_zone(in_zone, child)
        problems += await self._compare_out_of_zone(ctx, out_of_zone)
        problems += self._extra(in_zone, child)
        if not problems:
            problems.append(self.msg("ADDRESSES_MATCH"))
        return messages + problems

    async def _glue(self, ctx: ZoneContext) -> Addresses:
        """Name server name -> glue addresses, from the referrals or the undelegated data."""
        glue: Addresses = {}
        if ctx.config.is_undelegated:
            for server in await ctx.get_del_ns_names_and_ips() or []:
                if server.address is not None and server.name.is_subdomain(ctx.zone):
                    glue.setdefault(server.name, set()).add(server.address)
            return glue
        for address in await ctx.get_parent_ns_ips() or []:
            response = await ctx.parent_ns_answer(address)
            if not isinstance(response, Answer):
                continue
            names = {r.target for r in response.records("NS", section="authority")}
            names |= {r.target for r in response.records("NS")}
            for rrset in response.rrsets("additional"):
                if rrset.name in names and rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                    glue.setdefault(rrset.name, set()).update(r.address for r in rrset)
        return glue

    async def _child_addresses(
        self, ctx: ZoneContext, names: list[dns.name.Name]
    ) -> tuple[Addresses, list[Message], bool]:
        """Authoritative A/AAAA of ``names`` at every child server; messages; any AA answer."""
        found: Addresses = {name: set() for name in names}
        failed: list[NsIp] = []
        silent: list[NsIp] = []
        working = False
        # The child's own name servers; the delegation's when the child names none.
        zone_ns = [s for s in await ctx.get_zone_ns_names_and_ips() or [] if s.address]
        listed = zone_ns or await ctx.get_del_ns_names_and_ips() or []
        servers = [s for s in listed if s.address and ctx.can_query(s.address)]
        for server in servers:
            assert server.address is not None
            outcome = await self._ask_server(ctx, server.address, names, found)
            if outcome == "working":
                working = True
            elif outcome == "failed":
                failed.append(server)
            else:
                silent.append(server)
        messages = []
        if silent:
            messages.append(self.msg("NO_RESPONSE", ns_list=ns_list(silent)))
        if failed:
            messages.append(self.msg("CHILD_NS_FAILED", ns_list=ns_list(failed)))
        return found, messages, working

    async def _ask_server(
        self, ctx: ZoneContext, address: str, names: list[dns.name.Name], found: Addresses
    ) -> str:
        soa = await ctx.query(address, ctx.zone, "SOA")
        if not isinstance(soa, Answer):
            return "silent"
        if soa.rcode != dns.rcode.NOERROR or not soa.aa:
            return "failed"
        for name in names:
            for rdtype in ("A", "AAAA"):
                response = await ctx.query(address, name, rdtype)
                if isinstance(response, Answer) and response.aa and response.rcode == 0:
                    found[name].update(r.address for r in response.records(rdtype, name=name))
        return "working"

    def _compare_in_zone(self, glue: Addresses, child: Addresses) -> list[Message]:
        """A glue address the child does not have is a mismatch."""
        return [
            self.msg(
                "IN_BAILIWICK_ADDR_MISMATCH",
                nsname=_text(name),
                address_list_glue=_ips(addresses),
                address_list_zone=_ips(child.get(name, set())),
            )
            for name, addresses in glue.items()
            if addresses - child.get(name, set())
        ]

    async def _compare_out_of_zone(self, ctx: ZoneContext, glue: Addresses) -> list[Message]:
        """Out-of-bailiwick glue must match what a lookup of the name gives."""
        messages = []
        for name, addresses in glue.items():
            looked_up = set(await ctx.get_ns_ips(name))
            wanted = {address for address in addresses if ctx.can_query(address)}
            if looked_up and wanted - looked_up:
                messages.append(
                    self.msg(
                        "OUT_OF_BAILIWICK_ADDR_MISMATCH",
                        nsname=_text(name),
                        address_list_glue=_ips(addresses),
                        address_list_lookup=_ips(looked_up),
                    )
                )
        return messages

    def _extra(self, glue: Addresses, child: Addresses) -> list[Message]:
        extra = [
            NsIp(name, address)
            for name, addresses in child.items()
            if name in glue
            for address in sorted(addresses - glue[name])
        ]
        return [self.msg("EXTRA_ADDRESS_CHILD", ns_list=ns_list(extra))] if extra else []
