"""CONNECTIVITY04: name server addresses are announced from different IP prefixes.

Prefixes come from the Cymru-style DNS database (``origin.`` / ``origin6.`` under the base
name ``asnlookup.zonemaster.net``): TXT strings ``"ASN | PREFIX | ..."``; the most specific
prefix that contains the address wins, strings without a prefix are ignored.
"""

from __future__ import annotations

import functools
import ipaddress
from collections import defaultdict

import dns.name
import dns.rcode
import dns.rdatatype

from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.names import keep_labels
from dnscert.dnshealth.engine.query import ip_address, reverse_name, unique
from dnscert.dnshealth.engine.registry import TestCase, register

CYMRU_BASE_NAME = dns.name.from_text("asnlookup.zonemaster.net.")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class PrefixLookupError(Exception):
    """The prefix database failed (no response, bad rcode, malformed data)."""


@functools.lru_cache(maxsize=65536)
def prefix_query_name(address: str, base: dns.name.Name = CYMRU_BASE_NAME) -> dns.name.Name:
    """``4.3.2.1.origin.<base>`` or ``<nibbles>.origin6.<base>`` for ``address``."""
    ip = ip_address(address)
    reverse = reverse_name(address)
    labels = reverse.labels[: 4 if ip.version == 4 else 32]
    zone = "origin" if ip.version == 4 else "origin6"
    return keep_labels((*labels, zone.encode(), *base.labels))


def parse_prefixes(strings: list[str], address: str) -> tuple[list[IPNetwork], bool]:
    """Prefixes in Cymru TXT strings containing ``address``; False when one does not match.

    Strings without a prefix ("This is not ASN data") are ignored; a prefix that does not
    contain the address makes the whole answer malformed.
    """
    found, consistent = _parse_prefixes(tuple(strings), address)
    return list(found), consistent


@functools.lru_cache(maxsize=65536)
def _parse_prefixes(strings: tuple[str, ...], address: str) -> tuple[tuple[IPNetwork, ...], bool]:
    """``parse_prefixes`` remembered (many zones share name servers and their prefixes)."""
    ip = ip_address(address)
    found: list[IPNetwork] = []
    consistent = True
    for text in strings:
        fields = [field.strip() for field in text.split("|")]
        if len(fields) < 2:
            continue
        try:
            network = ipaddress.ip_network(fields[1], strict=False)
        except ValueError:
            continue
        if network.version == ip.version and ip in network:
            found.append(network)
        else:
            consistent = False
    return tuple(found), consistent


@register
class Connectivity04(TestCase):
    """Group name server addresses by announced prefix, per address family."""

    id = "CONNECTIVITY04"
    module = "Connectivity"
    description = "IP prefix diversity"
    tags = {
        "CN04_EMPTY_PREFIX_SET": Level.ERROR,
        "CN04_ERROR_PREFIX_DATABASE": Level.ERROR,
        "CN04_IPV4_DIFFERENT_PREFIX": Level.INFO,
        "CN04_IPV4_SAME_PREFIX": Level.WARNING,
        "CN04_IPV4_SINGLE_PREFIX": Level.WARNING,
        "CN04_IPV6_DIFFERENT_PREFIX": Level.INFO,
        "CN04_IPV6_SAME_PREFIX": Level.WARNING,
        "CN04_IPV6_SINGLE_PREFIX": Level.WARNING,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        delegated = await ctx.get_del_ns_names_and_ips() or []
        zone = await ctx.get_zone_ns_names_and_ips() or []
        servers = unique(ns for ns in [*delegated, *zone] if ns.address)
        messages: list[Message] = []
        groups: dict[int, dict[IPNetwork, list[NsIp]]] = {
            4: defaultdict(list),
            6: defaultdict(list),
        }
        unknown: set[int] = set()
        database = await database_servers(ctx)
        for server in servers:
            assert server.address is not None
            version: int = ip_address(server.address).version
            try:
                prefix = await self._prefix(ctx, database, server.address)
            except PrefixLookupError:
                messages.append(self.msg("CN04_ERROR_PREFIX_DATABASE", ns_ip=server.address))
                unknown.add(version)
                continue
            if prefix is None:
                messages.append(self.msg("CN04_EMPTY_PREFIX_SET", ns_ip=server.address))
                unknown.add(version)
                continue
            groups[version][prefix].append(server)
        for version, by_prefix in groups.items():
            messages.extend(self._family_messages(version, by_prefix, version in unknown))
        return messages

    def _family_messages(
        self, version: int, by_prefix: dict[IPNetwork, list[NsIp]], some_unknown: bool
    ) -> list[Message]:
        """SAME per shared prefix, DIFFERENT for the lone ones, SINGLE when all share one."""
        if not by_prefix:
            return []
        family = f"CN04_IPV{version}"
        messages = [
            self.msg(f"{family}_SAME_PREFIX", ip_prefix=str(prefix), ns_list=ns_list(members))
            for prefix, members in by_prefix.items()
            if len(members) > 1
        ]
        alone = [members[0] for members in by_prefix.values() if len(members) == 1]
        if alone:
            messages.append(self.msg(f"{family}_DIFFERENT_PREFIX", ns_list=ns_list(alone)))
        if len(by_prefix) == 1 and not some_unknown:
            prefix = next(iter(by_prefix))
            messages.append(self.msg(f"{family}_SINGLE_PREFIX", ip_prefix=str(prefix)))
        return messages

    @staticmethod
    async def _prefix(ctx: ZoneContext, database: list[str], address: str) -> IPNetwork | None:
        """The most specific prefix announcing ``address``; None for an empty prefix set."""
        strings = await cymru_strings(ctx, database, address)
        if strings is None:
            return None
        prefixes, consistent = parse_prefixes(strings, address)
        if not consistent:
            raise PrefixLookupError("a prefix does not contain the address")
        return max(prefixes, key=lambda network: network.prefixlen, default=None)


async def database_servers(ctx: ZoneContext) -> list[str]:
    """Addresses of the name servers of the Cymru base name (looked up from the root)."""
    result = await ctx.lookup(CYMRU_BASE_NAME, "NS")
    names = [
        rdata.target
        for rrset in result.rrsets
        if rrset.rdtype == dns.rdatatype.NS
        for rdata in rrset
    ]
    addresses: list[str] = []
    for name in names:
        addresses.extend(a for a in await ctx.get_ns_ips(name) if ctx.can_query(a))
    return unique(addresses)


async def cymru_strings(ctx: ZoneContext, database: list[str], address: str) -> list[str] | None:
    """The TXT strings for ``address``; None for an empty set; raise on database errors."""
    qname = prefix_query_name(address)
    response = None
    for server in database:
        answer = await ctx.query(server, qname, "TXT")
        if isinstance(answer, Answer):
            response = answer
            break
    if response is None:
        raise PrefixLookupError("no response")
    if response.rcode == dns.rcode.NXDOMAIN:
        return None
    if response.rcode != dns.rcode.NOERROR:
        raise PrefixLookupError(dns.rcode.to_text(dns.rcode.Rcode.make(response.rcode)))
    if not response.message.answer:
        return None
    strings = [
        b"".join(rdata.strings).decode("utf-8", "replace")
        for rrset in response.message.answer
        if rrset.rdtype == dns.rdatatype.TXT and rrset.name == qname
        for rdata in rrset
    ]
    if not strings:
        raise PrefixLookupError("answer without TXT")
    return strings
