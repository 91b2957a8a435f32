"""ZONE04: the SOA retry value is at least 1 hour (3600 seconds)."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.zone_soa import authoritative_soa
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

MINIMUM_RETRY = 3600


@register
class Zone04(TestCase):
    """Compare the SOA retry with its recommended minimum."""

    id = "ZONE04"
    module = "Zone"
    description = "SOA 'retry' at least 1 hour"
    tags = {
        "NO_RESPONSE_SOA_QUERY": Level.DEBUG,
        "RETRY_MINIMUM_VALUE_LOWER": Level.NOTICE,
        "RETRY_MINIMUM_VALUE_OK": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        soa = await authoritative_soa(ctx)
        if soa is None:
            return [self.msg("NO_RESPONSE_SOA_QUERY")]
        args = {"retry": soa.retry, "required_retry": MINIMUM_RETRY}
        if soa.retry < MINIMUM_RETRY:
            return [self.msg("RETRY_MINIMUM_VALUE_LOWER", **args)]
        return [self.msg("RETRY_MINIMUM_VALUE_OK", **args)]
