"""The public status page: root and TLD health for everyone, no constituent zone."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.dnshealth.web.factories import Bed

pytestmark = pytest.mark.django_db

CONSTITUENT_DETAIL = ("shop.xa.", "bank.xb.", "DS04_RRSIG_EXPIRED", "N02_NO_EDNS", "Registry A")


def test_it_shows_root_and_tld_health_to_anonymous_visitors(client: Client, bed: Bed) -> None:
    response = client.get("/status/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "TLP:CLEAR" in html
    for zone in (".", "xa.", "xb."):
        assert f'data-zone="{zone}"' in html
    assert "a.root-servers.xa." in html and "127.1.1.1" in html


def test_it_shows_no_constituent_zone_nor_message(client: Client, bed: Bed) -> None:
    html = client.get("/status/").content.decode()
    body = client.get("/status.json").content.decode()
    for secret in CONSTITUENT_DETAIL:
        assert secret not in html
        assert secret not in body


def test_it_publishes_the_same_status_as_json(client: Client, bed: Bed) -> None:
    data = client.get("/status.json").json()
    assert data["tlp"] == "TLP:CLEAR"
    zones = {zone["name"]: zone for zone in data["zones"]}
    assert set(zones) == {".", "xa.", "xb."}
    assert zones["xb."]["status"] == "amber"
    assert zones["xb."]["servers"] == [
        {
            "name": "b.nic.xb.",
            "address": "127.1.1.2",
            "reachable": False,
            "udp_ms": None,
            "tcp_ms": None,
        }
    ]
    assert set(zones["."]) == {"name", "kind", "status", "summary", "checked_at", "servers"}


def test_it_reads_the_public_status_in_one_query(
    client: Client, bed: Bed, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(1):
        client.get("/status.json")
