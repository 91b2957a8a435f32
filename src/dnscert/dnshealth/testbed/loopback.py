"""Add the bed's IPv6 addresses to the loopback interface while it runs, then remove them.

Every 127/8 address is already bound to ``lo`` on Linux, but IPv6 has only ``::1``: the bed's
ULA twins (``plan.IPV6_PREFIX``) are added with ``ip -6 addr add ... dev lo nodad`` (root
needed) and removed again on exit, except those that were there before.
"""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
from types import TracebackType

IP_BINARY = "ip"


class LoopbackError(RuntimeError):
    """An address could not be added to the loopback interface; the message says why."""


def present_ipv6_addresses() -> set[str]:
    """IPv6 addresses currently on ``lo``, in compressed form."""
    result = subprocess.run(
        [IP_BINARY, "-6", "-o", "addr", "show", "dev", "lo"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    found = set()
    for line in result.stdout.splitlines():
        parts = line.split()
        if "inet6" in parts:
            found.add(parts[parts.index("inet6") + 1].split("/", 1)[0])
    return found


def _run_ip(action: str, address: str) -> subprocess.CompletedProcess[str]:
    command = [IP_BINARY, "-6", "addr", action, f"{address}/128", "dev", "lo"]
    if action == "add":
        command.append("nodad")
    return subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)


class LoopbackAddresses:
    """``with LoopbackAddresses([...]):`` the IPv6 addresses exist on ``lo`` inside the block."""

    def __init__(self, addresses: list[str]) -> None:
        wanted = [ipaddress.IPv6Address(a).compressed for a in addresses if ":" in a]
        self.addresses = list(dict.fromkeys(wanted))
        self.added: list[str] = []

    def __enter__(self) -> LoopbackAddresses:
        if not self.addresses:
            return self
        if shutil.which(IP_BINARY) is None:
            raise LoopbackError("the 'ip' command (iproute2) is needed to add IPv6 addresses")
        present = present_ipv6_addresses()
        for address in self.addresses:
            if address in present:
                continue
            result = _run_ip("add", address)
            if result.returncode != 0 and "already assigned" not in result.stderr:
                self.__exit__(None, None, None)
                raise LoopbackError(f"cannot add {address} to lo: {result.stderr.strip()}")
            self.added.append(address)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for address in self.added:
            _run_ip("del", address)
        self.added = []
