"""Pages of DGA coordination and concentration: roles, member scoping, forms, exports."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dnscert.core.jobs import run_pending
from dnscert.intel.patterns import alerts, campaigns, sending
from dnscert.intel.patterns.choices import AcknowledgedVia
from dnscert.intel.patterns.concentration import make_window
from dnscert.intel.patterns.models import ConcentrationAlert, DgaCampaign, RegistryList
from tests.intel.patterns.conftest import registrar, registry
from tests.intel.patterns.test_concentration import campaign_events
from tests.personas import login_verified, member, outsider, responder, staff

pytestmark = pytest.mark.django_db


def _signed_in(user: Any) -> Client:
    return login_verified(Client(), user)


def _sent_campaign() -> tuple[DgaCampaign, RegistryList, RegistryList]:
    registry("cc")
    registry("com")
    campaign = campaigns.create_campaign(
        family="conficker-b", start=date(2020, 1, 1), end=date(2020, 1, 2), by=staff()
    )
    run_pending(["intel_patterns.generate_campaign"])
    campaign.refresh_from_db()
    sending.send_campaign(campaign, by=staff())
    lists = campaign.lists.all()
    return campaign, lists.get(tld="cc"), lists.get(tld="com")


def test_it_creates_a_campaign_from_the_form_and_shows_its_lists() -> None:
    registry("cc")
    client = _signed_in(staff())

    response = client.post(
        reverse("intel_patterns:campaign-new"),
        {
            "family": "conficker-b",
            "start_date": "2020-01-01",
            "end_date": "2020-01-02",
            "tlp": "AMBER",
        },
    )
    campaign = DgaCampaign.objects.get()
    assert response.status_code == 302
    run_pending(["intel_patterns.generate_campaign"])
    page = client.get(reverse("intel_patterns:campaign", args=[campaign.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "registry-lists" in html and ".cc" in html and "uncovered" in html
    assert "coverage-chart-data" in html
    listing = client.get(reverse("intel_patterns:campaigns"), {"family": "conficker-b"})
    assert f"#{campaign.pk}" in listing.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"family": "conficker-z", "start_date": "2020-01-01", "end_date": "2020-01-02"},
            "conficker-z",
        ),
        (
            {"family": "conficker-b", "start_date": "2020-02-01", "end_date": "2020-01-02"},
            "before the start",
        ),
        (
            {"family": "conficker-b", "start_date": "2020-01-01", "end_date": "2021-06-02"},
            "at most 366",
        ),
        (
            {"family": "conficker-b", "start_date": "yesterday", "end_date": "2020-01-02"},
            "valid date",
        ),
    ],
)
def test_it_rejects_a_bad_campaign_form(data: dict[str, str], message: str) -> None:
    response = _signed_in(staff()).post(
        reverse("intel_patterns:campaign-new"), {**data, "tlp": "AMBER"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DgaCampaign.objects.exists()


def test_it_serves_the_csv_of_one_list_and_of_all() -> None:
    campaign, cc_list, _com = _sent_campaign()
    client = _signed_in(responder())

    one = b"".join(
        client.get(reverse("intel_patterns:list-csv", args=[cc_list.pk])).streaming_content
    )
    every = b"".join(
        client.get(reverse("intel_patterns:campaign-csv", args=[campaign.pk])).streaming_content
    )

    assert one.splitlines()[0] == b"date,domain,tld,family"
    assert len(one.splitlines()) == cc_list.domain_count + 1
    assert len(every.splitlines()) == campaign.domain_count + 1
    assert b",cn,conficker-b," in every  # uncovered TLDs too, with an empty registry


def test_it_shows_a_registry_member_only_its_own_lists_and_lets_it_answer() -> None:
    _campaign, cc_list, com_list = _sent_campaign()
    cc_member = member(cc_list.organisation)
    client = _signed_in(cc_member)

    mine = client.get(reverse("intel_patterns:mine")).content.decode()
    own = client.get(reverse("intel_patterns:list", args=[cc_list.pk]))
    other = client.get(reverse("intel_patterns:list", args=[com_list.pk]))
    other_csv = client.get(reverse("intel_patterns:list-csv", args=[com_list.pk]))

    assert ".cc" in mine and ".com" not in mine
    assert own.status_code == 200 and other.status_code == 404 and other_csv.status_code == 404
    client.post(reverse("intel_patterns:list-acknowledge", args=[cc_list.pk]))
    bad = client.post(
        reverse("intel_patterns:list-coverage", args=[cc_list.pk]), {"covered_count": "99999"}
    )
    assert bad.status_code == 400 and "between 0 and" in bad.content.decode()
    client.post(reverse("intel_patterns:list-coverage", args=[cc_list.pk]), {"covered_count": "3"})
    cc_list.refresh_from_db()
    assert cc_list.acknowledged_via == AcknowledgedVia.PORTAL and cc_list.covered_count == 3
    denied = client.post(
        reverse("intel_patterns:list-coverage", args=[com_list.pk]), {"covered_count": "1"}
    )
    assert denied.status_code == 404


def test_it_keeps_team_pages_from_members_and_the_public() -> None:
    campaign, cc_list, _com = _sent_campaign()
    outsider_client = _signed_in(outsider())
    for name, args in [
        ("intel_patterns:campaigns", []),
        ("intel_patterns:campaign", [campaign.pk]),
        ("intel_patterns:campaign-csv", [campaign.pk]),
        ("intel_patterns:concentration", []),
    ]:
        assert outsider_client.get(reverse(name, args=args)).status_code == 403
        assert Client().get(reverse(name, args=args)).status_code == 302
    assert outsider_client.get(reverse("intel_patterns:list", args=[cc_list.pk])).status_code == 404
    responder_client = _signed_in(responder())
    assert responder_client.get(reverse("intel_patterns:campaign-new")).status_code == 403
    assert (
        responder_client.post(
            reverse("intel_patterns:campaign-send", args=[campaign.pk])
        ).status_code
        == 403
    )


def test_it_answers_404_to_an_unknown_acknowledgement_token() -> None:
    assert Client().get(reverse("intel_patterns:acknowledge", args=["nope"])).status_code == 404
    assert Client().post(reverse("intel_patterns:acknowledge", args=["x" * 70])).status_code == 404


def test_it_refuses_bad_coverage_through_the_link() -> None:
    _campaign, cc_list, _com = _sent_campaign()
    url = reverse("intel_patterns:acknowledge", args=[cc_list.token])
    for value in ("-4", "abc", str(cc_list.domain_count + 1)):
        response = Client().post(url, {"covered_count": value})
        assert response.status_code == 400
    cc_list.refresh_from_db()
    assert cc_list.covered_count is None


def test_it_shows_the_concentration_view_and_its_alerts() -> None:
    campaign_events()
    alerts.detect(make_window())
    client = _signed_in(responder())

    page = client.get(
        reverse("intel_patterns:concentration"), {"days": "7", "category": "phishing"}
    )
    bad = client.get(reverse("intel_patterns:concentration"), {"days": "0"})
    exported = client.get(reverse("intel_patterns:concentration-csv", args=["registrar"]))
    alert = ConcentrationAlert.objects.get(key="1001")
    listing = client.get(reverse("intel_patterns:alerts"), {"status": "open"})
    detail = client.get(reverse("intel_patterns:alert", args=[alert.pk]))
    domains = client.get(reverse("intel_patterns:alert-csv", args=[alert.pk]))

    html = page.content.decode()
    assert page.status_code == 200 and "Alpha Registrar" in html and "share-chart-data" in html
    assert bad.status_code == 200 and "concentration-registrar" not in bad.content.decode()
    assert exported.status_code == 200 and b"Alpha Registrar" in b"".join(
        exported.streaming_content
    )
    assert "Alpha Registrar" in listing.content.decode()
    assert detail.status_code == 200 and "alpha0.xa" in detail.content.decode()
    assert domains.content.count(b"\n") == alert.domain_count + 1
    assert (
        client.post(reverse("intel_patterns:alert-hand-over", args=[alert.pk])).status_code == 403
    )


def test_it_lets_staff_hand_over_and_dismiss_from_the_page(smtp_server: Any) -> None:
    registrar(1001, "Alpha Registrar")
    campaign_events()
    alerts.detect(make_window())
    client = _signed_in(staff())
    alpha = ConcentrationAlert.objects.get(key="1001")
    bravo = ConcentrationAlert.objects.get(key="1002")

    client.post(reverse("intel_patterns:alert-hand-over", args=[alpha.pk]))
    client.post(reverse("intel_patterns:alert-hand-over", args=[bravo.pk]))  # not in the directory
    client.post(reverse("intel_patterns:alert-dismiss", args=[bravo.pk]), {"note": "sinkhole"})
    run_pending()

    alpha.refresh_from_db()
    bravo.refresh_from_db()
    assert alpha.status == "handed_over" and bravo.status == "dismissed"
    assert [m["To"] for m in smtp_server.wait_for(1)] == ["abuse@registrar1001.example"]
    page = client.get(reverse("intel_patterns:alert", args=[alpha.pk])).content.decode()
    assert 'id="delivery"' in page and "abuse@registrar1001.example" in page


def test_it_draws_the_campaign_page_in_the_same_number_of_queries_whatever_the_lists() -> None:
    registry("cc")
    registry("com")
    client = _signed_in(staff())
    counts = []
    for family in ("conficker-a", "conficker-b"):
        campaign = campaigns.create_campaign(
            family=family, start=date(2020, 1, 1), end=date(2020, 1, 1), by=staff()
        )
        run_pending(["intel_patterns.generate_campaign"])
        with CaptureQueriesContext(connection) as captured:
            assert (
                client.get(reverse("intel_patterns:campaign", args=[campaign.pk])).status_code
                == 200
            )
        counts.append(len(captured))
        assert not any('"rows"' in query["sql"] for query in captured.captured_queries)
    assert counts[0] == counts[1]
