"""A small iterative resolver for the ``unbound`` block: recursion from the given root hints.

It follows referrals from the hinted root servers (using glue, or resolving nameserver names
itself), chases CNAMEs and answers with RA set. It keeps no cache between queries: lab zones
are tiny and change between exercises.
"""

from __future__ import annotations

import asyncio
import logging
import random
from pathlib import Path

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zonefile

from dnscert.dnslab.corefile import CorefileError, Directive
from dnscert.dnslab.plugins import Outcome, Plugin, Query, Reply

logger = logging.getLogger(__name__)
T = dns.rdatatype
MAX_STEPS = 30
MAX_DEPTH = 6
QUERY_TIMEOUT = 1.0


def read_root_hints(path: Path) -> list[str]:
    """The addresses of the root servers named in a hints file (master file format)."""
    text = path.read_text(encoding="utf-8")
    rrsets = dns.zonefile.read_rrsets(text, default_ttl=3600, rdclass=None, relativize=False)
    return [rdata.address for r in rrsets if r.rdtype in (T.A, T.AAAA) for rdata in r]


class IterativeResolver:
    """Resolves names by iterating from root server addresses."""

    def __init__(self, root_addresses: list[str], port: int = 53) -> None:
        if not root_addresses:
            raise ValueError("the resolver needs at least one root server address")
        self.root_addresses = root_addresses
        self.port = port

    async def resolve(self, qname: dns.name.Name, qtype: int, depth: int = 0) -> Reply:
        """Resolve ``qname``/``qtype``; the reply carries the final rcode and answer chain."""
        chain: list[dns.rrset.RRset] = []
        name = qname
        servers = list(self.root_addresses)
        for _step in range(MAX_STEPS):
            response = await self._ask(servers, name, qtype)
            if response is None:
                return Reply(rcode=dns.rcode.SERVFAIL, authoritative=False)
            if response.answer or response.rcode() != dns.rcode.NOERROR:
                chain.extend(response.answer)
                target = _cname_target(response, name, qtype)
                if target is None:
                    return self._final(response, chain)
                name, servers = target, list(self.root_addresses)
                continue
            next_servers = await self._referral_servers(response, depth)
            if not next_servers:
                return self._final(response, chain)
            servers = next_servers
        return Reply(rcode=dns.rcode.SERVFAIL, authoritative=False)

    @staticmethod
    def _final(response: dns.message.Message, chain: list[dns.rrset.RRset]) -> Reply:
        return Reply(
            rcode=response.rcode(),
            authoritative=False,
            answer=chain,
            authority=list(response.authority),
            recursion_available=True,
        )

    async def _ask(
        self, servers: list[str], name: dns.name.Name, qtype: int
    ) -> dns.message.Message | None:
        random.shuffle(servers)
        for server in servers:
            query = dns.message.make_query(name, T.RdataType.make(qtype), want_dnssec=True)
            query.flags &= ~dns.flags.RD
            try:
                return await dns.asyncquery.udp(
                    query, server, timeout=QUERY_TIMEOUT, port=self.port
                )
            except (dns.exception.DNSException, OSError) as error:
                logger.debug("resolver: %s did not answer %s: %s", server, name, error)
        return None

    async def _referral_servers(self, response: dns.message.Message, depth: int) -> list[str]:
        ns_names = [
            rdata.target for rrset in response.authority if rrset.rdtype == T.NS for rdata in rrset
        ]
        glue = [
            rdata.address
            for rrset in response.additional
            if rrset.rdtype in (T.A, T.AAAA) and rrset.name in ns_names
            for rdata in rrset
        ]
        if glue or depth >= MAX_DEPTH:
            return glue
        addresses: list[str] = []
        for ns_name in ns_names:
            for rdtype in (T.A, T.AAAA):
                found = await self.resolve(ns_name, rdtype, depth + 1)
                addresses.extend(
                    rdata.address
                    for rrset in found.answer
                    if rrset.rdtype == rdtype
                    for rdata in rrset
                )
            if addresses:
                break
        return addresses


def _cname_target(
    response: dns.message.Message, name: dns.name.Name, qtype: int
) -> dns.name.Name | None:
    """The CNAME target to follow when the answer stops at a CNAME."""
    if qtype == T.CNAME:
        return None
    current = name
    for _ in range(len(response.answer) + 1):
        rrset = response.get_rrset(
            response.answer, current, dns.rdataclass.IN, T.RdataType.make(qtype)
        )
        if rrset is not None:
            return None
        cname = response.get_rrset(response.answer, current, dns.rdataclass.IN, T.CNAME)
        if cname is None:
            return None if current == name else current
        current = next(iter(cname)).target
    return None


class UnboundPlugin(Plugin):
    """``unbound { option root-hints FILE }``: a recursive resolver for the lab."""

    name = "unbound"

    def __init__(self, resolver: IterativeResolver) -> None:
        self.resolver = resolver

    @classmethod
    def from_directive(cls, directive: Directive, root: Path, port: int) -> UnboundPlugin:
        hints: list[str] = []
        for option in directive.block:
            if (
                option.name == "option"
                and option.args[:1] == ["root-hints"]
                and len(option.args) > 1
            ):
                hints = read_root_hints(root / option.args[1])
        if not hints:
            raise CorefileError(f"{directive.source}: unbound needs 'option root-hints FILE'")
        return cls(IterativeResolver(hints, port))

    async def serve(self, query: Query) -> Outcome:
        if not query.message.flags & dns.flags.RD:
            return dns.rcode.REFUSED
        try:
            return await asyncio.wait_for(self.resolver.resolve(query.qname, query.qtype), 10)
        except TimeoutError:
            return dns.rcode.SERVFAIL
