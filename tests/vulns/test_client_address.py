"""The public vulnerability report form behind a reverse proxy records the real client."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dnscert.core.http_client import parse_trusted_proxies
from dnscert.incidents.intake.models import Report

pytestmark = pytest.mark.django_db

FORM = {
    "reporter_email": "r@x.example",
    "software": "Resolvd",
    "subject": "flaw",
    "body": "details",
    "credit": "anonymous",
}


def test_a_report_through_the_proxy_keeps_the_client_address(settings: Any) -> None:
    settings.DNSCERT_TRUSTED_PROXIES = parse_trusted_proxies(["2001:db8:f::/48"])
    response = Client().post(
        "/report/vulnerability/",
        FORM,
        REMOTE_ADDR="2001:db8:f::1",
        HTTP_X_FORWARDED_FOR="192.0.2.99, 2001:db8:1::42",
    )
    assert response.status_code == 200, response.content
    assert str(Report.objects.get().source_ip) == "2001:db8:1::42"


def test_the_rate_limit_counts_per_client_not_per_proxy(settings: Any) -> None:
    settings.DNSCERT_TRUSTED_PROXIES = parse_trusted_proxies(["10.0.0.5"])

    def post(client_address: str) -> int:
        return (
            Client()
            .post(
                "/report/vulnerability/",
                FORM,
                REMOTE_ADDR="10.0.0.5",
                HTTP_X_FORWARDED_FOR=client_address,
            )
            .status_code
        )

    assert [post("198.51.100.7") for _ in range(4)] == [200, 200, 200, 429]
    assert post("198.51.100.8") == 200
