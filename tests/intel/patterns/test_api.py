"""The pattern API: every endpoint refuses whoever may not use it; inputs are checked."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dnscert.core.jobs import run_pending
from dnscert.core.models import ApiToken
from dnscert.intel.patterns import alerts, campaigns, sending
from dnscert.intel.patterns.concentration import make_window
from dnscert.intel.patterns.models import ConcentrationAlert, DgaCampaign, RegistryList
from tests.intel.patterns.conftest import registrar, registry
from tests.intel.patterns.test_concentration import campaign_events
from tests.personas import member, outsider, responder, staff

pytestmark = pytest.mark.django_db


def api(user: Any) -> Client:
    raw = ApiToken.issue(user, "tests")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _world() -> dict[str, Any]:
    registry("cc")
    campaign = campaigns.create_campaign(
        family="conficker-b", start=date(2020, 1, 1), end=date(2020, 1, 1), by=staff()
    )
    run_pending(["intel_patterns.generate_campaign"])
    campaign.refresh_from_db()
    sending.send_campaign(campaign, by=staff())
    registrar(1001, "Alpha Registrar")
    campaign_events()
    alerts.detect(make_window())
    return {
        "campaign": campaign,
        "list": RegistryList.objects.get(campaign=campaign, tld="cc"),
        "alert": ConcentrationAlert.objects.get(key="1001"),
    }


def test_it_refuses_every_endpoint_to_whoever_may_not_use_it() -> None:
    world = _world()
    campaign, cc_list, alert = world["campaign"], world["list"], world["alert"]
    anonymous, stranger, helper = Client(), api(outsider()), api(responder())
    reads = [
        reverse("dga-campaign-list"),
        reverse("dga-campaign-detail", args=[campaign.pk]),
        reverse("dga-campaign-csv", args=[campaign.pk]),
        reverse("concentration-list"),
    ]
    for url in reads:
        assert anonymous.get(url).status_code in (401, 403)
        assert stranger.get(url).status_code == 403
        assert helper.get(url).status_code == 200
    for url in [
        reverse("dga-registry-list-detail", args=[cc_list.pk]),
        reverse("dga-registry-list-csv", args=[cc_list.pk]),
        reverse("concentration-alert-detail", args=[alert.pk]),
        reverse("concentration-alert-domains", args=[alert.pk]),
    ]:
        assert anonymous.get(url).status_code in (401, 403)
        assert stranger.get(url).status_code == 404
    assert stranger.get(reverse("dga-registry-list-list")).json()["results"] == []
    assert stranger.get(reverse("concentration-alert-list")).json()["results"] == []
    writes = [
        (
            reverse("dga-campaign-list"),
            {"family": "conficker-b", "start_date": "2020-01-01", "end_date": "2020-01-01"},
        ),
        (reverse("dga-campaign-send", args=[campaign.pk]), {}),
        (reverse("concentration-alert-hand-over", args=[alert.pk]), {}),
        (reverse("concentration-alert-dismiss", args=[alert.pk]), {}),
    ]
    for url, body in writes:
        assert anonymous.post(url, body).status_code in (401, 403)
        assert helper.post(url, body).status_code == 403
    for action in ("acknowledge", "coverage"):
        url = reverse(f"dga-registry-list-{action}", args=[cc_list.pk])
        assert anonymous.post(url, {"covered_count": 1}).status_code in (401, 403)
        assert stranger.post(url, {"covered_count": 1}).status_code == 404
        assert helper.post(url, {"covered_count": 1}).status_code == 403
    assert DgaCampaign.objects.count() == 1


def test_it_lets_the_registry_acknowledge_and_report_coverage_by_api() -> None:
    world = _world()
    cc_list = world["list"]
    client = api(member(cc_list.organisation))

    listed = client.get(reverse("dga-registry-list-list")).json()["results"]
    acknowledged = client.post(reverse("dga-registry-list-acknowledge", args=[cc_list.pk]))
    bad = client.post(
        reverse("dga-registry-list-coverage", args=[cc_list.pk]), {"covered_count": 10**6}
    )
    negative = client.post(
        reverse("dga-registry-list-coverage", args=[cc_list.pk]), {"covered_count": -1}
    )
    good = client.post(
        reverse("dga-registry-list-coverage", args=[cc_list.pk]), {"covered_count": 5}
    )

    assert [item["tld"] for item in listed] == ["cc"]
    assert acknowledged.json()["acknowledged_via"] == "api"
    assert bad.status_code == 400 and "covered_count" in bad.json()
    assert negative.status_code == 400 and "covered_count" in negative.json()
    assert good.json()["covered_count"] == 5
    download = client.get(listed[0]["csv_url"], HTTP_ACCEPT="text/csv")
    lines = b"".join(download.streaming_content).splitlines()
    assert download.status_code == 200 and lines[0] == b"date,domain,tld,family"
    assert len(lines) == cc_list.domain_count + 1
    assert client.get(reverse("concentration-alert-list")).json()["results"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"family": "nope", "start_date": "2020-01-01", "end_date": "2020-01-02"}, "family"),
        (
            {"family": "conficker-b", "start_date": "2020-01-05", "end_date": "2020-01-02"},
            "end_date",
        ),
        (
            {"family": "conficker-c", "start_date": "2020-01-01", "end_date": "2022-01-01"},
            "end_date",
        ),
        (
            {"family": "conficker-b", "start_date": "01/01/2020", "end_date": "2020-01-02"},
            "start_date",
        ),
        (
            {
                "family": "conficker-b",
                "start_date": "2020-01-01",
                "end_date": "2020-01-02",
                "tlp": "PINK",
            },
            "tlp",
        ),
    ],
)
def test_it_names_the_bad_field_of_a_new_campaign(body: dict[str, str], field: str) -> None:
    response = api(staff()).post(reverse("dga-campaign-list"), body)
    assert response.status_code == 400 and field in response.json()
    assert not DgaCampaign.objects.exists()


def test_it_creates_and_sends_a_campaign_by_api(smtp_server: Any) -> None:
    registry("cc")
    client = api(staff())
    created = client.post(
        reverse("dga-campaign-list"),
        {"family": "CONFICKER-B", "start_date": "2020-01-01", "end_date": "2020-01-01"},
    )
    run_pending(["intel_patterns.generate_campaign"])
    sent = client.post(reverse("dga-campaign-send", args=[created.json()["id"]]))
    run_pending()
    assert created.status_code == 201 and created.json()["family"] == "conficker-b"
    assert sent.json() == {"emails": 1, "skipped": []}
    assert smtp_server.wait_for(1)[0]["To"] == "noc@nic.cc.example"


def test_it_serves_concentration_figures_and_checks_the_window() -> None:
    campaign_events()
    client = api(responder())
    figures = client.get(reverse("concentration-list"), {"dimension": "registrar", "days": 7})
    bad = client.get(reverse("concentration-list"), {"days": 0, "dimension": "planet"})
    assert figures.json()["rows"][0]["name"] == "Alpha Registrar"
    assert figures.json()["total_new_domains"] == 62
    assert bad.status_code == 400 and {"days", "dimension"} <= set(bad.json())
