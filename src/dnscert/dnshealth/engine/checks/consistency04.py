"""CONSISTENCY04: name server NS consistency (Zonemaster Consistency-TP/consistency04)."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.consistency_common import survey
from dnscert.dnshealth.engine.context import Answer, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


def _ns_set(response: Answer) -> frozenset[str] | None:
    names = {rdata.target.to_text().lower() for rdata in response.records("NS")}
    return frozenset(names) if names else None


@register
class Consistency04(TestCase):
    """Every name server gives the same NS RRset for the apex."""

    id = "CONSISTENCY04"
    module = "Consistency"
    description = "Name server NS consistency"
    tags = {
        "MULTIPLE_NS_SET": Level.NOTICE,
        "NO_RESPONSE": Level.DEBUG,
        "NO_RESPONSE_NS_QUERY": Level.DEBUG,
        "NS_SET": Level.INFO,
        "ONE_NS_SET": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        found = await survey(ctx, "NS", _ns_set)
        messages = [self.msg("NO_RESPONSE", ns=str(server)) for server in found.silent]
        messages += [self.msg("NO_RESPONSE_NS_QUERY", ns=str(s)) for s in found.without_data]
        groups = list(found.groups.items())
        if len(groups) == 1:
            messages.append(self.msg("ONE_NS_SET", nsname_list=";".join(sorted(groups[0][0]))))
        elif groups:
            messages.append(self.msg("MULTIPLE_NS_SET", count=len(groups)))
            messages += [
                self.msg("NS_SET", nsname_list=";".join(sorted(names)), ns_list=ns_list(servers))
                for names, servers in groups
            ]
        return messages
