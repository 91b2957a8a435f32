"""ZONE11: SPF policy validation (Zonemaster Zone-TP/zone11).

Every name server (delegation and zone) is asked for TXT at the apex; authoritative NOERROR
answers give each address its set of SPF policies. The policies must agree, there must be at
most one per server, and the one policy must parse. Root, TLD and ``.arpa`` zones are not
mail domains: a missing or null policy (``v=spf1 -all``) is what they should have.
"""

from __future__ import annotations

from collections import defaultdict

import dns.name
import dns.rcode
import dns.rdatatype

from dnscert.dnshealth.engine.checks.zone_spf import is_spf_record, spf_syntax_ok
from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.query import unique
from dnscert.dnshealth.engine.registry import TestCase, register

ARPA = dns.name.from_text("arpa.")
NULL_SPF = "v=spf1 -all"


def is_non_mail_domain(zone: dns.name.Name) -> bool:
    """Root, top-level domains and names under ``.arpa`` are not expected to send mail."""
    return len(zone.labels) <= 2 or zone.is_subdomain(ARPA)


def txt_strings(response: Answer, zone: dns.name.Name) -> list[str]:
    """The concatenated strings of each TXT record at ``zone`` in the answer."""
    return [
        b"".join(rdata.strings).decode("utf-8", "replace")
        for rrset in response.message.answer
        if rrset.rdtype == dns.rdatatype.TXT and rrset.name == zone
        for rdata in rrset
    ]


@register
class Zone11(TestCase):
    """Collect the SPF policies of every name server and judge consistency and syntax."""

    id = "ZONE11"
    module = "Zone"
    description = "SPF policy validation"
    tags = {
        "Z11_DIFFERENT_SPF_POLICIES_FOUND": Level.NOTICE,
        "Z11_INCONSISTENT_SPF_POLICIES": Level.WARNING,
        "Z11_NO_SPF_FOUND": Level.NOTICE,
        "Z11_NO_SPF_NON_MAIL_DOMAIN": Level.INFO,
        "Z11_NON_NULL_SPF_NON_MAIL_DOMAIN": Level.NOTICE,
        "Z11_NULL_SPF_NON_MAIL_DOMAIN": Level.INFO,
        "Z11_SPF_MULTIPLE_RECORDS": Level.WARNING,
        "Z11_SPF_SYNTAX_ERROR": Level.WARNING,
        "Z11_SPF_SYNTAX_OK": Level.INFO,
        "Z11_UNABLE_TO_CHECK_FOR_SPF": Level.ERROR,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        domain = ctx.zone.to_text(omit_final_dot=True) or "."
        policies = await self._policies(ctx)
        if not policies:
            return [self.msg("Z11_UNABLE_TO_CHECK_FOR_SPF")]
        if all(not found for found in policies.values()):
            tag = (
                "Z11_NO_SPF_NON_MAIL_DOMAIN" if is_non_mail_domain(ctx.zone) else "Z11_NO_SPF_FOUND"
            )
            return [self.msg(tag, domain=domain)]
        groups: dict[tuple[str, ...], list[NsIp]] = defaultdict(list)
        for server, found in policies.items():
            groups[tuple(sorted(found))].append(server)
        if len(groups) > 1:
            return [
                self.msg("Z11_INCONSISTENT_SPF_POLICIES"),
                *(
                    self.msg("Z11_DIFFERENT_SPF_POLICIES_FOUND", ns_list=ns_list(members))
                    for members in groups.values()
                ),
            ]
        multiple = [server for server, found in policies.items() if len(found) > 1]
        if multiple:
            return [self.msg("Z11_SPF_MULTIPLE_RECORDS", ns_list=ns_list(multiple))]
        return [self._verdict(ctx.zone, domain, next(iter(groups)), list(policies))]

    def _verdict(
        self, zone: dns.name.Name, domain: str, policy_set: tuple[str, ...], servers: list[NsIp]
    ) -> Message:
        policy = policy_set[0]
        if not spf_syntax_ok(policy):
            return self.msg("Z11_SPF_SYNTAX_ERROR", domain=domain, ns_list=ns_list(servers))
        if is_non_mail_domain(zone):
            null = " ".join(policy.split()) == NULL_SPF
            tag = "Z11_NULL_SPF_NON_MAIL_DOMAIN" if null else "Z11_NON_NULL_SPF_NON_MAIL_DOMAIN"
            return self.msg(tag, domain=domain)
        return self.msg("Z11_SPF_SYNTAX_OK", domain=domain)

    @staticmethod
    async def _policies(ctx: ZoneContext) -> dict[NsIp, list[str]]:
        """Lower-cased SPF policies per server that answered authoritatively with NOERROR."""
        delegated = await ctx.get_del_ns_names_and_ips() or []
        zone = await ctx.get_zone_ns_names_and_ips() or []
        policies: dict[NsIp, list[str]] = {}
        seen: set[str] = set()
        for server in unique(ns for ns in [*delegated, *zone] if ns.address):
            assert server.address is not None
            if server.address in seen or not ctx.can_query(server.address):
                continue
            seen.add(server.address)
            response = await ctx.query(server.address, ctx.zone, "TXT")
            if not isinstance(response, Answer):
                continue
            if response.rcode != dns.rcode.NOERROR or not response.aa:
                continue
            texts = txt_strings(response, ctx.zone)
            policies[server] = [t.lower() for t in texts if is_spf_record(t)]
        return policies
