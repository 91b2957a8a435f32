"""DNSSEC03: Verify NSEC3 parameters (Zonemaster specification, same tags).

Servers with a DNSKEY RRset are asked for NSEC at the apex; an NSEC3 zone denies it with
its apex NSEC3, whose hash algorithm, flags, iterations and salt are checked against
RFC 5155 and RFC 9276 (SHA-1, no unassigned flags, opt-out only for TLD-like zones,
0 iterations, empty salt) and compared across servers.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dns.name
import dns.rcode

from dnscert.dnshealth.engine import dnssec_util as du
from dnscert.dnshealth.engine.checks.dnssec_common import (
    Servers,
    authoritative,
    child_servers,
)
from dnscert.dnshealth.engine.context import Answer, ZoneContext
from dnscert.dnshealth.engine.gathering import gather_ready
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@dataclass
class _State:
    without_dnskey: set[str] = field(default_factory=set)
    with_dnskey: set[str] = field(default_factory=set)
    without_nsec3: set[str] = field(default_factory=set)
    with_nsec3: set[str] = field(default_factory=set)
    multiple: set[str] = field(default_factory=set)
    no_response: set[str] = field(default_factory=set)
    error_response: set[str] = field(default_factory=set)
    algorithms: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    flags: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    iterations: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    salt_lengths: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))


def is_tld_like(zone: dns.name.Name) -> bool:
    """True for the root, a TLD or a public suffix (where NSEC3 opt-out is acceptable).

    The Public Suffix List is the offline copy shipped in the ``publicsuffixlist`` package.
    """
    if len(zone.labels) <= 2:
        return True
    return bool(_public_suffix_list().is_public(zone.to_text(omit_final_dot=True).lower()))


@functools.cache
def _public_suffix_list() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList(only_icann=False)


@register
class Dnssec03(TestCase):
    """DNSSEC03: NSEC3 parameters follow RFC 9276 and agree across name servers."""

    id = "DNSSEC03"
    module = "DNSSEC"
    description = "Verify NSEC3 parameters"
    tags = {
        "DS03_ERROR_RESPONSE_NSEC_QUERY": Level.ERROR,
        "DS03_ERR_MULT_NSEC3": Level.ERROR,
        "DS03_ILLEGAL_HASH_ALGO": Level.ERROR,
        "DS03_ILLEGAL_ITERATION_VALUE": Level.WARNING,
        "DS03_ILLEGAL_SALT_LENGTH": Level.WARNING,
        "DS03_INCONSISTENT_HASH_ALGO": Level.ERROR,
        "DS03_INCONSISTENT_ITERATION": Level.ERROR,
        "DS03_INCONSISTENT_NSEC3_FLAGS": Level.ERROR,
        "DS03_INCONSISTENT_SALT_LENGTH": Level.ERROR,
        "DS03_LEGAL_EMPTY_SALT": Level.INFO,
        "DS03_LEGAL_HASH_ALGO": Level.INFO,
        "DS03_LEGAL_ITERATION_VALUE": Level.INFO,
        "DS03_NO_DNSSEC_SUPPORT": Level.NOTICE,
        "DS03_NO_NSEC3": Level.INFO,
        "DS03_NO_RESPONSE_NSEC_QUERY": Level.ERROR,
        "DS03_NSEC3_OPT_OUT_DISABLED": Level.INFO,
        "DS03_NSEC3_OPT_OUT_ENABLED_NON_TLD": Level.NOTICE,
        "DS03_NSEC3_OPT_OUT_ENABLED_TLD": Level.INFO,
        "DS03_SERVER_NO_DNSSEC_SUPPORT": Level.ERROR,
        "DS03_SERVER_NO_NSEC3": Level.ERROR,
        "DS03_UNASSIGNED_FLAG_USED": Level.ERROR,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        servers = await child_servers(ctx)
        state = _State()
        await gather_ready(self._probe(ctx, ip, state) for ip in servers.ips)
        return self._report(ctx.zone, servers, state)

    async def _probe(self, ctx: ZoneContext, ip: str, state: _State) -> None:
        response = authoritative(await ctx.query(ip, ctx.zone, "DNSKEY", dnssec=True))
        if response is None:
            return
        if not response.records("DNSKEY", name=ctx.zone):
            state.without_dnskey.add(ip)
            return
        state.with_dnskey.add(ip)
        result = await ctx.query(ip, ctx.zone, "NSEC", dnssec=True)
        if not isinstance(result, Answer):
            state.no_response.add(ip)
        elif result.rcode != dns.rcode.NOERROR or not result.aa:
            state.error_response.add(ip)
        else:
            self._nsec3(ip, result, state)

    def _nsec3(self, ip: str, response: Answer, state: _State) -> None:
        records = response.records("NSEC3", section="authority")
        if not records:
            state.without_nsec3.add(ip)
            return
        if len(records) > 1:
            state.multiple.add(ip)
        state.with_nsec3.add(ip)
        params = du.Nsec3Parameters.of(records[0])
        state.algorithms[params.algorithm].add(ip)
        state.flags[params.flags].add(ip)
        state.iterations[params.iterations].add(ip)
        state.salt_lengths[params.salt_length].add(ip)

    def _report(self, zone: dns.name.Name, servers: Servers, s: _State) -> list[Message]:
        out: list[Message] = []

        def emit(tag: str, ips: set[str], **args: Any) -> None:
            out.append(self.msg(tag, ns_list=servers.ns_list(ips), **args))

        if s.without_dnskey:
            tag = "DS03_SERVER_NO_DNSSEC_SUPPORT" if s.with_dnskey else "DS03_NO_DNSSEC_SUPPORT"
            emit(tag, s.without_dnskey)
        if s.without_nsec3:
            emit("DS03_SERVER_NO_NSEC3" if s.with_nsec3 else "DS03_NO_NSEC3", s.without_nsec3)
        if s.multiple:
            emit("DS03_ERR_MULT_NSEC3", s.multiple)
        self._algorithms(emit, s, out)
        self._flags(emit, zone, s, out)
        self._iterations_and_salt(emit, s, out)
        if s.no_response:
            emit("DS03_NO_RESPONSE_NSEC_QUERY", s.no_response)
        if s.error_response:
            emit("DS03_ERROR_RESPONSE_NSEC_QUERY", s.error_response)
        return out

    def _algorithms(self, emit: Callable[..., None], s: _State, out: list[Message]) -> None:
        if len(s.algorithms) > 1:
            out.append(self.msg("DS03_INCONSISTENT_HASH_ALGO"))
        for algorithm, ips in sorted(s.algorithms.items()):
            if algorithm == du.NSEC3_HASH_SHA1:
                emit("DS03_LEGAL_HASH_ALGO", ips)
            else:
                emit("DS03_ILLEGAL_HASH_ALGO", ips, algo_num=algorithm)

    def _flags(
        self, emit: Callable[..., None], zone: dns.name.Name, s: _State, out: list[Message]
    ) -> None:
        if len(s.flags) > 1:
            out.append(self.msg("DS03_INCONSISTENT_NSEC3_FLAGS"))
        for flags, ips in sorted(s.flags.items()):
            for bit in du.nsec3_unassigned_flag_bits(flags):
                emit("DS03_UNASSIGNED_FLAG_USED", ips, int=bit)
            if not du.nsec3_opt_out(flags):
                emit("DS03_NSEC3_OPT_OUT_DISABLED", ips)
            elif is_tld_like(zone):
                emit("DS03_NSEC3_OPT_OUT_ENABLED_TLD", ips)
            else:
                emit("DS03_NSEC3_OPT_OUT_ENABLED_NON_TLD", ips)

    def _iterations_and_salt(
        self, emit: Callable[..., None], s: _State, out: list[Message]
    ) -> None:
        if len(s.iterations) > 1:
            out.append(self.msg("DS03_INCONSISTENT_ITERATION"))
        for iterations, ips in sorted(s.iterations.items()):
            if iterations == 0:
                emit("DS03_LEGAL_ITERATION_VALUE", ips)
            else:
                emit("DS03_ILLEGAL_ITERATION_VALUE", ips, int=iterations)
        if len(s.salt_lengths) > 1:
            out.append(self.msg("DS03_INCONSISTENT_SALT_LENGTH"))
        for length, ips in sorted(s.salt_lengths.items()):
            if length == 0:
                emit("DS03_LEGAL_EMPTY_SALT", ips)
            else:
                emit("DS03_ILLEGAL_SALT_LENGTH", ips, int=length)
