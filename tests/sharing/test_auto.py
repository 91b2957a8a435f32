"""Automatic sharing of TLP:CLEAR and TLP:GREEN sources, when configured."""

from __future__ import annotations

from typing import Any

import pytest

from dnscert.core.choices import TLP
from dnscert.core.jobs import enqueue, run_pending
from dnscert.sharing.models import Share
from tests.sharing.conftest import World, incident_with_indicators

pytestmark = pytest.mark.django_db


def test_it_shares_clear_and_green_sources_only_when_enabled(settings: Any, world: World) -> None:
    green = incident_with_indicators(TLP.GREEN, title="Green")
    incident_with_indicators(TLP.AMBER, [world.org_a], title="Amber")
    settings.DNSCERT_SHARING_AUTO = False
    enqueue("sharing.auto_share")
    run_pending()
    assert not Share.objects.exists()
    settings.DNSCERT_SHARING_AUTO = True
    enqueue("sharing.auto_share")
    run_pending()
    assert list(Share.objects.values_list("incident", flat=True)) == [green.pk]
    enqueue("sharing.auto_share")
    run_pending()
    assert Share.objects.count() == 1
