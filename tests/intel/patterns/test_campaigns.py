"""DGA coordination end to end: Conficker.B generated in a job, lists per registry, e-mails
with the CSV to a real SMTP listener, acknowledgement by the link, coverage."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import Client

from dnscert.core.choices import TLP
from dnscert.core.exceptions import InvalidInput
from dnscert.core.jobs import run_pending
from dnscert.core.models import AuditEvent
from dnscert.intel.patterns import blobs, campaigns, sending
from dnscert.intel.patterns.choices import AcknowledgedVia, CampaignStatus, ListStatus
from dnscert.intel.patterns.models import DgaCampaign, RegistryList
from tests.intel.patterns.conftest import add_contact, registry
from tests.personas import staff

pytestmark = pytest.mark.django_db

START = date(2020, 1, 1)


def _campaign(days: int = 7, **fields: Any) -> DgaCampaign:
    created = campaigns.create_campaign(
        family="conficker-b", start=START, end=date(2020, 1, days), by=staff(), **fields
    )
    run_pending(["intel_patterns.generate_campaign"])
    created.refresh_from_db()
    return created


def _attachment(message: EmailMessage) -> tuple[str, str]:
    for part in message.walk():
        if part.get_filename():
            return part.get_filename() or "", part.get_payload(decode=True).decode()  # type: ignore[union-attr]
    raise AssertionError("no attachment")


def _text(message: EmailMessage) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain" and not part.get_filename():
            return part.get_payload(decode=True).decode()  # type: ignore[union-attr]
    raise AssertionError("no text part")


def test_it_generates_conficker_b_per_tld_equal_to_the_reference(
    conficker_b_reference: dict[date, list[str]],
) -> None:
    cc, com = registry("cc"), registry("com")

    campaign = _campaign()

    assert campaign.status == CampaignStatus.READY
    assert campaign.domain_count == 7 * 250
    lists = {item.tld: item for item in RegistryList.objects.filter(campaign=campaign)}
    assert set(lists) == {"cc", "cn", "ws", "com", "net", "org", "info", "biz"}
    assert lists["cc"].organisation == cc and lists["com"].organisation == com
    assert lists["cn"].organisation is None and lists["cn"].status == ListStatus.UNCOVERED
    for day, expected in conficker_b_reference.items():
        for tld, item in lists.items():
            rows = [d for when, d in blobs.iter_rows(item.rows) if when == day.isoformat()]
            assert rows == [d for d in expected if d.endswith(f".{tld}")]
    summary = campaigns.coverage_summary(campaign)
    assert summary.lists == 2 and summary.uncovered_tlds == [
        "biz",
        "cn",
        "info",
        "net",
        "org",
        "ws",
    ]


def test_it_emails_each_registry_its_csv_and_tracks_acknowledgement_and_coverage(
    smtp_server: Any, client: Client
) -> None:
    registry("cc", language="fr", name="Registre .cc")
    com = registry("com")
    add_contact(com, "office@nic.com.example", is_24x7=False)
    campaign = _campaign(days=3)
    by = staff()

    result = sending.send_campaign(campaign, by=by)
    run_pending()

    assert result == {"emails": 2, "skipped": []}
    received = {m["To"]: m for m in smtp_server.wait_for(2)}
    assert set(received) == {"noc@nic.cc.example", "noc@nic.com.example"}
    french = received["noc@nic.cc.example"]
    assert french["Subject"].startswith("[TLP:AMBER] Domaines conficker-b")
    name, body = _attachment(french)
    cc_list = RegistryList.objects.get(campaign=campaign, tld="cc")
    assert name == "conficker-b_2020-01-01_2020-01-03_cc.csv"
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == cc_list.domain_count > 0
    assert [(r["date"], r["domain"]) for r in rows] == list(blobs.iter_rows(cc_list.rows))
    assert {r["tld"] for r in rows} == {"cc"} and {r["family"] for r in rows} == {"conficker-b"}

    link = re.search(r"https://dnscert\.example(/patterns/ack/\S+/)", _text(french))
    assert link is not None
    assert client.get(link.group(1)).status_code == 200
    cc_list.refresh_from_db()
    assert cc_list.acknowledged_at is None  # a GET (a link scanner) acknowledges nothing
    client.post(link.group(1))
    cc_list.refresh_from_db()
    assert cc_list.status == ListStatus.ACKNOWLEDGED
    assert cc_list.acknowledged_via == AcknowledgedVia.LINK

    half = cc_list.domain_count // 2
    client.post(link.group(1), {"covered_count": str(half), "note": "blocked in the registry"})
    cc_list.refresh_from_db()
    assert cc_list.covered_count == half
    assert cc_list.coverage_percent == round(100 * half / cc_list.domain_count, 1)
    summary = campaigns.coverage_summary(campaign)
    assert summary.acknowledged == 1 and summary.sent == 2
    assert summary.percent == round(100 * half / campaign.domain_count, 1)
    assert AuditEvent.objects.filter(object_type="intel_patterns.registrylist").count() >= 4


def test_it_skips_a_registry_without_24x7_contact_and_names_it(smtp_server: Any) -> None:
    registry("cc")
    com = registry("com")
    com.contacts.update(is_24x7=False)
    campaign = _campaign(days=1)

    result = sending.send_campaign(campaign, by=staff())

    assert result["emails"] == 1
    assert len(result["skipped"]) == 1 and "no 24x7 contact" in result["skipped"][0]


def test_it_refuses_an_unknown_family() -> None:
    with pytest.raises(InvalidInput) as error:
        campaigns.create_campaign(family="conficker-z", start=START, end=START, by=staff())
    assert error.value.field == "family" and "conficker-b" in error.value.problem


def test_it_refuses_a_reversed_range() -> None:
    with pytest.raises(InvalidInput) as error:
        campaigns.create_campaign(
            family="conficker-b", start=date(2020, 2, 1), end=START, by=staff()
        )
    assert error.value.field == "end_date"


def test_it_refuses_a_range_longer_than_the_setting(settings: Any) -> None:
    settings.DNSCERT_DGA_CAMPAIGN_MAX_DAYS = 10
    with pytest.raises(InvalidInput) as error:
        campaigns.create_campaign(
            family="conficker-c", start=START, end=date(2020, 1, 11), by=staff()
        )
    assert error.value.field == "end_date" and "at most 10" in error.value.problem
    assert not DgaCampaign.objects.exists()


@pytest.mark.parametrize("value", [-1, 10**9, "abc", "", True, None, "3.5"])
def test_it_refuses_bad_coverage_numbers(value: Any) -> None:
    registry("cc")
    campaign = _campaign(days=1)
    cc_list = RegistryList.objects.get(campaign=campaign, tld="cc")
    with pytest.raises(InvalidInput) as error:
        campaigns.report_coverage(cc_list, covered=value, by=staff(), via=AcknowledgedVia.STAFF)
    assert error.value.field == "covered_count"
    cc_list.refresh_from_db()
    assert cc_list.covered_count is None


def test_it_refuses_to_acknowledge_an_uncovered_tld() -> None:
    campaign = _campaign(days=1)
    uncovered = RegistryList.objects.get(campaign=campaign, tld="cn")
    with pytest.raises(InvalidInput):
        campaigns.acknowledge(uncovered, by=staff(), via=AcknowledgedVia.STAFF)


def test_it_generates_once_even_when_the_job_runs_twice() -> None:
    campaign = _campaign(days=1)
    again = campaigns.generate_campaign(campaign.pk)
    assert again.status == CampaignStatus.READY
    assert RegistryList.objects.filter(campaign=campaign).count() == 8


def test_it_keeps_the_campaign_tlp_on_its_lists() -> None:
    campaign = _campaign(days=1, tlp=TLP.GREEN)
    assert set(campaign.lists.values_list("tlp", flat=True)) == {TLP.GREEN}


def test_it_stores_a_compact_blob_per_list() -> None:
    campaign = _campaign(days=7)
    stored = sum(len(bytes(item.rows)) for item in campaign.lists.all())
    assert stored < 1750 * 12  # fewer than 12 bytes a domain, date included
