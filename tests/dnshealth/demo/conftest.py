"""The demo test bed for the demo tests: generated in a temporary folder on a free net.

Served on port 53 because the platform's engine queries port 53 (``EngineConfig.port`` is not
a platform setting), so the serving tests need root, as the other test-bed tests do.
"""

from __future__ import annotations

import os

import pytest

from dnscert.dnshealth.testbed.claim import free_net

#: Nets the demo tests may use (the demo itself uses 53, the test-bed tests 77-87).
DEMO_TEST_NETS = range(120, 140)


@pytest.fixture
def demo_net() -> int:
    """A free ``127.<net>/16`` block for one test's bed."""
    return free_net(DEMO_TEST_NETS)


def require_root() -> None:
    """Skip when not root: port 53 and the IPv6 loopback addresses need it."""
    if os.geteuid() != 0:
        pytest.skip("serving the demo bed on port 53 needs root (make test runs as root)")
