"""Serve a generated bed: one NSD per server group plus the responder process, as one ``with``.

``with serve_bed(bed) as running:`` starts everything, waits until each address answers, and
stops everything (in reverse order) when the block ends, even after an error. The responders
run in a child Python process so they never compete with the caller's event loop.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from dnscert.dnshealth.testbed.claim import NetClaim
from dnscert.dnshealth.testbed.generator import Bed
from dnscert.dnshealth.testbed.loopback import LoopbackAddresses
from dnscert.dnshealth.testbed.nsd import NsdServer, answers_soa, terminate_process


class BedStartError(RuntimeError):
    """A part of the bed did not start; the message names it."""


@dataclass
class ResponderProcess:
    """The child process running ``responders.main`` for one bed."""

    directory: Path
    start_timeout: float = 30.0
    process: subprocess.Popen[str] | None = field(default=None, init=False)

    def __enter__(self) -> ResponderProcess:
        env = dict(os.environ)
        src = str(Path(__file__).resolve().parents[3])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH", "")]))
        with (self.directory / "responders.log").open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "dnscert.dnshealth.testbed.responders", str(self.directory)],
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env=env,
            )
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], self.start_timeout)
        line = self.process.stdout.readline().strip() if ready else ""
        if line != "READY":
            self.stop()
            tail = (self.directory / "responders.log").read_text()[-800:]
            raise BedStartError(f"the fault responders did not start: {line or tail}")
        return self

    def stop(self) -> None:
        """Terminate the responders (killed after 10 s)."""
        if self.process is None:
            return
        terminate_process(self.process)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


@dataclass
class RunningBed:
    """A bed whose servers are up: its data plus how long starting took."""

    bed: Bed
    startup_seconds: float


def wait_for_zone(address: str, port: int, zone: str, timeout: float = 30.0) -> None:
    """Block until ``address`` answers SOA for ``zone``; raise ``BedStartError`` on timeout."""
    deadline = time.monotonic() + timeout
    while not answers_soa(address, port, zone):
        if time.monotonic() > deadline:
            raise BedStartError(f"{address} does not answer SOA for {zone}")
        time.sleep(0.1)


def bed_addresses(bed: Bed) -> list[str]:
    """Every address a server of the bed listens on."""
    layout = bed.layout
    return [address for host in layout.all_hosts() for address in host.addresses] + [
        address for addresses in bed.nsd_groups.values() for address in addresses
    ]


@contextmanager
def serve_bed(bed: Bed, *, start_timeout: float = 300.0) -> Iterator[RunningBed]:
    """Start every NSD group and the responders of ``bed``; stop them all when done."""
    started = time.monotonic()
    with ExitStack() as stack:
        claim = stack.enter_context(NetClaim(bed.spec.net, bed.directory))
        stack.enter_context(LoopbackAddresses(bed_addresses(bed)))
        for group in bed.nsd_groups:
            folder = bed.directory / "nsd" / group
            server = stack.enter_context(NsdServer(folder, bed.port, start_timeout=start_timeout))
            assert server.process is not None
            claim.add(server.process.pid)
        responders = stack.enter_context(ResponderProcess(bed.directory))
        assert responders.process is not None
        claim.add(responders.process.pid)
        observer_zone = bed.layout.porttest_zone
        wait_for_zone(
            bed.layout.responder_host("porttest-observer").address, bed.port, observer_zone
        )
        yield RunningBed(bed, round(time.monotonic() - started, 3))
