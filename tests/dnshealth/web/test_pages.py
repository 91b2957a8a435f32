"""The DNS health pages: rendering, scoping, filters, actions and query counts."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dnscert.core.choices import Severity
from dnscert.core.models import AuditEvent
from dnscert.dnshealth import forms
from dnscert.dnshealth.choices import HealthStatus, SignalKind
from dnscert.dnshealth.models import MonitoringTarget, PlannedChange
from tests.dnshealth.web.factories import Bed, result, server, signal, target
from tests.personas import login_verified, member

pytestmark = pytest.mark.django_db


def grid_zones(html: str) -> list[tuple[str, str]]:
    """(zone, status) of each tile of the status grid, in page order."""
    return re.findall(r'data-zone="([^"]+)" data-status="([^"]+)"', html)


def test_it_shows_the_grid_worst_first(staff_client: Client, bed: Bed) -> None:
    response = staff_client.get("/dns/")
    assert response.status_code == 200
    tiles = grid_zones(response.content.decode())
    assert tiles[0] == ("bank.xb.", "red")
    assert tiles[1] == ("xb.", "amber")
    assert set(tiles) == {
        ("bank.xb.", "red"),
        ("xb.", "amber"),
        (".", "green"),
        ("xa.", "green"),
        ("shop.xa.", "green"),
    }


def test_it_filters_the_grid(staff_client: Client, bed: Bed) -> None:
    by_status = grid_zones(staff_client.get("/dns/?status=red").content.decode())
    by_kind = grid_zones(staff_client.get("/dns/?kind=tld").content.decode())
    by_org = grid_zones(
        staff_client.get(f"/dns/?organisation={bed.reg_a.short_name}").content.decode()
    )
    by_search = grid_zones(staff_client.get("/dns/?q=SHOP").content.decode())
    assert by_status == [("bank.xb.", "red")]
    assert {zone for zone, _ in by_kind} == {"xa.", "xb."}
    assert {zone for zone, _ in by_org} == {"xa.", "shop.xa."}
    assert by_search == [("shop.xa.", "green")]


def test_it_counts_every_status_whatever_the_status_filter(staff_client: Client, bed: Bed) -> None:
    html = staff_client.get("/dns/?status=red").content.decode()
    counts = dict(
        re.findall(r'data-status-count="(\w+)">\s*<p class="figure"><a [^>]+>(\d+)', html)
    )
    assert counts == {"red": "1", "amber": "1", "green": "3", "grey": "0"}


def test_it_shows_members_only_their_zones_in_the_grid(member_a_client: Client) -> None:
    tiles = grid_zones(member_a_client.get("/dns/").content.decode())
    assert {zone for zone, _ in tiles} == {"xa.", "shop.xa."}


def test_it_shows_never_measured_zones_in_grey(staff_client: Client, bed: Bed) -> None:
    target(bed.reg_a, "new.xa.")
    assert ("new.xa.", "grey") in grid_zones(staff_client.get("/dns/").content.decode())


def test_it_sends_the_public_to_sign_in(client: Client, bed: Bed) -> None:
    for path in ("/dns/", "/dns/zones/bank.xb./", "/dns/problems/", "/dns/changes/"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_it_keeps_the_grid_to_a_fixed_number_of_queries(
    staff_client: Client, bed: Bed, django_assert_max_num_queries: Any
) -> None:
    for number in range(40):
        zone = target(bed.reg_a, f"zone{number}.xa.")
        result(zone, HealthStatus.GREEN if number % 2 else HealthStatus.RED)
    with django_assert_max_num_queries(9):
        response = staff_client.get("/dns/")
    assert len(grid_zones(response.content.decode())) == 45


def test_it_groups_the_latest_messages_by_test_case(staff_client: Client, bed: Bed) -> None:
    response = staff_client.get("/dns/zones/bank.xb./")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-zone-status="red"' in html
    cases = re.findall(r'data-test-case="([^"]+)"', html)
    assert cases == ["DNSSEC04", "NAMESERVER02"]
    dnssec = html[
        html.index('data-test-case="DNSSEC04"') : html.index('data-test-case="NAMESERVER02"')
    ]
    assert "DS04_RRSIG_EXPIRED" in dnssec and "DS04_RRSIG_VALID" in dnssec
    assert 'class="badge level-error">ERROR' in dnssec


def test_it_shows_serial_propagation_and_the_lagging_server(staff_client: Client, bed: Bed) -> None:
    html = staff_client.get("/dns/zones/bank.xb./").content.decode()
    table = html[html.index('id="serials"') :]
    table = table[: table.index("</table>")]
    assert "ns1.bank.xb." in table and "ns2.bank.xb." in table
    assert re.search(r"9\s*\(behind\)", table)


def test_it_shows_the_zone_delegation_change_with_its_diff(staff_client: Client, bed: Bed) -> None:
    html = staff_client.get("/dns/zones/bank.xb./").content.decode()
    assert re.search(r'class="diff-added">\+ ns1\.evil\.xc\.', html)
    assert re.search(r'class="diff-removed">\u2212 ns1\.bank\.xb\.', html)
    assert re.search(r'class="diff-removed"><code>12345 13 2 AABB', html)
    assert "127.9.9.9" in html


def test_it_refuses_another_organisations_zone_page(member_a_client: Client, bed: Bed) -> None:
    assert member_a_client.get("/dns/zones/bank.xb./").status_code == 404
    assert member_a_client.get("/dns/zones/bank.xb./charts/status.json").status_code == 404
    assert member_a_client.get("/dns/zones/shop.xa./").status_code == 200


def test_it_serves_the_root_page_under_its_slug(staff_client: Client, bed: Bed) -> None:
    html = staff_client.get("/dns/").content.decode()
    assert 'href="/dns/zones/_root/"' in html
    assert staff_client.get("/dns/zones/_root/").status_code == 200


def test_it_keeps_the_zone_page_to_a_fixed_number_of_queries(
    staff_client: Client, bed: Bed, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(12):
        assert staff_client.get("/dns/zones/bank.xb./").status_code == 200


def test_it_serves_chart_data_per_name_server(staff_client: Client, bed: Bed) -> None:
    earlier = timezone.now() - timedelta(hours=1)
    result(
        bed.bank,
        HealthStatus.GREEN,
        servers=[server("ns1.bank.xb.", "127.3.0.1", 5.0, 9.0, 8)],
        at=earlier,
        latest=False,
    )
    latency = staff_client.get("/dns/zones/bank.xb./charts/latency-udp.json").json()
    serials = staff_client.get("/dns/zones/bank.xb./charts/serials.json").json()
    status = staff_client.get("/dns/zones/bank.xb./charts/status.json").json()
    assert len(latency["labels"]) == 2
    lines = {line["label"]: line["data"] for line in latency["datasets"]}
    assert lines == {"ns1.bank.xb./127.3.0.1": [5.0, 3.5], "ns2.bank.xb./127.3.0.2": [None, 3.5]}
    assert {line["label"]: line["data"] for line in serials["datasets"]} == {
        "ns1.bank.xb./127.3.0.1": [8, 10],
        "ns2.bank.xb./127.3.0.2": [None, 9],
    }
    assert status["datasets"][0]["data"] == [1, 3]
    assert staff_client.get("/dns/zones/bank.xb./charts/nonsense.json").status_code == 404


def test_it_lists_open_problems_by_severity_then_age(staff_client: Client, bed: Bed) -> None:
    old = timezone.now() - timedelta(days=3)
    signal(bed.xb, SignalKind.RRSIG_EXPIRING, Severity.MEDIUM, opened=old)
    signal(bed.shop, SignalKind.ZONE_BROKEN, Severity.HIGH, opened=old)
    html = staff_client.get("/dns/problems/").content.decode()
    table = html[html.index('id="signals"') : html.index('id="unhealthy"')]
    zones = re.findall(r'<a href="/dns/zones/([^/]+)/">', table)
    assert zones == ["shop.xa.", "bank.xb.", "xb."]
    unhealthy = re.findall(r'<a href="/dns/zones/([^/]+)/">', html[html.index('id="unhealthy"') :])
    assert unhealthy == ["bank.xb.", "xb."]
    filtered = staff_client.get("/dns/problems/?severity=medium").content.decode()
    filtered = filtered[filtered.index('id="signals"') : filtered.index('id="unhealthy"')]
    assert re.findall(r'<a href="/dns/zones/([^/]+)/">', filtered) == ["xb."]


def test_it_hides_other_organisations_problems(member_a_client: Client, bed: Bed) -> None:
    html = member_a_client.get("/dns/problems/").content.decode()
    assert "bank.xb." not in html


def test_it_filters_the_change_log(staff_client: Client, bed: Bed) -> None:
    assert "bank.xb." in staff_client.get("/dns/changes/?expected=no").content.decode()
    assert 'data-change="' not in staff_client.get("/dns/changes/?expected=yes").content.decode()
    assert 'data-change="' not in staff_client.get("/dns/changes/?severity=low").content.decode()


def test_it_lets_staff_acknowledge_a_change(staff_client: Client, bed: Bed) -> None:
    html = staff_client.get("/dns/changes/").content.decode()
    assert f"/dns/changes/{bed.hijack.pk}/acknowledge/" in html
    response = staff_client.post(f"/dns/changes/{bed.hijack.pk}/acknowledge/")
    assert response.status_code == 302
    bed.hijack.refresh_from_db()
    assert bed.hijack.acknowledged_at is not None
    assert AuditEvent.objects.filter(object_type="dnshealth.delegationchange").exists()


def test_it_refuses_acknowledgement_by_members(member_b_client: Client, bed: Bed) -> None:
    html = member_b_client.get("/dns/changes/").content.decode()
    assert "bank.xb." in html and "/acknowledge/" not in html
    assert member_b_client.post(f"/dns/changes/{bed.hijack.pk}/acknowledge/").status_code == 403


def test_it_lets_a_member_plan_a_change_for_their_zone(member_a_client: Client, bed: Bed) -> None:
    start = timezone.now() + timedelta(hours=1)
    response = member_a_client.post(
        "/dns/planned/",
        {
            "zone": "shop.xa.",
            "window_start": start.strftime("%Y-%m-%dT%H:%M"),
            "window_end": (start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
            "expected_ns": "ns1.new-host.xd\nns2.new-host.xd.",
            "note": "moving DNS provider",
        },
    )
    assert response.status_code == 302
    plan = PlannedChange.objects.get()
    assert plan.target == bed.shop
    assert plan.expected_ns == ["ns1.new-host.xd.", "ns2.new-host.xd."]
    assert "shop.xa." in member_a_client.get("/dns/planned/").content.decode()


def test_it_refuses_planning_for_another_organisations_zone(
    member_a_client: Client, bed: Bed
) -> None:
    start = timezone.now() + timedelta(hours=1)
    response = member_a_client.post(
        "/dns/planned/",
        {
            "zone": "bank.xb.",
            "window_start": start.strftime("%Y-%m-%dT%H:%M"),
            "window_end": (start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert "You cannot plan changes for bank.xb." in response.content.decode()
    assert not PlannedChange.objects.exists()


def test_it_reports_a_window_ending_before_it_starts(member_a_client: Client, bed: Bed) -> None:
    start = timezone.now() + timedelta(hours=1)
    response = member_a_client.post(
        "/dns/planned/",
        {
            "zone": "shop.xa.",
            "window_start": start.strftime("%Y-%m-%dT%H:%M"),
            "window_end": (start - timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert "The window must end after it starts." in response.content.decode()
    assert not PlannedChange.objects.exists()


def test_it_lets_staff_edit_a_schedule(staff_client: Client, bed: Bed) -> None:
    assert (
        f"/dns/targets/{bed.xa.pk}/schedule/" in staff_client.get("/dns/targets/").content.decode()
    )
    response = staff_client.post(
        f"/dns/targets/{bed.xa.pk}/schedule/",
        {"reachability_interval": "3", "full_interval": "30", "enabled": "on"},
    )
    assert response.status_code == 302
    bed.xa.refresh_from_db()
    assert (bed.xa.reachability_interval, bed.xa.full_interval) == (3, 30)
    assert (bed.xa.enabled, bed.xa.watch_delegation) == (True, False)


def test_it_refuses_schedule_edits_by_members(member_a_client: Client, bed: Bed) -> None:
    html = member_a_client.get("/dns/targets/").content.decode()
    assert "shop.xa." in html and "bank.xb." not in html and "/schedule/" not in html
    response = member_a_client.post(
        f"/dns/targets/{bed.xa.pk}/schedule/", {"reachability_interval": "1", "full_interval": "1"}
    )
    assert response.status_code == 403
    assert MonitoringTarget.objects.get(pk=bed.xa.pk).reachability_interval != 1


def test_it_rejects_a_schedule_out_of_range(staff_client: Client, bed: Bed) -> None:
    response = staff_client.post(
        f"/dns/targets/{bed.xa.pk}/schedule/", {"reachability_interval": "0", "full_interval": "60"}
    )
    assert response.status_code == 200
    assert "greater than or equal to 1" in response.content.decode()


def test_it_redirects_a_target_link_to_its_zone_page(bed: Bed) -> None:
    client = login_verified(Client(), member(bed.reg_b))
    response = client.get(f"/dns/targets/{bed.bank.pk}/")
    assert response.status_code == 302 and response["Location"] == "/dns/zones/bank.xb./"
    assert client.get(f"/dns/targets/{bed.shop.pk}/").status_code == 404


def test_it_asks_staff_to_type_the_zone_when_there_are_many(
    staff_client: Client, bed: Bed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(forms, "MAX_ZONE_CHOICES", 2)
    html = staff_client.get("/dns/planned/?zone=bank.xb").content.decode()
    assert 'type="text" name="zone" value="bank.xb."' in html
    start = timezone.now() + timedelta(hours=1)
    response = staff_client.post(
        "/dns/planned/",
        {
            "zone": "Bank.XB",
            "window_start": start.strftime("%Y-%m-%dT%H:%M"),
            "window_end": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    assert PlannedChange.objects.get().target == bed.bank
