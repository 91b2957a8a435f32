"""CONSISTENCY06: SOA MNAME consistency (Zonemaster Consistency-TP/consistency06)."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.consistency_common import first_soa, survey
from dnscert.dnshealth.engine.context import Answer, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


def _mname(response: Answer) -> str | None:
    soa = first_soa(response)
    return soa.mname.to_text().lower() if soa is not None else None


@register
class Consistency06(TestCase):
    """Every name server gives the same SOA MNAME (primary server)."""

    id = "CONSISTENCY06"
    module = "Consistency"
    description = "SOA MNAME consistency"
    tags = {
        "MULTIPLE_SOA_MNAMES": Level.NOTICE,
        "NO_RESPONSE": Level.DEBUG,
        "NO_RESPONSE_SOA_QUERY": Level.DEBUG,
        "ONE_SOA_MNAME": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        found = await survey(ctx, "SOA", _mname)
        messages = [self.msg("NO_RESPONSE", ns=str(server)) for server in found.silent]
        messages += [self.msg("NO_RESPONSE_SOA_QUERY", ns=str(s)) for s in found.without_data]
        if len(found.groups) == 1:
            messages.append(self.msg("ONE_SOA_MNAME", mname=next(iter(found.groups))))
        elif found.groups:
            messages += [
                self.msg("MULTIPLE_SOA_MNAMES", mname=mname, ns_list=ns_list(servers))
                for mname, servers in found.groups.items()
            ]
        return messages
