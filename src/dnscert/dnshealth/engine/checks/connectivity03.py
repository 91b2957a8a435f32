"""CONNECTIVITY03: name servers are announced from more than one autonomous system.

ASNs come from the Cymru-style DNS database (the first field of ``"ASN | PREFIX | ..."``,
possibly several space-separated ASNs), per address family.
"""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.address01 import all_name_servers
from dnscert.dnshealth.engine.checks.connectivity04 import (
    PrefixLookupError,
    cymru_strings,
    database_servers,
)
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.query import ip_address
from dnscert.dnshealth.engine.registry import TestCase, register


def parse_asns(strings: list[str]) -> frozenset[int]:
    """The ASNs named in Cymru TXT strings; strings without ASNs are ignored."""
    asns: set[int] = set()
    for text in strings:
        first = text.split("|")[0].split()
        if first and all(word.isdigit() for word in first) and "|" in text:
            asns.update(int(word) for word in first)
    return frozenset(asns)


@register
class Connectivity03(TestCase):
    """Compare the ASN sets of the name server addresses, per address family."""

    id = "CONNECTIVITY03"
    module = "Connectivity"
    description = "AS diversity"
    tags = {
        "EMPTY_ASN_SET": Level.ERROR,
        "ERROR_ASN_DATABASE": Level.ERROR,
        "IPV4_DIFFERENT_ASN": Level.INFO,
        "IPV4_ONE_ASN": Level.WARNING,
        "IPV4_SAME_ASN": Level.NOTICE,
        "IPV6_DIFFERENT_ASN": Level.INFO,
        "IPV6_ONE_ASN": Level.WARNING,
        "IPV6_SAME_ASN": Level.NOTICE,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        database = await database_servers(ctx)
        messages: list[Message] = []
        by_family: dict[int, list[frozenset[int]]] = {4: [], 6: []}
        seen: set[str] = set()
        for server in await all_name_servers(ctx):
            assert server.address is not None
            if server.address in seen:
                continue
            seen.add(server.address)
            try:
                strings = await cymru_strings(ctx, database, server.address)
            except PrefixLookupError:
                messages.append(self.msg("ERROR_ASN_DATABASE", ns_ip=server.address))
                continue
            asns = parse_asns(strings or [])
            if not asns:
                messages.append(self.msg("EMPTY_ASN_SET", ns_ip=server.address))
                continue
            version: int = ip_address(server.address).version
            by_family[version].append(asns)
        for version, sets in by_family.items():
            if sets:
                messages.append(self._verdict(version, sets))
        return messages

    def _verdict(self, version: int, sets: list[frozenset[int]]) -> Message:
        family = f"IPV{version}"
        everything = sorted(set().union(*sets))
        if len(set(sets)) == 1:
            if len(sets[0]) == 1:
                return self.msg(f"{family}_ONE_ASN", asn=everything[0])
            return self.msg(f"{family}_SAME_ASN", asn_list=",".join(map(str, everything)))
        return self.msg(f"{family}_DIFFERENT_ASN", asn_list=",".join(map(str, everything)))
