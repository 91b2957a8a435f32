"""ZONE05: the SOA expire value is at least a week and not lower than the refresh value."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.zone_soa import authoritative_soa
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

MINIMUM_EXPIRE = 604800


@register
class Zone05(TestCase):
    """Compare the SOA expire with its minimum and with the refresh."""

    id = "ZONE05"
    module = "Zone"
    description = "SOA 'expire' minimum value"
    tags = {
        "EXPIRE_LOWER_THAN_REFRESH": Level.WARNING,
        "EXPIRE_MINIMUM_VALUE_LOWER": Level.WARNING,
        "EXPIRE_MINIMUM_VALUE_OK": Level.INFO,
        "NO_RESPONSE_SOA_QUERY": Level.DEBUG,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        soa = await authoritative_soa(ctx)
        if soa is None:
            return [self.msg("NO_RESPONSE_SOA_QUERY")]
        messages = []
        if soa.expire < MINIMUM_EXPIRE:
            messages.append(
                self.msg(
                    "EXPIRE_MINIMUM_VALUE_LOWER", expire=soa.expire, required_expire=MINIMUM_EXPIRE
                )
            )
        if soa.expire < soa.refresh:
            messages.append(
                self.msg("EXPIRE_LOWER_THAN_REFRESH", expire=soa.expire, refresh=soa.refresh)
            )
        if not messages:
            messages.append(
                self.msg(
                    "EXPIRE_MINIMUM_VALUE_OK", expire=soa.expire, required_expire=MINIMUM_EXPIRE
                )
            )
        return messages
