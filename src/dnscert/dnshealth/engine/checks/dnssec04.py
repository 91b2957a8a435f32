"""DNSSEC04: Check for too short or too long RRSIG lifetimes (Zonemaster specification, same tags).

The RRSIGs of the apex DNSKEY and SOA RRsets (from the first child name server that answers)
must not have expired, must stay valid for at least 12 hours and at most 180 days from the
engine's clock, and must not span more than 180 days from inception to expiration
(RFC 6781 considerations; the limits are Zonemaster's profile defaults).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import dns.rdatatype

from dnscert.dnshealth.engine import dnssec_util as du
from dnscert.dnshealth.engine.checks.dnssec_common import (
    authoritative,
    child_servers,
    find_rrset,
    signatures_for,
)
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

REMAINING_SHORT = timedelta(hours=12)
REMAINING_LONG = timedelta(days=180)
DURATION_LONG = timedelta(days=180)


@register
class Dnssec04(TestCase):
    """DNSSEC04: signature lifetimes neither too short nor too long."""

    id = "DNSSEC04"
    module = "DNSSEC"
    description = "Check for too short or too long RRSIG lifetimes"
    tags = {
        "DURATION_LONG": Level.WARNING,
        "DURATION_OK": Level.DEBUG,
        "REMAINING_LONG": Level.WARNING,
        "REMAINING_SHORT": Level.WARNING,
        "RRSIG_EXPIRATION": Level.INFO,
        "RRSIG_EXPIRED": Level.ERROR,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        ips = (await child_servers(ctx)).ips
        key_sigs = await self._first_signatures(ctx, ips, "DNSKEY")
        if key_sigs is None:
            return []
        soa_sigs = await self._first_signatures(ctx, ips, "SOA")
        if soa_sigs is None:
            return []
        now = ctx.config.clock()
        return [message for rrsig in key_sigs + soa_sigs for message in self._judge(rrsig, now)]

    async def _first_signatures(
        self, ctx: ZoneContext, ips: list[str], rrtype: str
    ) -> list[Any] | None:
        """RRSIGs over the apex ``rrtype`` from the first server answering, None if none does."""
        for ip in ips:
            response = authoritative(await ctx.query(ip, ctx.zone, rrtype, dnssec=True))
            if response is None:
                continue
            records = find_rrset(response, "answer", dns.rdatatype.from_text(rrtype), ctx.zone)
            return [] if records is None else signatures_for(response, "answer", records)
        return None

    def _judge(self, rrsig: Any, now: datetime) -> list[Message]:
        expiration = du.rrsig_expiration(rrsig)
        common = {"keytag": rrsig.key_tag, "types": dns.rdatatype.to_text(rrsig.type_covered)}
        messages = [self.msg("RRSIG_EXPIRATION", date=expiration.isoformat(), **common)]
        remaining = expiration - now
        seconds = int(remaining.total_seconds())
        if remaining < timedelta(0):
            messages.append(self.msg("RRSIG_EXPIRED", expiration=rrsig.expiration, **common))
        elif remaining < REMAINING_SHORT:
            messages.append(self.msg("REMAINING_SHORT", duration=seconds, **common))
        elif remaining > REMAINING_LONG:
            messages.append(self.msg("REMAINING_LONG", duration=seconds, **common))
        duration = rrsig.expiration - rrsig.inception
        if duration > DURATION_LONG.total_seconds():
            messages.append(self.msg("DURATION_LONG", duration=duration, **common))
        if len(messages) == 1:
            messages.append(self.msg("DURATION_OK", duration=duration, **common))
        return messages
