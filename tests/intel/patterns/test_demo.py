"""``dnscert demo-patterns`` is idempotent and maps the campaign to the directory."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from dnscert.intel.patterns.choices import CampaignStatus
from dnscert.intel.patterns.models import ConcentrationAlert, DgaCampaign
from tests.intel.patterns.conftest import registry
from tests.intel.patterns.test_concentration import campaign_events

pytestmark = pytest.mark.django_db


def test_it_loads_the_demo_once() -> None:
    registry("com")
    campaign_events()
    first, second = io.StringIO(), io.StringIO()

    call_command("demo-patterns", stdout=first)
    call_command("demo-patterns", stdout=second)

    campaign = DgaCampaign.objects.get()
    assert campaign.status == CampaignStatus.READY and campaign.domain_count == 1750
    assert campaign.lists.get(tld="com").organisation is not None
    assert "1 of 8 TLDs have a registry" in first.getvalue()
    assert "uncovered: biz, cc, cn, info, net, org, ws" in first.getvalue()
    assert "already present" in second.getvalue()
    assert "alerts raised: 0" in second.getvalue()
    assert ConcentrationAlert.objects.count() == 2
