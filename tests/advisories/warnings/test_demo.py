"""``dnscert demo-warnings`` gives demo organisations subscriptions and warnings, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from dnscert.advisories.warnings.models import Subscription, Warning
from tests.advisories.warnings.conftest import registry

pytestmark = pytest.mark.django_db


def test_it_is_idempotent() -> None:
    registry("xa")
    registry("xb")
    call_command("demo-warnings")
    counts = (Subscription.objects.count(), Warning.objects.count())
    assert counts == (2, 2)
    call_command("demo-warnings")
    assert (Subscription.objects.count(), Warning.objects.count()) == counts
