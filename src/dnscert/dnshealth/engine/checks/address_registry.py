"""IANA special-purpose address registries (IPv4 and IPv6), as tables in code.

Source: iana-ipv4-special-registry and iana-ipv6-special-registry. Each entry gives the
prefix, its name and whether IANA lists it as globally reachable; the most specific
matching prefix decides (``192.0.0.9/32`` is reachable inside unreachable ``192.0.0.0/24``).
ADDRESS01 and ADDRESS02 classify name server addresses with it; ``check_each_address`` is the
loop ADDRESS02 and ADDRESS03 share (each distinct name server address checked once) and
``lookup_ptr`` their reverse lookup.
"""

from __future__ import annotations

import enum
import functools
import ipaddress
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from dnscert.dnshealth.engine.context import NsIp, ZoneContext
from dnscert.dnshealth.engine.model import Message
from dnscert.dnshealth.engine.query import ip_address, reverse_name
from dnscert.dnshealth.engine.registry import TestCase
from dnscert.dnshealth.engine.resolve import LookupResult

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class AddressClass(enum.Enum):
    """ADDRESS01's classification of an address."""

    DOCUMENTATION = "documentation"
    LOCAL_USE = "local_use"
    NOT_GLOBALLY_REACHABLE = "not_globally_reachable"
    GLOBALLY_REACHABLE = "globally_reachable"


@dataclass(frozen=True)
class SpecialBlock:
    """One row of an IANA special-purpose registry."""

    network: IPNetwork
    name: str
    globally_reachable: bool


def _block(prefix: str, name: str, reachable: bool) -> SpecialBlock:
    return SpecialBlock(ipaddress.ip_network(prefix), name, reachable)


# "Globally Reachable" N/A entries (deprecated 6to4 relay, 6to4, Teredo) count as not reachable.
SPECIAL_BLOCKS: tuple[SpecialBlock, ...] = (
    _block("0.0.0.0/8", "This network", False),
    _block("0.0.0.0/32", "This host on this network", False),
    _block("10.0.0.0/8", "Private-Use", False),
    _block("100.64.0.0/10", "Shared Address Space", False),
    _block("127.0.0.0/8", "Loopback", False),
    _block("169.254.0.0/16", "Link Local", False),
    _block("172.16.0.0/12", "Private-Use", False),
    _block("192.0.0.0/24", "IETF Protocol Assignments", False),
    _block("192.0.0.0/29", "IPv4 Service Continuity Prefix", False),
    _block("192.0.0.8/32", "IPv4 dummy address", False),
    _block("192.0.0.9/32", "Port Control Protocol Anycast", True),
    _block("192.0.0.10/32", "Traversal Using Relays around NAT Anycast", True),
    _block("192.0.0.170/32", "NAT64/DNS64 Discovery", False),
    _block("192.0.0.171/32", "NAT64/DNS64 Discovery", False),
    _block("192.0.2.0/24", "Documentation (TEST-NET-1)", False),
    _block("192.31.196.0/24", "AS112-v4", True),
    _block("192.52.193.0/24", "AMT", True),
    _block("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", False),
    _block("192.168.0.0/16", "Private-Use", False),
    _block("192.175.48.0/24", "Direct Delegation AS112 Service", True),
    _block("198.18.0.0/15", "Benchmarking", False),
    _block("198.51.100.0/24", "Documentation (TEST-NET-2)", False),
    _block("203.0.113.0/24", "Documentation (TEST-NET-3)", False),
    _block("240.0.0.0/4", "Reserved", False),
    _block("255.255.255.255/32", "Limited Broadcast", False),
    _block("::1/128", "Loopback Address", False),
    _block("::/128", "Unspecified Address", False),
    _block("::ffff:0:0/96", "IPv4-mapped Address", False),
    _block("64:ff9b::/96", "IPv4-IPv6 Translat.", True),
    _block("64:ff9b:1::/48", "IPv4-IPv6 Translat.", False),
    _block("100::/64", "Discard-Only Address Block", False),
    _block("100:0:0:1::/64", "Dummy IPv6 Prefix", False),
    _block("2001::/23", "IETF Protocol Assignments", False),
    _block("2001::/32", "TEREDO", False),
    _block("2001:1::1/128", "Port Control Protocol Anycast", True),
    _block("2001:1::2/128", "Traversal Using Relays around NAT Anycast", True),
    _block("2001:1::3/128", "DNS-SD Service Registration Protocol Anycast", True),
    _block("2001:2::/48", "Benchmarking", False),
    _block("2001:3::/32", "AMT", True),
    _block("2001:4:112::/48", "AS112-v6", True),
    _block("2001:10::/28", "Deprecated (previously ORCHID)", False),
    _block("2001:20::/28", "ORCHIDv2", True),
    _block("2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", True),
    _block("2001:db8::/32", "Documentation", False),
    _block("2002::/16", "6to4", False),
    _block("2620:4f:8000::/48", "Direct Delegation AS112 Service", True),
    _block("3fff::/20", "Documentation", False),
    _block("5f00::/16", "Segment Routing (SRv6) SIDs", False),
    _block("fc00::/7", "Unique-Local", False),
    _block("fe80::/10", "Link-Local Unicast", False),
)

