"""Fixtures of the DNS health web tests: the small constituency and signed-in personas."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.dnshealth.web.factories import Bed, make_bed
from tests.personas import login_verified, member, responder, staff


@pytest.fixture
def bed(db: Any) -> Bed:
    """Root, two TLDs, a healthy and a broken zone, a signal and a delegation change."""
    return make_bed()


@pytest.fixture
def staff_client(client: Client, db: Any) -> Client:
    """A client signed in as core staff (MFA passed)."""
    return login_verified(client, staff())


@pytest.fixture
def responder_client(db: Any) -> Client:
    """A client signed in as a responder."""
    return login_verified(Client(), responder())


@pytest.fixture
def member_a_client(bed: Bed) -> Client:
    """A client signed in as a member of Registry A (runs xa. and shop.xa.)."""
    return login_verified(Client(), member(bed.reg_a))


@pytest.fixture
def member_b_client(bed: Bed) -> Client:
    """A client signed in as a member of Registry B (runs xb. and bank.xb.)."""
    return login_verified(Client(), member(bed.reg_b))
