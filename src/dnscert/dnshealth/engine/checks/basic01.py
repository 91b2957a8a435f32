"""BASIC01: the parent zone and the zone itself exist (Zonemaster Basic-TP/basic01)."""

from __future__ import annotations

import dns.name

from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.discovery import ParentWalk, ServerAtZone
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


def _ips(servers: list[ServerAtZone]) -> str:
    return ";".join(sorted({server.address for server in servers}))


def _name(name: dns.name.Name) -> str:
    return name.to_text(omit_final_dot=True) or "."


@register
class Basic01(TestCase):
    """Find the parent zone with the SOA walk, then whether the child is delegated."""

    id = "BASIC01"
    module = "Basic"
    description = "Check for the parent zone and the zone itself"
    tags = {
        "B01_CHILD_FOUND": Level.INFO,
        "B01_CHILD_IS_ALIAS": Level.NOTICE,
        "B01_INCONSISTENT_ALIAS": Level.ERROR,
        "B01_INCONSISTENT_DELEGATION": Level.ERROR,
        "B01_NO_CHILD": Level.ERROR,
        "B01_PARENT_DISREGARDED": Level.INFO,
        "B01_PARENT_FOUND": Level.INFO,
        "B01_PARENT_NOT_FOUND": Level.WARNING,
        "B01_PARENT_UNDETERMINED": Level.WARNING,
        "B01_ROOT_HAS_NO_PARENT": Level.INFO,
        "B01_SERVER_ZONE_ERROR": Level.DEBUG,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        domain = _name(ctx.zone)
        if ctx.zone == dns.name.root:
            return [self.msg("B01_CHILD_FOUND", domain="."), self.msg("B01_ROOT_HAS_NO_PARENT")]
        if ctx.config.is_undelegated:
            return [self.msg("B01_PARENT_DISREGARDED"), self.msg("B01_CHILD_FOUND", domain=domain)]
        walk = await ctx.get_parent_walk()
        messages = self._server_errors(walk)
        messages += self._parents(walk)
        messages += self._child(walk, ctx.zone)
        messages += self._aliases(walk, domain)
        return messages

    def _server_errors(self, walk: ParentWalk) -> list[Message]:
        return [
            self.msg("B01_SERVER_ZONE_ERROR", query_name=_name(qname), rrtype=rrtype, ns_ip=ip)
            for qname, rrtype, ip in dict.fromkeys(walk.server_zone_errors)
        ]

    def _parents(self, walk: ParentWalk) -> list[Message]:
        zones = walk.parent_zones()
        if not zones:
            return [self.msg("B01_PARENT_NOT_FOUND")]
        messages = [
            self.msg("B01_PARENT_FOUND", domain=_name(zone), ns_ip_list=";".join(sorted(ips)))
            for zone, ips in zones.items()
        ]
        if len(zones) > 1:
            messages.append(self.msg("B01_PARENT_UNDETERMINED", ns_ip_list=_ips(walk.parent_found)))
        return messages

    def _child(self, walk: ParentWalk, zone: dns.name.Name) -> list[Message]:
        domain = _name(zone)
        if not walk.child_found:
            parent = _name(zone.parent())
            return [self.msg("B01_NO_CHILD", domain_child=domain, domain_super=parent)]
        messages = [self.msg("B01_CHILD_FOUND", domain=domain)]
        odd = [
            *walk.aa_nxdomain_found,
            *walk.aa_cname_found,
            *walk.cname_referral_found,
            *(server for server, _target in walk.aa_dname_found),
            *walk.aa_nodata_found,
        ]
        if odd:
            parents = sorted({_name(server.zone) for server in walk.parent_found})
            messages.append(
                self.msg(
                    "B01_INCONSISTENT_DELEGATION",
                    domain_child=domain,
                    domain_parent=";".join(parents),
                    ns_ip_list=_ips(odd),
                )
            )
        return messages

    def _aliases(self, walk: ParentWalk, domain: str) -> list[Message]:
        targets: dict[dns.name.Name, list[ServerAtZone]] = {}
        for server, target in walk.aa_dname_found:
            targets.setdefault(target, []).append(server)
        messages = [
            self.msg(
                "B01_CHILD_IS_ALIAS",
                domain_child=domain,
                domain_target=_name(target),
                ns_ip_list=_ips(servers),
            )
            for target, servers in targets.items()
        ]
        if len(targets) > 1:
            messages.append(self.msg("B01_INCONSISTENT_ALIAS", domain=domain))
        return messages
