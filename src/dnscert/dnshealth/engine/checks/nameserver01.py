"""NAMESERVER01: a name server should not be a recursor (Zonemaster nameserver01)."""

from __future__ import annotations

import dns.rcode
import dns.rdatatype

from dnscert.dnshealth.engine.checks.nameserver_common import address_of, queryable_name_servers
from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

#: Names that cannot exist (invalid IDNA) under domains unlikely to share servers.
PROBE_NAMES = (
    "xn--nameservertest.iis.se",
    "xn--nameservertest.icann.org",
    "xn--nameservertest.ripe.net",
)


@register
class Nameserver01(TestCase):
    """Ask each server recursive questions about names outside its zones."""

    id = "NAMESERVER01"
    module = "Nameserver"
    description = "A name server should not be a recursor"
    tags = {
        "IS_A_RECURSOR": Level.ERROR,
        "NO_RECURSOR": Level.INFO,
        "NO_RESPONSE": Level.DEBUG,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        messages: list[Message] = []
        for server in await queryable_name_servers(ctx):
            messages.extend(await self._probe(ctx, server))
        return messages

    async def _probe(self, ctx: ZoneContext, server: NsIp) -> list[Message]:
        domain = ctx.zone.to_text(omit_final_dot=True) or "."
        responses = [
            await ctx.query(address_of(server), name, "A", rd=True) for name in PROBE_NAMES
        ]
        answers = [response for response in responses if isinstance(response, Answer)]
        messages: list[Message] = []
        if len(answers) < len(responses):
            messages.append(self.msg("NO_RESPONSE", ns=str(server)))
        all_nxdomain = len(answers) == len(responses) and all(
            answer.rcode == dns.rcode.NXDOMAIN and not _authoritative_denial(answer)
            for answer in answers
        )
        if any(answer.ra for answer in answers) or all_nxdomain:
            messages.append(self.msg("IS_A_RECURSOR", ns=str(server), domain=domain))
        if not messages:
            messages.append(self.msg("NO_RECURSOR", ns=str(server), domain=domain))
        return messages


def _authoritative_denial(answer: Answer) -> bool:
    """An AA NXDOMAIN whose SOA owns the probe name: the server's own zone denies it.

    A root server (or a server of a TLD the probe names fall under) answers the probes from its
    own data; that is not recursion. A recursor's NXDOMAIN comes without AA.
    """
    if not answer.aa:
        return False
    question = answer.message.question[0].name if answer.message.question else None
    return question is not None and any(
        question.is_subdomain(rrset.name)
        for rrset in answer.message.authority
        if rrset.rdtype == dns.rdatatype.SOA
    )
