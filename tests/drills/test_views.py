"""The drill pages: who may open each, the create and launch flow, the live table, the
response link (GET never answers), the members' own results, and the exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dnscert.directory.drills import services
from dnscert.directory.drills.choices import DrillStatus, Outcome, ResponseVia
from dnscert.directory.drills.models import Drill
from tests.drills import factories
from tests.personas import login_verified, member, responder, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> dict[str, Any]:
    xa, xb = factories.registry("xa"), factories.registry("xb", languages=["fr"])
    running = factories.launched(title="Running drill")
    closed = factories.launched(title="Closed drill", ago=timedelta(hours=3))
    services.respond(closed.probes.get(email="noc@nic.xa.example"))
    services.close_drill(None, closed)
    return {"xa": xa, "xb": xb, "running": running, "closed": closed}


def _staff_gets(setup: dict[str, Any]) -> list[str]:
    running, closed = setup["running"], setup["closed"]
    probe = running.probes.first()
    return [
        "/drills/",
        "/drills/new/",
        "/drills/trend.json",
        f"/drills/{running.pk}/",
        f"/drills/{running.pk}/probes/",
        f"/drills/{closed.pk}/results.csv",
        f"/drills/{closed.pk}/results.json",
        f"/drills/{closed.pk}/report.pdf",
        f"POST /drills/{running.pk}/close/",
        f"POST /drills/probes/{probe.pk}/phone/",
    ]


def _open(client: Client, url: str) -> Any:
    if url.startswith("POST "):
        return client.post(url[5:])
    return client.get(url)


def test_the_public_is_sent_to_sign_in_and_members_and_responders_refused(
    setup: dict[str, Any], client: Client
) -> None:
    for url in _staff_gets(setup):
        assert _open(client, url).status_code == 302, url
    for user in (member(setup["xa"]), responder()):
        login_verified(client, user)
        for url in _staff_gets(setup):
            assert _open(client, url).status_code == 403, (user, url)
    setup["running"].refresh_from_db()
    assert setup["running"].status == DrillStatus.RUNNING
    assert not setup["running"].probes.exclude(responded_at=None).exists()


def test_staff_open_every_page(setup: dict[str, Any], client: Client) -> None:
    login_verified(client, staff())
    for url in _staff_gets(setup)[:-2]:
        assert client.get(url).status_code == 200, url


def test_staff_prepare_then_launch_a_drill(setup: dict[str, Any], client: Client) -> None:
    login_verified(client, staff())
    answer = client.post(
        "/drills/new/",
        {
            "title": "Registrar drill",
            "organisations": [setup["xb"].pk],
            "contact_scope": "all",
            "response_minutes": 60,
            "late_minutes": 120,
            "announced": "on",
        },
    )
    drill = Drill.objects.get(title="Registrar drill")
    assert answer.status_code == 302 and answer["Location"] == f"/drills/{drill.pk}/"
    page = client.get(f"/drills/{drill.pk}/").content.decode()
    assert "2 contacts will be probed" in page and "office@nic.xb.example" in page
    client.post(f"/drills/{drill.pk}/launch/")
    drill.refresh_from_db()
    assert drill.status == DrillStatus.RUNNING and drill.probes.count() == 2
    page = client.get(f"/drills/{drill.pk}/").content.decode()
    assert 'id="live"' in page and 'hx-trigger="every 10s"' in page


def test_the_create_form_names_bad_input(client: Client) -> None:
    login_verified(client, staff())
    answer = client.post("/drills/new/", {"title": "", "response_minutes": 0, "late_minutes": -1})
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert set(errors) == {"title", "response_minutes", "late_minutes", "contact_scope"}
    assert not Drill.objects.filter(title="").exists()


def test_the_list_searches_and_filters(setup: dict[str, Any], client: Client) -> None:
    login_verified(client, staff())
    running = f'data-drill="{setup["running"].reference}"'
    closed = f'data-drill="{setup["closed"].reference}"'
    page = client.get("/drills/?status=closed").content.decode()
    assert closed in page and running not in page
    page = client.get("/drills/?q=running").content.decode()
    assert running in page and closed not in page
    page = client.get(f"/drills/?q={setup['closed'].reference}").content.decode()
    assert closed in page and running not in page
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = client.get(f"/drills/?date_from={tomorrow}").content.decode()
    assert "No drill matches." in page
    assert client.get("/drills/?status=nonsense").status_code == 200


def test_the_detail_filters_probes_and_shows_figures(setup: dict[str, Any], client: Client) -> None:
    login_verified(client, staff())
    closed = setup["closed"]
    page = client.get(f"/drills/{closed.pk}/?outcome=no_answer").content.decode()
    assert 'data-email="noc@nic.xb.example"' in page
    assert 'data-email="noc@nic.xa.example"' not in page
    page = client.get(f"/drills/{closed.pk}/?organisation={setup['xa'].pk}").content.decode()
    assert 'data-email="noc@nic.xa.example"' in page
    assert 'data-email="noc@nic.xb.example"' not in page
    page = client.get(f"/drills/{closed.pk}/").content.decode()
    assert '<dd data-figure="response-rate">50 %</dd>' in page
    assert 'id="drill-histogram"' in page and 'data-drill-chart="histogram"' in page
    assert 'id="drill-trend"' in page


def test_staff_record_a_phone_answer(setup: dict[str, Any], client: Client) -> None:
    analyst = staff()
    login_verified(client, analyst)
    probe = setup["running"].probes.get(email="noc@nic.xb.example")
    answer = client.post(f"/drills/probes/{probe.pk}/phone/", {"at": ""})
    assert answer.status_code == 302
    probe.refresh_from_db()
    assert probe.responded_via == ResponseVia.PHONE and probe.recorded_by == analyst
    client.post(f"/drills/probes/{probe.pk}/phone/", {"at": "not a date"})
    probe.refresh_from_db()
    assert probe.responded_via == ResponseVia.PHONE


def test_the_response_link_get_does_not_answer_and_post_does(
    setup: dict[str, Any], client: Client
) -> None:
    probe = setup["running"].probes.get(email="noc@nic.xa.example")
    page = client.get(f"/drills/respond/{probe.token}/")
    assert page.status_code == 200 and 'id="confirm"' in page.content.decode()
    client.head(f"/drills/respond/{probe.token}/")
    probe.refresh_from_db()
    assert probe.responded_at is None
    done = client.post(f"/drills/respond/{probe.token}/")
    assert done.status_code == 200 and "your answer was recorded" in done.content.decode()
    probe.refresh_from_db()
    assert probe.outcome == Outcome.IN_TIME and probe.responded_via == ResponseVia.LINK
    first = probe.responded_at
    client.post(f"/drills/respond/{probe.token}/")
    probe.refresh_from_db()
    assert probe.responded_at == first


@pytest.mark.parametrize(
    "token", ["0" * 32, "nothex", "%00", "a" * 200, "DRILL-" + "f" * 32, "' OR 1=1 --"]
)
def test_unknown_or_malformed_tokens_get_404(
    setup: dict[str, Any], client: Client, token: str
) -> None:
    assert client.get(f"/drills/respond/{token}/").status_code == 404
    assert client.post(f"/drills/respond/{token}/").status_code == 404


def test_a_closed_drill_refuses_the_link(setup: dict[str, Any], client: Client) -> None:
    probe = setup["closed"].probes.get(email="noc@nic.xb.example")
    page = client.get(f"/drills/respond/{probe.token}/").content.decode()
    assert 'id="confirm"' not in page and "les réponses ne sont plus enregistrées" in page
    assert client.post(f"/drills/respond/{probe.token}/").status_code == 409
    probe.refresh_from_db()
    assert probe.outcome == Outcome.NO_ANSWER


def test_members_see_only_their_own_closed_results(setup: dict[str, Any], client: Client) -> None:
    login_verified(client, member(setup["xa"]))
    page = client.get("/drills/mine/").content.decode()
    assert 'data-email="noc@nic.xa.example"' in page
    assert "noc@nic.xb.example" not in page
    assert "Running drill" not in page and "Closed drill" in page
    login_verified(client, staff())
    assert client.get("/drills/mine/").status_code == 403
    client.logout()
    assert client.get("/drills/mine/").status_code == 302


def test_the_exports_carry_every_probe(setup: dict[str, Any], client: Client) -> None:
    login_verified(client, staff())
    closed = setup["closed"]
    answer = client.get(f"/drills/{closed.pk}/results.csv")
    assert answer["Content-Disposition"].endswith(f'{closed.reference}-results.csv"')
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert {row["email"]: row["outcome"] for row in rows} == {
        "noc@nic.xa.example": "in_time",
        "noc@nic.xb.example": "no_answer",
    }
    document = json.loads(client.get(f"/drills/{closed.pk}/results.json").content)
    assert document["tlp"] == "TLP:AMBER" and document["figures"]["response_rate"] == 50.0
    assert document["drill"]["reference"] == closed.reference and len(document["probes"]) == 2
    pdf = client.get(f"/drills/{closed.pk}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_menu_offers_drills_to_staff_and_results_to_members(
    setup: dict[str, Any], client: Client
) -> None:
    login_verified(client, staff())
    page = client.get("/drills/").content.decode()
    assert 'href="/drills/"' in page and 'href="/drills/mine/"' not in page
    login_verified(client, member(setup["xa"]))
    page = client.get("/drills/mine/").content.decode()
    assert 'href="/drills/mine/"' in page


def test_the_list_pages_take_a_fixed_number_of_queries(
    setup: dict[str, Any], client: Client, django_assert_max_num_queries: Any
) -> None:
    login_verified(client, staff())
    for index in range(5):
        factories.launched(title=f"Extra {index}", ago=timedelta(hours=1))
    with django_assert_max_num_queries(20):
        assert client.get("/drills/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get("/api/drills/").status_code == 200


def test_the_response_page_speaks_the_message_language(
    setup: dict[str, Any], client: Client
) -> None:
    probe = setup["running"].probes.get(email="noc@nic.xb.example")
    page = client.get(f"/drills/respond/{probe.token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Confirmer la réception" in page.content.decode()


def test_the_drill_page_names_the_targeted_roles(client: Client) -> None:
    drill = factories.drill(organisation_kinds=["registrar", "cctld_registry"])
    login_verified(client, staff())
    page = client.get(f"/drills/{drill.pk}/").content.decode()
    assert "Registrar, ccTLD registry" in page
