"""The public report form behind a reverse proxy: the rate limit counts each real client (the
address the trusted proxy appended to X-Forwarded-For), and the report keeps that address."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dnscert.core.http_client import parse_trusted_proxies
from dnscert.incidents.intake.models import Report

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"
FORM = {
    "reporter_name": "Alice Reporter",
    "reporter_email": "alice@example.net",
    "subject": "Phishing domains registered in bulk",
    "body": "Since Monday 400 look-alike domains of bank.xb were registered at one registrar.",
}


def post_via_proxy(forwarded_for: str, remote: str = PROXY) -> Any:
    return Client().post("/report/", FORM, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded_for)


@pytest.fixture(autouse=True)
def _behind_a_proxy(settings: Any) -> None:
    settings.DNSCERT_TRUSTED_PROXIES = parse_trusted_proxies([PROXY])


def test_the_rate_limit_counts_each_client_behind_the_proxy() -> None:
    for _ in range(3):
        assert post_via_proxy("198.51.100.7").status_code == 302
    assert post_via_proxy("198.51.100.7").status_code == 429
    # Another client behind the same proxy is not throttled with the first one.
    assert post_via_proxy("198.51.100.8").status_code == 302
    assert {str(ip) for ip in Report.objects.values_list("source_ip", flat=True)} == {
        "198.51.100.7",
        "198.51.100.8",
    }


def test_a_flooder_cannot_escape_the_limit_by_forging_the_header() -> None:
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        assert post_via_proxy(f"{forged}, 198.51.100.7").status_code == 302
    assert post_via_proxy("4.4.4.4, 198.51.100.7").status_code == 429


def test_the_header_of_a_client_reaching_the_site_directly_is_ignored() -> None:
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        assert post_via_proxy(forged, remote="203.0.113.9").status_code == 302
    assert post_via_proxy("4.4.4.4", remote="203.0.113.9").status_code == 429
    assert str(Report.objects.values_list("source_ip", flat=True).first()) == "203.0.113.9"
