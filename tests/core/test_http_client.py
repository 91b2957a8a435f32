"""The client's address behind reverse proxies: the right-to-left X-Forwarded-For rule, the
``DNSCERT_TRUSTED_PROXIES`` setting, and the sign-in throttle and audit log using them."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from dnscert.core.http_client import client_ip, parse_address, parse_trusted_proxies
from dnscert.core.models import ApiToken, AuditEvent
from dnscert.env import ConfigError
from tests.personas import PASSWORD, member, staff

PROXY = "10.0.0.5"
PROXIES = ["10.0.0.0/24", "2001:db8:f::/48", "192.0.2.1"]


@pytest.fixture
def behind_proxies(settings: Any) -> None:
    settings.DNSCERT_TRUSTED_PROXIES = parse_trusted_proxies(PROXIES)


def ip_of(remote: str | None, forwarded: str | None = None) -> str | None:
    meta: dict[str, str] = {}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    if remote is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote
    return client_ip(request)


# --- the rule --------------------------------------------------------------------------------


def test_it_trusts_nobody_by_default(settings: Any) -> None:
    settings.DNSCERT_TRUSTED_PROXIES = ()
    assert ip_of(PROXY, "198.51.100.7") == PROXY


def test_it_ignores_the_header_from_an_untrusted_peer(behind_proxies: None) -> None:
    assert ip_of("203.0.113.9", "198.51.100.7") == "203.0.113.9"
    assert ip_of("203.0.113.9", "10.0.0.6") == "203.0.113.9"


def test_it_takes_the_address_the_trusted_proxy_appended(behind_proxies: None) -> None:
    assert ip_of(PROXY, "198.51.100.7") == "198.51.100.7"


def test_a_spoofed_prefix_does_not_fool_it(behind_proxies: None) -> None:
    # The client sent "X-Forwarded-For: 1.2.3.4, 10.0.0.9"; the proxy appended the real address.
    assert ip_of(PROXY, "1.2.3.4, 10.0.0.9, 198.51.100.7") == "198.51.100.7"


def test_it_walks_back_through_a_chain_of_trusted_proxies(behind_proxies: None) -> None:
    assert ip_of(PROXY, "6.6.6.6, 198.51.100.7, 192.0.2.1, 10.0.0.17") == "198.51.100.7"


def test_it_handles_ipv6_proxies_and_clients(behind_proxies: None) -> None:
    assert ip_of("2001:db8:f::1", "2001:db8:1::42") == "2001:db8:1::42"
    assert ip_of("2001:db8:f::1", "[2001:db8:1::42]:51234, 2001:db8:f:9::1") == "2001:db8:1::42"
    assert ip_of("2001:db8:e::1", "198.51.100.7") == "2001:db8:e::1"


def test_it_reads_an_ipv4_mapped_peer_as_ipv4(behind_proxies: None) -> None:
    assert ip_of("::ffff:10.0.0.5", "198.51.100.7") == "198.51.100.7"
    assert ip_of("::ffff:203.0.113.9") == "203.0.113.9"


def test_it_accepts_a_port_on_an_ipv4_entry(behind_proxies: None) -> None:
    assert ip_of(PROXY, "198.51.100.7:40000") == "198.51.100.7"


def test_garbage_ends_the_walk_at_the_nearest_trusted_hop(behind_proxies: None) -> None:
    assert ip_of(PROXY, "198.51.100.7, unknown") == PROXY
    assert ip_of(PROXY, "198.51.100.7, <script>, 10.0.0.8") == "10.0.0.8"
    assert ip_of(PROXY, "\x00\xff, ,,") == PROXY
    assert ip_of(PROXY, "999.1.1.1") == PROXY
    assert ip_of(PROXY, "x" * 8000) == PROXY


def test_garbage_left_of_the_client_is_ignored(behind_proxies: None) -> None:
    assert ip_of(PROXY, "not-an-ip, [zz], 198.51.100.7") == "198.51.100.7"


def test_an_empty_or_missing_header_gives_the_proxy(behind_proxies: None) -> None:
    assert ip_of(PROXY, "") == PROXY
    assert ip_of(PROXY) == PROXY


def test_only_trusted_hops_give_the_farthest_of_them(behind_proxies: None) -> None:
    assert ip_of(PROXY, "10.0.0.7, 192.0.2.1") == "10.0.0.7"


def test_no_usable_peer_address_gives_none(behind_proxies: None) -> None:
    assert ip_of(None, "198.51.100.7") is None
    assert ip_of("", "198.51.100.7") is None
    assert ip_of("unix:/run/gunicorn.sock") is None
    assert client_ip(None) is None


def test_settings_given_as_strings_are_parsed(settings: Any) -> None:
    settings.DNSCERT_TRUSTED_PROXIES = "10.0.0.0/24, "
    assert ip_of(PROXY, "198.51.100.7") == "198.51.100.7"


def test_it_parses_addresses_with_zone_and_port() -> None:
    assert parse_address("fe80::1%eth0") == ipaddress.ip_address("fe80::1")
    assert parse_address('"198.51.100.7"') == ipaddress.ip_address("198.51.100.7")
    assert parse_address("[2001:db8::1]") == ipaddress.ip_address("2001:db8::1")
    assert parse_address("2001:db8::1:80") == ipaddress.ip_address("2001:db8::1:80")
    assert parse_address("198.51.100.7:123456") is None
    assert parse_address("198.51.100.7:") is None


# --- the setting -----------------------------------------------------------------------------


def test_it_parses_addresses_and_networks() -> None:
    networks = parse_trusted_proxies([" 10.0.0.1 ", "10.1.0.0/16", "::1", "2001:db8::/32"])
    assert [str(network) for network in networks] == [
        "10.0.0.1/32",
        "10.1.0.0/16",
        "::1/128",
        "2001:db8::/32",
    ]


@pytest.mark.parametrize("bad", ["proxy.example", "10.0.0.0/33", "10.0.0.300", "::g", ""])
def test_a_bad_entry_is_named_in_the_error(bad: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_trusted_proxies(["10.0.0.1", bad])
    assert caught.value.name == "DNSCERT_TRUSTED_PROXIES"
    assert repr(bad) in str(caught.value)


def test_a_bad_setting_stops_the_platform_at_startup() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dnscert.settings",
        "DNSCERT_TRUSTED_PROXIES": "10.0.0.0/8,lb.internal",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "DNSCERT_TRUSTED_PROXIES: 'lb.internal' is not an IP address" in result.stderr


# --- call sites: sign-in throttle and audit log ----------------------------------------------


@pytest.mark.django_db
def test_the_sign_in_throttle_counts_per_client_behind_the_proxy(behind_proxies: None) -> None:
    member(username="alice")
    login = reverse("login")
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    for _attempt in range(10):
        Client(**attacker).post(login, {"username": "alice", "password": "guess"})
    locked = Client(**attacker).post(login, {"username": "alice", "password": PASSWORD})
    assert "Too many failed sign-in attempts" in locked.content.decode()

    colleague = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.77"}
    allowed = Client(**colleague).post(login, {"username": "alice", "password": PASSWORD})
    assert allowed.status_code == 302


@pytest.mark.django_db
def test_the_audit_log_records_the_client_not_the_proxy(behind_proxies: None) -> None:
    analyst = staff("analyst")
    raw = ApiToken.issue(analyst, "tests")[1]
    client = Client(
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        REMOTE_ADDR="2001:db8:f::2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 2001:db8:1::42",
    )
    response = client.post(
        reverse("shared-document-list"),
        {"title": "Resolver advisory", "tlp": "tlp:amber", "body": "Patch now."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    event = AuditEvent.objects.filter(action="create").latest("at", "id")
    assert event.ip_address == "2001:db8:1::42"
