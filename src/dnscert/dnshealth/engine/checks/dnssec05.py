"""DNSSEC05: Check for invalid DNSKEY algorithms (Zonemaster specification, same tags).

Every child name server is asked for the DNSKEY RRset; each key's algorithm number is
classified with the DNSSEC05 table (deprecated, reserved, unassigned, not recommended,
private, not for zone signing, OK) kept in ``dnssec_util``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dnscert.dnshealth.engine import dnssec_util as du
from dnscert.dnshealth.engine.checks.dnssec_common import (
    KeyedSets,
    Servers,
    authoritative,
    child_servers,
)
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.gathering import gather_ready
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

#: Output order of the algorithm classes (step 6 of the procedure).
_CATEGORIES = (
    "DEPRECATED",
    "RESERVED",
    "UNASSIGNED",
    "NOT_RECOMMENDED",
    "PRIVATE",
    "NOT_ZONE_SIGN",
    "OK",
)
#: Classes whose message carries the algorithm description and mnemonic.
_DESCRIBED = frozenset({"DEPRECATED", "NOT_RECOMMENDED", "NOT_ZONE_SIGN", "OK"})


@dataclass
class _State:
    ignored: set[str] = field(default_factory=set)
    without_dnskey: set[str] = field(default_factory=set)
    with_dnskey: set[str] = field(default_factory=set)
    classes: dict[str, KeyedSets] = field(
        default_factory=lambda: {category: KeyedSets() for category in _CATEGORIES}
    )


@register
class Dnssec05(TestCase):
    """DNSSEC05: DNSKEY algorithms must be ones meant for zone signing and recommended."""

    id = "DNSSEC05"
    module = "DNSSEC"
    description = "Check for invalid DNSKEY algorithms"
    tags = {
        "DS05_ALGO_DEPRECATED": Level.ERROR,
        "DS05_ALGO_NOT_RECOMMENDED": Level.WARNING,
        "DS05_ALGO_NOT_ZONE_SIGN": Level.ERROR,
        "DS05_ALGO_OK": Level.INFO,
        "DS05_ALGO_PRIVATE": Level.ERROR,
        "DS05_ALGO_RESERVED": Level.ERROR,
        "DS05_ALGO_UNASSIGNED": Level.ERROR,
        "DS05_NO_RESPONSE": Level.WARNING,
        "DS05_SERVER_NO_DNSSEC": Level.ERROR,
        "DS05_ZONE_NO_DNSSEC": Level.NOTICE,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        servers = await child_servers(ctx)
        state = _State()
        await gather_ready(self._probe(ctx, ip, state) for ip in servers.ips)
        return self._report(servers, state)

    async def _probe(self, ctx: ZoneContext, ip: str, state: _State) -> None:
        response = authoritative(await ctx.query(ip, ctx.zone, "DNSKEY", dnssec=True))
        if response is None:
            state.ignored.add(ip)
            return
        keys = response.records("DNSKEY", name=ctx.zone)
        if not keys:
            state.without_dnskey.add(ip)
            return
        state.with_dnskey.add(ip)
        for key in keys:
            info = du.key_algorithm_info(key.algorithm)
            state.classes[info.category].add((du.key_tag(key), key.algorithm), ip)

    def _report(self, servers: Servers, state: _State) -> list[Message]:
        messages = []
        for category in _CATEGORIES:
            for (tag, number), ips in state.classes[category].items():
                args: dict[str, object] = {"ns_list": servers.ns_list(ips), "keytag": tag}
                args["algo_num"] = number
                if category in _DESCRIBED:
                    info = du.key_algorithm_info(number)
                    args.update(algo_descr=info.description, algo_mnemo=info.mnemonic)
                messages.append(self.msg(f"DS05_ALGO_{category}", **args))
        if not state.without_dnskey and not state.with_dnskey and state.ignored:
            messages.append(self.msg("DS05_NO_RESPONSE", ns_list=servers.ns_list(state.ignored)))
        if state.without_dnskey:
            tag = "DS05_SERVER_NO_DNSSEC" if state.with_dnskey else "DS05_ZONE_NO_DNSSEC"
            messages.append(self.msg(tag, ns_list=servers.ns_list(state.without_dnskey)))
        return messages
