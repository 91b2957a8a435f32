"""A loopback DNS hierarchy for the DNSSEC checks: root -> test. -> the child zone under test.

``make_lab()`` builds signed zones (keys made fresh, Ed25519 by default); a test breaks what
it needs (re-sign, drop, add records, hook a server) and then calls ``run_check``, which
serves the lab on 127.53.0.0/16 (one ephemeral port) and runs one check with the clock pinned at
``signer.NOW``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dns.message
import dns.name
import dns.rdatatype
import pytest

from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import EngineConfig, Level, Message
from dnscert.dnshealth.engine.query import QueryClient
from dnscert.dnshealth.engine.registry import TestCase
from tests.dnshealth.dnssec import signer
from tests.dnshealth.dnssec.responder import Hook, LoopbackDns, Site

ROOT_IP = "127.53.0.1"
TLD_IP = "127.53.0.2"
CHILD_IPS = ("127.53.1.1", "127.53.1.2")


@dataclass
class Lab:
    """The zones and the servers of one test."""

    root: signer.SignedZone
    tld: signer.SignedZone
    child: signer.SignedZone
    sites: dict[str, Site] = field(default_factory=dict)

    def hook(self, address: str, hook: Hook) -> None:
        """Bend the answers of the child server at ``address``."""
        self.sites[address].hooks.append(hook)

    def give(self, address: str, zone: signer.SignedZone) -> None:
        """Make ``address`` serve another version of the child zone."""
        self.sites[address] = Site([zone])


def make_lab(
    name: str = "child.test.",
    algorithm: int = 15,
    nsec3: bool = False,
    nsec3_params: str = "1 0 0 -",
    ds_texts: list[str] | None = None,
) -> Lab:
    """A signed root, ``test.`` and ``name`` delegated with a DS for the child's KSK."""
    root = signer.build_zone(".", {"a.root.": ROOT_IP})
    tld = signer.build_zone("test.", {"ns.test.": TLD_IP})
    hosts = {f"ns{index}.{name}": ip for index, ip in enumerate(CHILD_IPS, start=1)}
    child = signer.build_zone(name, hosts, algorithm, nsec3, nsec3_params)
    signer.delegate(root, tld)
    signer.delegate(tld, child, ds_texts)
    lab = Lab(root, tld, child)
    lab.sites = {ROOT_IP: Site([root]), TLD_IP: Site([tld])}
    for ip in CHILD_IPS:
        lab.sites[ip] = Site([child])
    return lab


def run_check(check: type[TestCase], lab: Lab, **config: Any) -> list[Message]:
    """Serve ``lab`` and run ``check`` on its child zone; return the messages."""
    settings: dict[str, Any] = {
        "root_hints": [("a.root.", [ROOT_IP])],
        "ipv6": False,
        "now": signer.NOW,
        "timeout": 0.4,
        "retries": 1,
    }
    settings.update(config)

    async def go(port: int) -> list[Message]:
        engine_config = EngineConfig(port=port, **settings)
        client = QueryClient(engine_config)
        try:
            ctx = ZoneContext(lab.child.origin, engine_config, client)
            return await check().run(ctx)
        finally:
            await client.close()

    with LoopbackDns(lab.sites) as server:
        return asyncio.run(go(server.port))


def tags(messages: list[Message]) -> set[str]:
    """The tags of ``messages``."""
    return {message.tag for message in messages}


def serious(messages: list[Message]) -> list[Message]:
    """Messages at WARNING or above."""
    return [message for message in messages if message.level >= Level.WARNING]


def drop(qtype: str, address: str | None = None) -> Hook:
    """A hook that stays silent on queries of ``qtype`` (at ``address`` only, when given)."""

    def hook(
        at: str, query: dns.message.Message, response: dns.message.Message
    ) -> dns.message.Message | None:
        if query.question[0].rdtype == dns.rdatatype.from_text(qtype) and address in (None, at):
            return None
        return response

    return hook


def edit(qtype: str, change: Callable[[dns.message.Message], None]) -> Hook:
    """A hook that applies ``change`` to responses to ``qtype`` queries."""

    def hook(
        at: str, query: dns.message.Message, response: dns.message.Message
    ) -> dns.message.Message:
        if query.question[0].rdtype == dns.rdatatype.from_text(qtype):
            change(response)
        return response

    return hook


@pytest.fixture
def lab() -> Lab:
    """A healthy NSEC-signed child zone with its DS at the parent."""
    return make_lab()
