"""Services: scoring, validation of hostile input, reminders, early release, query counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dnscert.core.exceptions import InvalidInput
from dnscert.vulns import embargo, messaging, scoring, services
from dnscert.vulns.choices import Audience, CaseStatus
from dnscert.vulns.models import CaseMessage
from tests.personas import login_verified, staff
from tests.vulns import factories

pytestmark = pytest.mark.django_db


def test_it_scores_cvss_v3_and_v4_vectors() -> None:
    case = factories.case(
        cvss3_vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N",
        cvss4_vector="CVSS:4.0/AV:N/AC:H/AT:N/PR:N/UI:N/VC:N/VI:H/VA:N/SC:N/SI:H/SA:N",
        cwe="345",
        cve_ids="cve-2008-1447, CVE-2008-1447",
    )
    assert str(case.cvss3_score) == "6.8" and str(case.cvss4_score) == "8.9"
    assert case.cwe == "CWE-345" and case.cve_ids == ["CVE-2008-1447"]
    assert case.reference.endswith("-0001") or case.reference.startswith("DNSCERT-VU-")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"cvss3_vector": "CVSS:3.1/AV:Q"}, "cvss3_vector"),
        ({"cvss3_vector": "AV:N/AC:L"}, "cvss3_vector"),
        ({"cvss4_vector": "CVSS:4.0/AV:N"}, "cvss4_vector"),
        ({"cwe": "CWE-abc"}, "cwe"),
        ({"cve_ids": "CVE-08-1"}, "cve_ids"),
        ({"cve_ids": "<script>"}, "cve_ids"),
        ({"tlp": "purple"}, "tlp"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_input_names_the_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        factories.case(**fields) if "title" not in fields else services.create_case(
            by=staff(), **fields
        )
    assert caught.value.field == field


def test_references_count_up() -> None:
    first, second = factories.case(), factories.case()
    assert int(second.reference[-4:]) == int(first.reference[-4:]) + 1


def test_ack_is_read_from_the_first_line_only() -> None:
    assert messaging.says_acknowledged("ACK\nthanks")
    assert messaging.says_acknowledged("\n  acknowledged, will check")
    assert not messaging.says_acknowledged("We do not ack this yet")
    assert not messaging.says_acknowledged("> ACK\nno")


def test_a_reply_naming_no_case_is_left_to_the_intake() -> None:
    assert messaging.receive_reply("DNSCERT-VU-1999-9999", "a@b.example", "hi", "ACK") is False


def test_a_reply_from_an_unknown_sender_stays_with_coordinators() -> None:
    case = factories.case()
    assert messaging.receive_reply(case.reference, "who@nowhere.example", "Re", "hello")
    message = case.messages.get()
    assert message.audience == Audience.STAFF and "who@nowhere.example" in message.author_label


def test_reminders_go_once_each_and_the_most_imminent_only() -> None:
    boss = staff()
    case = factories.case(by=boss)
    services.notify_vendor(services.add_vendor(case, factories.vendor("V1"), by=boss), by=boss)
    now = timezone.now()
    embargo.set_embargo(case, by=boss, embargo_at=now + timedelta(days=10))
    assert embargo.send_reminder(case, now + timedelta(days=3, hours=12)) == "7d"
    assert embargo.send_reminder(case, now + timedelta(days=3, hours=13)) is None
    assert embargo.send_reminder(case, now + timedelta(days=9, hours=23, minutes=30)) == "1h"
    assert case.reminders_sent == ["7d", "1d", "1h"]


def test_the_embargo_must_be_aware_and_in_the_future() -> None:
    case = factories.case()
    with pytest.raises(InvalidInput, match="embargo_at"):
        embargo.set_embargo(case, by=staff(), embargo_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(InvalidInput, match="time zone"):
        embargo.set_embargo(case, by=staff(), embargo_at=timezone.now().replace(tzinfo=None))


def test_early_release_records_the_reason_and_publishes() -> None:
    boss = staff()
    case = factories.case(by=boss)
    services.notify_vendor(services.add_vendor(case, factories.vendor("V2"), by=boss), by=boss)
    embargo.set_embargo(case, by=boss, embargo_at=timezone.now() + timedelta(days=30))
    with pytest.raises(InvalidInput, match="reason"):
        embargo.early_release(case, by=boss, reason="  ")
    embargo.early_release(case, by=boss, reason="Exploited in the wild against ISP resolvers")
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED and case.advisory is not None
    assert case.messages.filter(body__contains="Exploited in the wild").exists()


def test_embargo_is_shown_in_the_viewer_time_zone_with_utc() -> None:
    boss = staff(time_zone="Asia/Tokyo")
    case = factories.case(by=boss)
    services.notify_vendor(services.add_vendor(case, factories.vendor("V3"), by=boss), by=boss)
    moment = (timezone.now() + timedelta(days=3)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    embargo.set_embargo(case, by=boss, embargo_at=moment)
    page = login_verified(Client(), boss).get(case.get_absolute_url()).content.decode()
    assert f"{moment:%Y-%m-%d} 21:00 JST" in page and "UTC" in page


def test_the_case_page_stays_flat_with_many_vendors_and_messages(
    django_assert_max_num_queries: Any,
) -> None:
    boss = staff()
    case = factories.case(by=boss)
    services.add_product(case, by=boss, name="Resolvd")
    for number in range(30):
        row = services.add_vendor(case, factories.vendor(f"Vendor {number:02d}"), by=boss)
        CaseMessage.objects.create(
            case=case, body="private", audience=Audience.VENDOR, audience_vendor=row, via="web"
        )
    CaseMessage.objects.bulk_create(
        [CaseMessage(case=case, body=f"m{i}", audience=Audience.ALL, via="web") for i in range(200)]
    )
    client = login_verified(Client(), boss)
    client.get(case.get_absolute_url())
    with django_assert_max_num_queries(40):
        assert client.get(case.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(f"/vulns/{case.reference}/vendors/").status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get("/vulns/?format=csv").status_code == 200


def test_the_metrics_page_shows_response_times() -> None:
    boss = staff()
    case = factories.case(by=boss)
    row = services.add_vendor(case, factories.vendor("Timely"), by=boss)
    start = timezone.now()
    services.notify_vendor(row, by=boss, now=start)
    services.set_vendor_status(row, by=boss, status="acknowledged", now=start + timedelta(hours=5))
    page = login_verified(Client(), boss).get("/vulns/metrics/").content.decode()
    assert "Timely" in page and "5.0" in page


def test_the_public_form_is_rate_limited() -> None:
    data = {
        "reporter_email": "r@x.example",
        "software": "Resolvd",
        "subject": "flaw",
        "body": "details",
        "credit": "anonymous",
    }
    codes = [Client().post("/report/vulnerability/", data).status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    assert Client().post("/report/vulnerability/", {**data, "credit": "custom"}).status_code == 400


def test_scoring_rejects_v2_vectors() -> None:
    with pytest.raises(InvalidInput):
        scoring.score_v3("AV:N/AC:L/Au:N/C:P/I:P/A:P")


def test_the_case_list_filters_and_exports_safely() -> None:
    boss = staff()
    hit = factories.case(by=boss, title="=HYPERLINK(evil)", affected_software="Resolvd")
    services.add_vendor(hit, factories.vendor("Findable Vendor"), by=boss)
    factories.case(by=boss, title="Unrelated")
    client = login_verified(Client(), boss)
    page = client.get("/vulns/", {"vendor": "Findable"}).content.decode()
    assert hit.reference in page and "Unrelated" not in page
    page = client.get("/vulns/", {"product": "resolvd", "status": "new"}).content.decode()
    assert hit.reference in page and "Unrelated" not in page
    csv_text = client.get("/vulns/", {"format": "csv", "q": "HYPERLINK"}).content.decode()
    assert "'=HYPERLINK(evil)" in csv_text and "Unrelated" not in csv_text


def test_notifying_after_the_embargo_is_set_embargoes_the_case() -> None:
    boss = staff()
    case = factories.case(by=boss)
    embargo.set_embargo(case, by=boss, embargo_at=timezone.now() + timedelta(days=5))
    assert case.status == CaseStatus.NEW
    services.notify_vendor(services.add_vendor(case, factories.vendor("Later"), by=boss), by=boss)
    case.refresh_from_db()
    assert case.status == CaseStatus.EMBARGOED
    assert embargo.tick(timezone.now() + timedelta(days=6))["published"] == 1
