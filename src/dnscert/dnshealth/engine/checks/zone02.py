"""ZONE02: the SOA refresh value is at least 4 hours (14400 seconds)."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.zone_soa import authoritative_soa
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

MINIMUM_REFRESH = 14400


@register
class Zone02(TestCase):
    """Compare the SOA refresh with its recommended minimum."""

    id = "ZONE02"
    module = "Zone"
    description = "SOA 'refresh' minimum value"
    tags = {
        "NO_RESPONSE_SOA_QUERY": Level.DEBUG,
        "REFRESH_MINIMUM_VALUE_LOWER": Level.NOTICE,
        "REFRESH_MINIMUM_VALUE_OK": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        soa = await authoritative_soa(ctx)
        if soa is None:
            return [self.msg("NO_RESPONSE_SOA_QUERY")]
        args = {"refresh": soa.refresh, "required_refresh": MINIMUM_REFRESH}
        if soa.refresh < MINIMUM_REFRESH:
            return [self.msg("REFRESH_MINIMUM_VALUE_LOWER", **args)]
        return [self.msg("REFRESH_MINIMUM_VALUE_OK", **args)]
