"""ZONE03: the SOA retry value is lower than the refresh value."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.zone_soa import authoritative_soa
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Zone03(TestCase):
    """A secondary that retries no sooner than it refreshes never retries."""

    id = "ZONE03"
    module = "Zone"
    description = "SOA 'retry' lower than 'refresh'"
    tags = {
        "NO_RESPONSE_SOA_QUERY": Level.DEBUG,
        "REFRESH_HIGHER_THAN_RETRY": Level.INFO,
        "REFRESH_LOWER_THAN_RETRY": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        soa = await authoritative_soa(ctx)
        if soa is None:
            return [self.msg("NO_RESPONSE_SOA_QUERY")]
        args = {"retry": soa.retry, "refresh": soa.refresh}
        if soa.retry < soa.refresh:
            return [self.msg("REFRESH_HIGHER_THAN_RETRY", **args)]
        return [self.msg("REFRESH_LOWER_THAN_RETRY", **args)]
