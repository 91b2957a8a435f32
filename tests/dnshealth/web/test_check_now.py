""" "Check this zone now": the engine runs on a loopback zone and progress streams as SSE.

The zone ``good.xa.`` is served by the engine tests' fake servers on 127.201.0.0/16; the live
check's engine configuration is pointed at them (root hints and port), nothing else is faked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from dnscert.core.models import AuditEvent
from dnscert.directory.choices import OrganisationKind
from dnscert.dnshealth import livecheck
from dnscert.dnshealth.choices import HealthStatus, RunStatus, TargetKind
from dnscert.dnshealth.models import MonitoringRun, MonitoringTarget, ZoneResult
from tests.dnshealth.engine.conftest import ThreadedNetwork, build_tree, free_port, lab_config
from tests.dnshealth.engine.fakeserver import FakeNetwork
from tests.dnshealth.web.factories import target
from tests.personas import login_verified, make_org, member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def loopback_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """Serve root, xa. and good.xa. on loopback; live checks use them."""
    port = free_port()
    net = FakeNetwork(port)
    build_tree(net)
    monkeypatch.setattr(livecheck, "engine_config", lambda: lab_config(port))
    with ThreadedNetwork(net):
        yield port


def parse_events(chunks: Iterator[bytes]) -> list[tuple[str, dict[str, Any]]]:
    """Read a Server-Sent Events stream to its end into (event, data) pairs."""
    text = b"".join(chunks).decode()
    events = []
    for block in text.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":")
        )
        if "event" in fields:
            events.append((fields["event"], json.loads(fields["data"])))
    return events


def start(client: Client, zone: str) -> dict[str, Any]:
    response = client.post("/api/dns/check-now/", {"zone": zone}, content_type="application/json")
    assert response.status_code == 202, response.content
    return response.json()


def test_it_streams_each_test_case_then_the_report(loopback_zone: int) -> None:
    owner = make_org(OrganisationKind.DNS_OPERATOR, "Good Hosting")
    good = target(owner, "good.xa.", TargetKind.ZONE)
    client = login_verified(Client(), member(owner))

    started = start(client, "GOOD.xa")
    assert started["zone"] == "good.xa."
    response = client.get(started["events_url"], HTTP_ACCEPT="text/event-stream")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    events = parse_events(response.streaming_content)

    names = [name for name, _data in events]
    assert names[0] == "start" and names[-1] == "report"
    total = events[0][1]["total"]
    cases = [data for name, data in events if name == "test_case"]
    assert len(cases) == total > 10
    assert [case["done"] for case in cases] == list(range(1, total + 1))
    assert {"BASIC01", "NAMESERVER01", "CONSISTENCY01"} <= {case["test_case"] for case in cases}

    report = events[-1][1]
    stored = ZoneResult.objects.get(pk=report["result"])
    assert stored.target_id == good.pk and stored.run_id == started["run"]
    assert report["status"] == stored.status != HealthStatus.GREY
    assert sorted(row[0] for row in stored.nameservers) == ["ns1.good.xa.", "ns2.good.xa."]
    assert all(row[2] for row in stored.nameservers)  # both servers reachable
    refreshed = MonitoringTarget.objects.get(pk=good.pk)
    assert refreshed.latest_result_id == stored.pk and refreshed.status == stored.status
    run = MonitoringRun.objects.get(pk=started["run"])
    assert run.status == RunStatus.SUCCEEDED and run.result_count == 1
    assert AuditEvent.objects.filter(object_type="dnshealth.monitoringrun").exists()

    replay = parse_events(client.get(started["events_url"]).streaming_content)
    assert replay == events


def test_it_reports_the_final_result_to_a_process_without_the_progress(
    loopback_zone: int,
) -> None:
    owner = make_org(OrganisationKind.DNS_OPERATOR, "Good Hosting")
    target(owner, "good.xa.", TargetKind.ZONE)
    client = login_verified(Client(), member(owner))
    started = start(client, "good.xa.")
    parse_events(client.get(started["events_url"]).streaming_content)

    livecheck.BOARD._logs.clear()  # as another web worker would see it
    events = parse_events(client.get(started["events_url"]).streaming_content)
    assert [name for name, _data in events] == ["report"]
    assert events[0][1]["run"] == started["run"]


def test_it_shows_the_check_button_on_the_zone_page(loopback_zone: int) -> None:
    owner = make_org(OrganisationKind.DNS_OPERATOR, "Good Hosting")
    target(owner, "good.xa.", TargetKind.ZONE)
    client = login_verified(Client(), member(owner))
    html = client.get("/dns/zones/good.xa./").content.decode()
    assert 'data-check-now data-start-url="/api/dns/check-now/"' in html
    assert 'data-zone="good.xa."' in html


def test_it_refuses_a_second_check_while_one_runs(loopback_zone: int) -> None:
    owner = make_org(OrganisationKind.DNS_OPERATOR, "Good Hosting")
    good = target(owner, "good.xa.", TargetKind.ZONE)
    client = login_verified(Client(), member(owner))
    livecheck.BOARD.open(999_999, good.pk)  # a check of this zone still in progress
    response = client.post(
        "/api/dns/check-now/", {"zone": "good.xa."}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "already running" in response.json()["zone"][0]
    livecheck.BOARD._logs.pop(999_999)
    started = start(client, "good.xa.")
    assert parse_events(client.get(started["events_url"]).streaming_content)[-1][0] == "report"
