"""``dnscert demo-sharing`` shares the demo incidents and a DGA list, and is idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dnscert.core.choices import TLP
from dnscert.sharing.models import Share, SharedObject
from tests.personas import make_org
from tests.sharing.conftest import incident_with_indicators

pytestmark = pytest.mark.django_db


def test_it_refuses_without_demo_incidents() -> None:
    with pytest.raises(CommandError, match="demo-incidents"):
        call_command("demo-sharing")


def test_it_shares_the_demo_data_once(capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date

    from dnscert.intel.patterns import blobs
    from dnscert.intel.patterns.models import DgaCampaign, RegistryList

    incident_with_indicators(TLP.AMBER, [make_org()])
    incident_with_indicators(TLP.RED, [make_org()], title="Red one")
    campaign = DgaCampaign.objects.create(
        family="conficker-b", start_date=date(2020, 1, 1), end_date=date(2020, 1, 1)
    )
    writer = blobs.ListWriter()
    writer.extend(date(2020, 1, 1), ["qwerty.ws"])
    RegistryList.objects.create(campaign=campaign, tld="ws", rows=writer.finish(), domain_count=1)
    call_command("demo-sharing")
    first = (Share.objects.count(), SharedObject.objects.count())
    call_command("demo-sharing")
    assert (Share.objects.count(), SharedObject.objects.count()) == first == (2, 11)
    assert set(Share.objects.values_list("tlp", flat=True)) == {TLP.AMBER, TLP.CLEAR}
    assert "Shared [CLEAR] DGA conficker-b .ws" in capsys.readouterr().out
