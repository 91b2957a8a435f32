"""The net claim: one bed per address block, leftovers of a dead owner stopped, others kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dnscert.dnshealth.testbed import claim as claim_module
from dnscert.dnshealth.testbed.claim import NetClaim, NetInUse, free_net, process_alive


@pytest.fixture(autouse=True)
def claim_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "claims"
    monkeypatch.setattr(claim_module, "CLAIM_DIR", folder)
    return folder


def sleeper(tag: str) -> subprocess.Popen[bytes]:
    """A harmless child whose command line contains ``tag``."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", tag])


def test_it_refuses_a_net_claimed_by_a_living_owner(claim_dir: Path, tmp_path: Path) -> None:
    owner = sleeper("owner")
    try:
        claim_dir.mkdir()
        record = {"owner": owner.pid, "directory": str(tmp_path), "children": []}
        (claim_dir / "net-91.json").write_text(json.dumps(record))
        with pytest.raises(
            NetInUse, match=f"127.91.0.0/16 is already served by process {owner.pid}"
        ):
            NetClaim(91, tmp_path).__enter__()
    finally:
        owner.kill()
        owner.wait()


def test_it_stops_only_the_leftovers_of_a_dead_owner(claim_dir: Path, tmp_path: Path) -> None:
    bed_dir = tmp_path / "bed-under-test"
    leftover = sleeper(str(bed_dir))
    stranger = sleeper("not-a-bed-process")
    dead_owner = subprocess.Popen([sys.executable, "-c", "pass"])
    dead_owner.wait()
    try:
        claim_dir.mkdir()
        record = {
            "owner": dead_owner.pid,
            "directory": str(bed_dir),
            "children": [leftover.pid, stranger.pid],
        }
        (claim_dir / "net-92.json").write_text(json.dumps(record))
        with NetClaim(92, bed_dir) as claim:
            leftover.wait(timeout=10)
            assert process_alive(stranger.pid)
            claim.add(12345)
            saved = json.loads((claim_dir / "net-92.json").read_text())
            assert saved["children"] == [12345]
        assert not (claim_dir / "net-92.json").exists()
    finally:
        for child in (leftover, stranger):
            child.kill()
            child.wait()


def test_it_picks_the_first_net_nobody_holds(claim_dir: Path, tmp_path: Path) -> None:
    owner = sleeper("owner")
    try:
        claim_dir.mkdir()
        record = {"owner": owner.pid, "directory": str(tmp_path), "children": []}
        (claim_dir / "net-93.json").write_text(json.dumps(record))
        assert free_net(range(93, 96)) == 94
        with pytest.raises(NetInUse, match="every net"):
            free_net(range(93, 94))
    finally:
        owner.kill()
        owner.wait()
