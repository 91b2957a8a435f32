"""The served test bed: ~60 zones, one of each fault, NSD plus the fault responders.

Built once per session in a temporary folder and served on the first free block of
127.77-87.0.0/16 (and its IPv6 twins), port 53. Tests that need it are marked ``dnsbed`` and
skip, saying why, only when NSD is not installed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from dnscert.dnshealth.engine.model import ZoneReport
from dnscert.dnshealth.testbed.claim import free_net
from dnscert.dnshealth.testbed.generator import Bed, BedSpec, write_bed
from dnscert.dnshealth.testbed.nsd import NSD_BINARY, nsd_available
from dnscert.dnshealth.testbed.serve import serve_bed
from tests.dnshealth.testbed.bedutil import run_checks

#: Nets the session may use; the first free one is taken, so parallel runs do not collide.
TEST_NETS = range(77, 88)


def require_nsd() -> None:
    """Skip the calling test when NSD is missing (``make test`` installs it)."""
    if not nsd_available():
        pytest.skip(f"NSD is not installed ({NSD_BINARY} missing); apt-get install nsd")


@pytest.fixture(scope="session")
def served_bed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bed]:
    """The small bed, generated and served for the whole session."""
    require_nsd()
    spec = BedSpec(zones=60, fault_share=0.10, net=free_net(TEST_NETS))
    bed = write_bed(spec, tmp_path_factory.mktemp("testbed") / "bed")
    with serve_bed(bed):
        yield bed


@pytest.fixture(scope="session")
def bed_reports(served_bed: Bed) -> dict[str, ZoneReport]:
    """The default profile run over every child zone of the bed."""
    return asyncio.run(run_checks(served_bed.child_zones, served_bed.engine_config()))
