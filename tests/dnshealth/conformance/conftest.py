"""Registers the ``conformance`` marker (the long run against Zonemaster's scenario data)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "conformance: runs the Zonemaster conformance suite (about a minute)"
    )
