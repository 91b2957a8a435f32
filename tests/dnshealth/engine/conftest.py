"""Shared helpers for engine tests: a free port, zone builders and a standard healthy tree.

Every server of a test listens on the same free port on its own 127.201.x.y address; the
engine is pointed at that port with ``EngineConfig(port=...)``. The standard tree is a root
(127.201.0.1) delegating ``xa.`` (127.201.1.1-2), which delegates ``good.xa.``
(127.201.2.1-2). Tests add or replace servers to break things.
"""

from __future__ import annotations

import asyncio
import random
import socket
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

import dns.zone
import pytest

from dnscert.dnshealth.engine.model import EngineConfig
from tests.dnshealth.engine.fakeserver import Behaviour, FakeNetwork, zone_from_text

ROOT_IP = "127.201.0.1"
XA_IPS = ["127.201.1.1", "127.201.1.2"]
GOOD_IPS = ["127.201.2.1", "127.201.2.2"]

Servers = list[tuple[str, str | None]]
_T = TypeVar("_T")


def free_port() -> int:
    """A port free for both UDP and TCP on the test addresses."""
    for _ in range(200):
        port = random.randint(20000, 60000)
        try:
            for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                with socket.socket(socket.AF_INET, kind) as probe:
                    probe.bind((ROOT_IP, port))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port found for the fake DNS servers")


def make_zone(
    origin: str,
    ns: Servers,
    extra: str = "",
    delegations: dict[str, Servers] | None = None,
    serial: int = 2024010101,
    soa: str | None = None,
) -> dns.zone.Zone:
    """A zone with SOA, NS (+ in-zone addresses), delegations with glue and extra records."""
    rname = "hostmaster." + ("" if origin == "." else origin)
    lines = [f"{origin} SOA {soa or f'{ns[0][0]} {rname} {serial} 3600 600 86400 300'}"]
    lines += [f"{origin} NS {name}" for name, _ip in ns]
    lines += _addresses(ns, origin)
    for child, servers in (delegations or {}).items():
        lines += [f"{child} NS {name}" for name, _ip in servers]
        lines += _addresses(servers, origin)
    return zone_from_text(origin, "\n".join(lines) + "\n" + extra)


def _addresses(servers: Servers, origin: str) -> list[str]:
    lines: list[str] = []
    for name, ip in servers:
        if ip is None or not dns.name.from_text(name).is_subdomain(dns.name.from_text(origin)):
            continue
        lines.append(f"{name} {'AAAA' if ':' in ip else 'A'} {ip}")
    return lines


def good_servers() -> Servers:
    """The two name servers of ``good.xa``."""
    return [("ns1.good.xa.", GOOD_IPS[0]), ("ns2.good.xa.", GOOD_IPS[1])]


def build_tree(
    net: FakeNetwork,
    delegations: dict[str, Servers] | None = None,
    child_behaviour: Behaviour | None = None,
) -> None:
    """Root, ``xa.`` and a healthy ``good.xa.``; ``delegations`` adds more children of xa."""
    root_ns: Servers = [("ns.root.", ROOT_IP)]
    xa_ns: Servers = [("ns1.xa.", XA_IPS[0]), ("ns2.xa.", XA_IPS[1])]
    net.add(ROOT_IP, [make_zone(".", root_ns, delegations={"xa.": xa_ns})])
    children = {"good.xa.": good_servers(), **(delegations or {})}
    xa = make_zone("xa.", xa_ns, delegations=children)
    for ip in XA_IPS:
        net.add(ip, [xa])
    good = make_zone("good.xa.", good_servers(), extra="www.good.xa. A 192.0.2.1\n")
    for ip in GOOD_IPS:
        net.add(ip, [good], child_behaviour)


def lab_config(port: int, **overrides: object) -> EngineConfig:
    """Engine configuration for the fake tree: fast timeouts, IPv4 only."""
    values: dict[str, object] = {
        "root_hints": [("ns.root.", [ROOT_IP])],
        "port": port,
        "timeout": 0.3,
        "retries": 1,
        "ipv6": False,
        "zone_timeout": 30.0,
    }
    values.update(overrides)
    return EngineConfig(**values)  # type: ignore[arg-type]


def run(coro_factory: Callable[[], Awaitable[_T]]) -> _T:
    """Run an async test body in a fresh event loop."""

    async def body() -> _T:
        return await coro_factory()

    return asyncio.run(body())


@pytest.fixture
def port() -> int:
    """A free port for this test's fake servers."""
    return free_port()


class ThreadedNetwork:
    """Serve a ``FakeNetwork`` from a background thread (for code that runs its own loop)."""

    def __init__(self, net: FakeNetwork) -> None:
        self.net = net
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> FakeNetwork:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.net.__aenter__(), self._loop).result(10)
        return self.net

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.net.__aexit__(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
