"""CONSISTENCY02: SOA RNAME consistency (Zonemaster Consistency-TP/consistency02)."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.consistency_common import first_soa, survey
from dnscert.dnshealth.engine.context import Answer, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


def _rname(response: Answer) -> str | None:
    soa = first_soa(response)
    return soa.rname.to_text().lower() if soa is not None else None


@register
class Consistency02(TestCase):
    """Every name server gives the same SOA RNAME (administrative contact)."""

    id = "CONSISTENCY02"
    module = "Consistency"
    description = "SOA RNAME consistency"
    tags = {
        "MULTIPLE_SOA_RNAMES": Level.NOTICE,
        "NO_RESPONSE": Level.DEBUG,
        "NO_RESPONSE_SOA_QUERY": Level.DEBUG,
        "ONE_SOA_RNAME": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        found = await survey(ctx, "SOA", _rname)
        messages = [self.msg("NO_RESPONSE", ns=str(server)) for server in found.silent]
        messages += [self.msg("NO_RESPONSE_SOA_QUERY", ns=str(s)) for s in found.without_data]
        if len(found.groups) == 1:
            messages.append(self.msg("ONE_SOA_RNAME", rname=next(iter(found.groups))))
        elif found.groups:
            messages += [
                self.msg("MULTIPLE_SOA_RNAMES", rname=rname, ns_list=ns_list(servers))
                for rname, servers in found.groups.items()
            ]
        return messages
