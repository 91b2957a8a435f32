"""NAMESERVER09: answers do not depend on the query name's case (Zonemaster nameserver09)."""

from __future__ import annotations

import dns.name
import dns.rcode

from dnscert.dnshealth.engine.checks.nameserver08 import mixed_case
from dnscert.dnshealth.engine.checks.nameserver_common import address_of, queryable_name_servers
from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


def _outcome(response: Answer) -> tuple[str, frozenset[str]]:
    """The rcode and the answer records, case folded (what must not depend on the case)."""
    records = frozenset(
        f"{rrset.name.to_text().lower()} {rrset.rdtype} {rdata.to_text().lower()}"
        for rrset in response.message.answer
        for rdata in rrset
    )
    return dns.rcode.to_text(dns.rcode.Rcode.make(response.rcode)), records


@register
class Nameserver09(TestCase):
    """Ask the apex SOA in two different mixed cases; both answers must be the same."""

    id = "NAMESERVER09"
    module = "Nameserver"
    description = "Testing QNAME case sensitivity"
    tags = {
        "CASE_QUERIES_RESULTS_DIFFER": Level.WARNING,
        "CASE_QUERIES_RESULTS_OK": Level.INFO,
        "CASE_QUERY_DIFFERENT_ANSWER": Level.DEBUG,
        "CASE_QUERY_DIFFERENT_RC": Level.DEBUG,
        "CASE_QUERY_NO_ANSWER": Level.DEBUG,
        "CASE_QUERY_SAME_ANSWER": Level.DEBUG,
        "CASE_QUERY_SAME_RC": Level.DEBUG,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        first, second = mixed_case(ctx.zone, 1), mixed_case(ctx.zone, 2)
        messages: list[Message] = []
        for server in await queryable_name_servers(ctx):
            messages += await self._compare(ctx, server, first, second)
        differ = {"CASE_QUERY_DIFFERENT_ANSWER", "CASE_QUERY_DIFFERENT_RC"}
        if any(message.tag in differ for message in messages):
            messages.append(self.msg("CASE_QUERIES_RESULTS_DIFFER"))
        elif messages:
            messages.append(self.msg("CASE_QUERIES_RESULTS_OK"))
        return messages

    async def _compare(
        self, ctx: ZoneContext, server: NsIp, first: dns.name.Name, second: dns.name.Name
    ) -> list[Message]:
        address = address_of(server)
        names = [first, second]
        responses = [await ctx.query(address, name, "SOA") for name in names]
        if not all(isinstance(response, Answer) for response in responses):
            return [self.msg("CASE_QUERY_NO_ANSWER", ns=str(server))]
        (rcode1, records1), (rcode2, records2) = (
            _outcome(response) for response in responses if isinstance(response, Answer)
        )
        query1, query2 = (name.to_text(omit_final_dot=True) for name in names)
        args = {"ns": str(server), "query1": query1, "query2": query2}
        if records1 or records2:
            tag = "SAME_ANSWER" if records1 == records2 else "DIFFERENT_ANSWER"
        else:
            tag = "SAME_RC" if rcode1 == rcode2 else "DIFFERENT_RC"
            args.update(rcode1=rcode1, rcode2=rcode2)
        return [self.msg(f"CASE_QUERY_{tag}", **args)]