#: Registry names ADDRESS01 reports as "local use".
LOCAL_USE_NAMES = frozenset(
    {
        "Private-Use",
        "Loopback",
        "Loopback Address",
        "Link Local",
        "Link-Local Unicast",
        "Unique-Local",
        "Shared Address Space",
    }
)


@functools.lru_cache(maxsize=65536)
def special_block(address: str | IPAddress) -> SpecialBlock | None:
    """The most specific special-purpose block containing ``address``, if any (remembered)."""
    ip = ip_address(address) if isinstance(address, str) else address
    matches = [b for b in SPECIAL_BLOCKS if b.network.version == ip.version and ip in b.network]
    return max(matches, key=lambda block: block.network.prefixlen, default=None)


def is_documentation(ip: IPAddress) -> bool:
    """True when ``ip`` is in any documentation block (checked before anything else)."""
    return any(
        block.name.startswith("Documentation") and ip in block.network
        for block in SPECIAL_BLOCKS
        if block.network.version == ip.version
    )


@functools.lru_cache(maxsize=65536)
def classify(address: str) -> AddressClass:
    """ADDRESS01's class of ``address``: documentation, local use, unreachable or reachable.

    Remembered: a batch meets the same addresses (shared name servers) zone after zone.
    """
    ip = ip_address(address)
    if is_documentation(ip):
        return AddressClass.DOCUMENTATION
    block = special_block(ip)
    if block is None or block.globally_reachable:
        return AddressClass.GLOBALLY_REACHABLE
    if block.name in LOCAL_USE_NAMES:
        return AddressClass.LOCAL_USE
    return AddressClass.NOT_GLOBALLY_REACHABLE


async def check_each_address(
    ctx: ZoneContext,
    servers: Iterable[NsIp],
    check: Callable[[ZoneContext, NsIp], Awaitable[Message | None]],
) -> tuple[list[Message], bool]:
    """Run ``check`` once per distinct server address (in order); servers without one are skipped.

    Returns the messages the checks produced and whether any address was checked at all.
    """
    messages: list[Message] = []
    seen: set[str] = set()
    for server in servers:
        if server.address is None or server.address in seen:
            continue
        seen.add(server.address)
        problem = await check(ctx, server)
        if problem is not None:
            messages.append(problem)
    return messages, bool(seen)


async def lookup_ptr(case: TestCase, ctx: ZoneContext, address: str) -> LookupResult | Message:
    """The PTR lookup of ``address``'s reverse name, or NO_RESPONSE_PTR_QUERY if none came."""
    reverse = reverse_name(address)
    result = await ctx.lookup(reverse, "PTR")
    if result.rcode is None:
        return case.msg("NO_RESPONSE_PTR_QUERY", domain=reverse.to_text())
    return result
