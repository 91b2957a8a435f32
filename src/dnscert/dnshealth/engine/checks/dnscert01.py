"""DNSCERT01: signatures on SOA, DNSKEY and NS must not expire within the horizon (default 7 d).

Zonemaster's DNSSEC04 only warns below 12 hours of remaining validity; a DNS-CERT wants the
warning days earlier, while an operator can still fix the signer. Each name server is asked
for SOA, DNSKEY and NS with DO set, and every RRSIG over them is judged against the clock
(``EngineConfig.clock()``): expired, not yet valid, expiring within the horizon, or fine.
Option ``horizon_days`` (``check_options["DNSCERT01"]``) changes the horizon.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import dns.rdatatype

from dnscert.dnshealth.engine.checks.dnscert_common import (
    MODULE,
    name_servers,
    number_option,
    unique_addresses,
)
from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext, ns_list
from dnscert.dnshealth.engine.gathering import gather_ready
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import Question, TestCase, register

DEFAULT_HORIZON_DAYS = 7
SIGNED_TYPES = ("SOA", "DNSKEY", "NS")

EXPIRED = "DC01_RRSIG_EXPIRED"
NOT_YET_VALID = "DC01_RRSIG_NOT_YET_VALID"
EXPIRES_SOON = "DC01_RRSIG_EXPIRES_SOON"


def classify(inception: datetime, expiration: datetime, now: datetime, horizon: timedelta) -> str:
    """The tag for one signature's validity window at ``now``, or "" when it is fine."""
    if expiration <= now:
        return EXPIRED
    if inception > now:
        return NOT_YET_VALID
    if expiration - now <= horizon:
        return EXPIRES_SOON
    return ""


def _timestamp(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


@register
class Dnscert01(TestCase):
    """RRSIG expiry horizon on SOA, DNSKEY and NS at every name server."""

    id = "DNSCERT01"
    module = MODULE
    description = "Signatures on SOA, DNSKEY and NS must not expire within the horizon"
    asks_every_server = tuple(Question(rrtype, dnssec=True) for rrtype in SIGNED_TYPES)
    tags = {
        EXPIRED: Level.ERROR,
        NOT_YET_VALID: Level.ERROR,
        EXPIRES_SOON: Level.WARNING,
        "DC01_RRSIG_HORIZON_OK": Level.INFO,
        "DC01_NOT_SIGNED": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        horizon_days = number_option(ctx, self.id, "horizon_days", DEFAULT_HORIZON_DAYS)
        horizon = timedelta(days=horizon_days)
        now = ctx.config.clock()
        findings: dict[tuple[str, str], list[NsIp]] = defaultdict(list)
        earliest: dict[tuple[str, str], datetime] = {}
        signatures = 0
        grouped = unique_addresses(await name_servers(ctx))
        addresses = list(grouped)
        asked = await gather_ready(
            ctx.query_each(addresses, rrtype, dnssec=True) for rrtype in SIGNED_TYPES
        )
        answers = dict(zip(SIGNED_TYPES, asked, strict=True))
        probes = [(index, rrtype) for index in range(len(addresses)) for rrtype in SIGNED_TYPES]
        for index, rrtype in probes:
            address, response = addresses[index], answers[rrtype][index]
            for inception, expiration in _windows(response, ctx, rrtype):
                signatures += 1
                tag = classify(inception, expiration, now, horizon)
                if tag:
                    key = (tag, rrtype)
                    findings[key].extend(s for s in grouped[address] if s not in findings[key])
                    earliest[key] = min(earliest.get(key, expiration), expiration)
        return self._messages(ctx, findings, earliest, signatures, horizon_days, now)

    def _messages(
        self,
        ctx: ZoneContext,
        findings: dict[tuple[str, str], list[NsIp]],
        earliest: dict[tuple[str, str], datetime],
        signatures: int,
        horizon_days: float,
        now: datetime,
    ) -> list[Message]:
        domain = ctx.zone.to_text(omit_final_dot=True) or "."
        if not signatures:
            return [self.msg("DC01_NOT_SIGNED", domain=domain)]
        if not findings:
            return [self.msg("DC01_RRSIG_HORIZON_OK", domain=domain, horizon_days=horizon_days)]
        messages = []
        for (tag, rrtype), servers in sorted(findings.items()):
            expiration = earliest[(tag, rrtype)]
            messages.append(
                self.msg(
                    tag,
                    domain=domain,
                    rrtype=rrtype,
                    ns_list=ns_list(servers),
                    expiration=expiration.isoformat(),
                    days_left=round((expiration - now).total_seconds() / 86400, 2),
                    horizon_days=horizon_days,
                )
            )
        return messages


def _windows(response: object, ctx: ZoneContext, rrtype: str) -> list[tuple[datetime, datetime]]:
    """(inception, expiration) of each RRSIG covering ``rrtype`` at the apex in ``response``."""
    if not isinstance(response, Answer) or not response.aa:
        return []
    covered = dns.rdatatype.RdataType.make(rrtype)
    return [
        (_timestamp(rrsig.inception), _timestamp(rrsig.expiration))
        for rrsig in response.records("RRSIG", name=ctx.zone)
        if rrsig.type_covered == covered
    ]
