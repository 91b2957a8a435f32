"""DNSSEC01: Legal values for the DS hash digest algorithm (Zonemaster specification, same tags).

The DS RRset is fetched from every parent name server (or taken from the undelegated DS the
user gave) and each record's digest type is classified with the DNSSEC01 table in
``dnssec_util``; a key with DS records but none with SHA-256 (digest type 2) is noted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from dnscert.dnshealth.engine import dnssec_util as du
from dnscert.dnshealth.engine.checks.dnssec_common import (
    KeyedSets,
    Servers,
    dnssec_response,
    parent_servers,
)
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.gathering import gather_ready
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

#: The "name server" of DS records supplied by the user rather than fetched.
USER_GIVEN = "-"

_CATEGORIES = ("DEPRECATED", "RESERVED", "UNASSIGNED", "PRIVATE", "NOT_DS", "OK")
_DESCRIBED = frozenset({"DEPRECATED", "NOT_DS", "OK"})


@dataclass
class _State:
    ignored: set[str] = field(default_factory=set)
    without_ds: set[str] = field(default_factory=set)
    with_ds: set[str] = field(default_factory=set)
    algo2: set[tuple[str, int]] = field(default_factory=set)
    non_algo2: set[tuple[str, int]] = field(default_factory=set)
    classes: dict[str, KeyedSets] = field(
        default_factory=lambda: {category: KeyedSets() for category in _CATEGORIES}
    )

    def add_ds(self, ip: str, ds: dns.rdata.Rdata) -> None:
        tag, digest_type = ds.key_tag, ds.digest_type  # type: ignore[attr-defined]
        category = du.ds_digest_info(digest_type).category
        self.classes[category].add((tag, digest_type), ip)
        (self.algo2 if digest_type == 2 else self.non_algo2).add((ip, tag))


@register
class Dnssec01(TestCase):
    """DNSSEC01: DS records must use digest types meant for delegations, SHA-256 among them."""

    id = "DNSSEC01"
    module = "DNSSEC"
    description = "Legal values for the DS hash digest algorithm"
    tags = {
        "DS01_DS_ALGO_2_MISSING": Level.NOTICE,
        "DS01_DS_ALGO_DEPRECATED": Level.ERROR,
        "DS01_DS_ALGO_NOT_DS": Level.ERROR,
        "DS01_DS_ALGO_OK": Level.INFO,
        "DS01_DS_ALGO_PRIVATE": Level.ERROR,
        "DS01_DS_ALGO_RESERVED": Level.ERROR,
        "DS01_DS_ALGO_UNASSIGNED": Level.ERROR,
        "DS01_NO_RESPONSE": Level.WARNING,
        "DS01_PARENT_SERVER_NO_DS": Level.ERROR,
        "DS01_PARENT_ZONE_NO_DS": Level.NOTICE,
        "DS01_ROOT_N_NO_UNDEL_DS": Level.INFO,
        "DS01_UNDEL_N_NO_UNDEL_DS": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        state = _State()
        undelegated_ds = [
            dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DS, text)
            for text in ctx.config.undelegated_ds
        ]
        if undelegated_ds:
            servers = Servers([])
            for ds in undelegated_ds:
                state.add_ds(USER_GIVEN, ds)
            state.with_ds.add(USER_GIVEN)
        else:
            servers = await parent_servers(ctx)
            await gather_ready(self._probe(ctx, ip, state) for ip in servers.ips)
        return self._report(ctx, servers, state, bool(undelegated_ds))

    async def _probe(self, ctx: ZoneContext, ip: str, state: _State) -> None:
        response = dnssec_response(await ctx.query(ip, ctx.zone, "DS", dnssec=True))
        if response is None:
            state.ignored.add(ip)
            return
        records = response.records("DS", name=ctx.zone)
        if not records:
            state.without_ds.add(ip)
            return
        state.with_ds.add(ip)
        for ds in records:
            state.add_ds(ip, ds)

    def _report(
        self, ctx: ZoneContext, servers: Servers, state: _State, given_ds: bool
    ) -> list[Message]:
        messages = self._classes(servers, state)
        messages.extend(self._algo2_missing(servers, state))
        if not state.without_ds and not state.with_ds and state.ignored:
            messages.append(self.msg("DS01_NO_RESPONSE", ns_list=servers.ns_list(state.ignored)))
        if ctx.zone == dns.name.root and not given_ds:
            messages.append(self.msg("DS01_ROOT_N_NO_UNDEL_DS"))
        if ctx.zone != dns.name.root and ctx.config.is_undelegated and not given_ds:
            messages.append(self.msg("DS01_UNDEL_N_NO_UNDEL_DS"))
        if state.without_ds:
            tag = "DS01_PARENT_SERVER_NO_DS" if state.with_ds else "DS01_PARENT_ZONE_NO_DS"
            messages.append(self.msg(tag, ns_list=servers.ns_list(state.without_ds)))
        return messages

    def _classes(self, servers: Servers, state: _State) -> list[Message]:
        messages = []
        for category in _CATEGORIES:
            for (tag, number), ips in state.classes[category].items():
                args: dict[str, object] = {"ns_list": servers.ns_list(ips), "keytag": tag}
                args["ds_algo_num"] = number
                if category in _DESCRIBED:
                    args["ds_algo_descr"] = du.ds_digest_info(number).description
                messages.append(self.msg(f"DS01_DS_ALGO_{category}", **args))
        return messages

    def _algo2_missing(self, servers: Servers, state: _State) -> list[Message]:
        missing: dict[int, set[str]] = defaultdict(set)
        for ip, tag in state.non_algo2 - state.algo2:
            missing[tag].add(ip)
        return [
            self.msg("DS01_DS_ALGO_2_MISSING", ns_list=servers.ns_list(ips), keytag=tag)
            for tag, ips in sorted(missing.items())
        ]
