"""CONSISTENCY03: SOA timers consistency (Zonemaster Consistency-TP/consistency03)."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.consistency_common import first_soa, survey
from dnscert.dnshealth.engine.context import Answer, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

TIMERS = ("refresh", "retry", "expire", "minimum")


def _timers(response: Answer) -> tuple[int, ...] | None:
    soa = first_soa(response)
    return tuple(int(getattr(soa, timer)) for timer in TIMERS) if soa is not None else None


@register
class Consistency03(TestCase):
    """Every name server gives the same SOA refresh, retry, expire and minimum."""

    id = "CONSISTENCY03"
    module = "Consistency"
    description = "SOA timers consistency"
    tags = {
        "MULTIPLE_SOA_TIME_PARAMETER_SET": Level.NOTICE,
        "NO_RESPONSE": Level.DEBUG,
        "NO_RESPONSE_SOA_QUERY": Level.DEBUG,
        "ONE_SOA_TIME_PARAMETER_SET": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        found = await survey(ctx, "SOA", _timers)
        messages = [self.msg("NO_RESPONSE", ns=str(server)) for server in found.silent]
        messages += [self.msg("NO_RESPONSE_SOA_QUERY", ns=str(s)) for s in found.without_data]
        groups = list(found.groups.items())
        if len(groups) == 1:
            messages.append(self.msg("ONE_SOA_TIME_PARAMETER_SET", **_named(groups[0][0])))
        elif groups:
            messages += [
                self.msg("MULTIPLE_SOA_TIME_PARAMETER_SET", ns_list=ns_list(servers), **_named(t))
                for t, servers in groups
            ]
        return messages


def _named(timers: object) -> dict[str, int]:
    assert isinstance(timers, tuple)
    return dict(zip(TIMERS, timers, strict=True))
