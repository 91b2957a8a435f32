"""NAMESERVER08: the query name's case is kept in the answer (Zonemaster nameserver08)."""

from __future__ import annotations

import random

import dns.name

from dnscert.dnshealth.engine.checks.nameserver_common import address_of, queryable_name_servers
from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


def mixed_case(name: dns.name.Name, seed: int = 0x20) -> dns.name.Name:
    """``name`` with letters in a mixed case ("0x20" probing); never all lower case."""
    chooser = random.Random(seed)
    labels = []
    for label in name.labels:
        letters = bytes(
            c ^ 0x20 if chr(c).isalpha() and chooser.random() < 0.5 else c for c in label
        )
        labels.append(letters)
    mixed = dns.name.Name(labels)
    if mixed.labels == name.labels:
        mixed = dns.name.Name([label.upper() for label in name.labels])
    return mixed


@register
class Nameserver08(TestCase):
    """Ask the apex SOA with a mixed-case name; the question must come back unchanged."""

    id = "NAMESERVER08"
    module = "Nameserver"
    description = "Testing QNAME case insensitivity"
    tags = {
        "QNAME_CASE_INSENSITIVE": Level.NOTICE,
        "QNAME_CASE_SENSITIVE": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        probe = mixed_case(ctx.zone)
        kept: list[NsIp] = []
        changed: list[NsIp] = []
        for server in await queryable_name_servers(ctx):
            response = await ctx.query(address_of(server), probe, "SOA")
            if not isinstance(response, Answer) or not response.message.question:
                continue
            same = response.message.question[0].name.labels == probe.labels
            (kept if same else changed).append(server)
        query_name = probe.to_text(omit_final_dot=True)
        messages = []
        if kept:
            messages.append(
                self.msg("QNAME_CASE_SENSITIVE", ns_list=ns_list(kept), query_name=query_name)
            )
        if changed:
            messages.append(
                self.msg("QNAME_CASE_INSENSITIVE", ns_list=ns_list(changed), query_name=query_name)
            )
        return messages
