"""DNSSEC06: Verify DNSSEC additional processing (Zonemaster specification, same tags).

RFC 4035 section 3.1: a DNSSEC-aware authoritative server adds the RRSIGs to its answers when
the DO bit is set. Every child name server is asked for the DNSKEY RRset with DO set and must
return both the keys and their RRSIGs. Only a signed zone is judged (as Zonemaster runs this
test case only once DNSSEC07 found a DNSKEY).
"""

from __future__ import annotations

import dns.rcode
import dns.rdatatype

from dnscert.dnshealth.engine.checks.dnssec_common import child_servers
from dnscert.dnshealth.engine.context import Answer, ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Dnssec06(TestCase):
    """DNSSEC06: servers add RRSIGs to DNSKEY answers when asked with DO."""

    id = "DNSSEC06"
    module = "DNSSEC"
    description = "Verify DNSSEC additional processing"
    tags = {
        "EXTRA_PROCESSING_BROKEN": Level.ERROR,
        "EXTRA_PROCESSING_OK": Level.DEBUG,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        ips = (await child_servers(ctx)).ips
        results = await ctx.query_each(list(ips), "DNSKEY", dnssec=True)
        answers = [(ip, r) for ip, r in zip(ips, results, strict=True) if isinstance(r, Answer)]
        counted = [(ip, *self._counts(answer, ctx)) for ip, answer in answers]
        if not any(keys for _ip, keys, _sigs, _rcode in counted):
            return []  # not a signed zone: nothing to judge
        out = []
        for ip, keys, sigs, rcode in counted:
            if keys and sigs:
                out.append(self.msg("EXTRA_PROCESSING_OK", server=ip, keys=keys, sigs=sigs))
            elif rcode == dns.rcode.NOERROR:
                out.append(self.msg("EXTRA_PROCESSING_BROKEN", server=ip, keys=keys, sigs=sigs))
        return out

    @staticmethod
    def _counts(answer: Answer, ctx: ZoneContext) -> tuple[int, int, int]:
        keys = len(answer.records("DNSKEY", name=ctx.zone))
        sigs = sum(
            1
            for rrsig in answer.records("RRSIG", name=ctx.zone)
            if rrsig.type_covered == dns.rdatatype.DNSKEY
        )
        return keys, sigs, answer.rcode
