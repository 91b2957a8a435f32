"""Fixtures of the intel tests: the Conficker.B conformance vectors.

They live beside the checkout in ``../shared/conformance/conficker/`` (the issue's reference
data); ``DNSCERT_CONFORMANCE_DIR`` points elsewhere. A missing file fails the tests loudly.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

_CHECKOUT = Path(__file__).resolve().parents[2]
CONFORMANCE_DIR = Path(
    os.environ.get("DNSCERT_CONFORMANCE_DIR", _CHECKOUT.parent / "shared" / "conformance")
)
REFERENCE_B = CONFORMANCE_DIR / "conficker" / "conficker-b-2020-01-01_to_07.txt"
REFERENCE_START = date(2020, 1, 1)
REFERENCE_DAYS = 7
PER_DAY = 250


@pytest.fixture(scope="session")
def conficker_b_reference() -> dict[date, list[str]]:
    """downatool2's Conficker.B domains for 2020-01-01..07, per day, in the tool's order."""
    if not REFERENCE_B.exists():
        pytest.fail(f"the Conficker.B conformance file is missing: {REFERENCE_B}")
    lines = REFERENCE_B.read_text(encoding="ascii").splitlines()
    assert len(lines) == REFERENCE_DAYS * PER_DAY
    return {
        REFERENCE_START + timedelta(days=index): lines[index * PER_DAY : (index + 1) * PER_DAY]
        for index in range(REFERENCE_DAYS)
    }
