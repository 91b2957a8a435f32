"""ZONE06: the SOA minimum (negative caching TTL) is between 5 minutes and 1 day."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.zone_soa import authoritative_soa
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

LOWEST_MINIMUM = 300
HIGHEST_MINIMUM = 86400


@register
class Zone06(TestCase):
    """Compare the SOA minimum with the recommended range."""

    id = "ZONE06"
    module = "Zone"
    description = "SOA 'minimum' value"
    tags = {
        "NO_RESPONSE_SOA_QUERY": Level.DEBUG,
        "SOA_DEFAULT_TTL_MAXIMUM_VALUE_HIGHER": Level.NOTICE,
        "SOA_DEFAULT_TTL_MAXIMUM_VALUE_LOWER": Level.NOTICE,
        "SOA_DEFAULT_TTL_MAXIMUM_VALUE_OK": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        soa = await authoritative_soa(ctx)
        if soa is None:
            return [self.msg("NO_RESPONSE_SOA_QUERY")]
        args = {
            "minimum": soa.minimum,
            "highest_minimum": HIGHEST_MINIMUM,
            "lowest_minimum": LOWEST_MINIMUM,
        }
        if soa.minimum > HIGHEST_MINIMUM:
            return [self.msg("SOA_DEFAULT_TTL_MAXIMUM_VALUE_HIGHER", **args)]
        if soa.minimum < LOWEST_MINIMUM:
            return [self.msg("SOA_DEFAULT_TTL_MAXIMUM_VALUE_LOWER", **args)]
        return [self.msg("SOA_DEFAULT_TTL_MAXIMUM_VALUE_OK", **args)]
