"""API: warnings (read, acknowledge, review), subscriptions (CRUD), hostile input, access."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from dnscert.advisories.warnings import rules
from dnscert.advisories.warnings.choices import WarningStatus
from dnscert.advisories.warnings.models import Subscription
from tests.advisories.warnings.conftest import registry
from tests.advisories.warnings.factories import warn
from tests.personas import member, outsider, responder, staff

pytestmark = pytest.mark.django_db

WARNINGS = "/api/warnings/warnings/"
SUBSCRIPTIONS = "/api/warnings/subscriptions/"


def _as(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_members_read_and_acknowledge_their_warnings_only() -> None:
    xa, xb = registry("xa"), registry("xb")
    mine, theirs = warn(xa), warn(xb)
    client = _as(member(xa))
    listed = client.get(WARNINGS).json()
    assert [row["reference"] for row in listed["results"]] == [mine.reference]
    assert client.get(f"{WARNINGS}{theirs.reference}/").status_code == 404
    done = client.post(f"{WARNINGS}{mine.reference}/acknowledge/")
    assert done.status_code == 200 and done.json()["acknowledged_via"] == "api"
    assert client.post(f"{WARNINGS}{theirs.reference}/acknowledge/").status_code == 404
    assert client.post(f"{WARNINGS}{mine.reference}/approve/", {}).status_code == 403


def test_staff_approve_and_reject_held_warnings() -> None:
    rules.update_setting("dnshealth.rrsig_expiry", by=None, review_required=True)
    xa = registry("xa")
    held, dropped = warn(xa), warn(xa)
    client = _as(staff())
    assert client.get(WARNINGS, {"status": "pending_review"}).json()["count"] == 2
    approved = client.post(f"{WARNINGS}{held.reference}/approve/", {"note": "go"}, format="json")
    assert approved.json()["status"] == WarningStatus.SENT
    client.post(f"{WARNINGS}{dropped.reference}/reject/", {}, format="json")
    again = client.post(f"{WARNINGS}{dropped.reference}/approve/", {}, format="json")
    assert again.status_code == 400 and "status" in again.json()
    assert client.post(f"{WARNINGS}{dropped.reference}/acknowledge/").status_code == 400


def test_responders_read_but_do_not_acknowledge() -> None:
    warning = warn(registry("xa"), tlp="GREEN")
    client = _as(responder())
    assert client.get(WARNINGS).json()["count"] == 1
    assert client.post(f"{WARNINGS}{warning.reference}/acknowledge/").status_code == 403


def test_members_create_change_and_delete_their_organisations_subscriptions() -> None:
    xa = registry("xa")
    client = _as(member(xa))
    created = client.post(
        SUBSCRIPTIONS,
        {
            "name": "hooks",
            "kinds": ["rrsig_expiry"],
            "tlds": ["XA."],
            "channels": ["webhook"],
            "webhook_url": "https://hooks.example/dnscert",
            "webhook_secret": "a-long-enough-secret-value",
            "min_severity": "high",
            "language": "en",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["organisation"] == xa.short_name and body["tlds"] == ["xa"]
    assert body["webhook_secret_set"] and "webhook_secret" not in body
    assert body["feed_url"].startswith("https://dnscert.example/warnings/feed/")
    url = f"{SUBSCRIPTIONS}{body['id']}/"
    changed = client.patch(url, {"min_severity": "low"}, format="json")
    assert changed.status_code == 200 and changed.json()["min_severity"] == "low"
    assert client.delete(url).status_code == 204
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kinds": ["weather"]}, "kinds"),
        ({"min_severity": "apocalyptic"}, "min_severity"),
        ({"channels": ["pigeon"]}, "channels"),
        ({"channels": []}, "channels"),
        ({"channels": ["webhook"], "webhook_url": "ftp://hooks.example/x"}, "webhook_url"),
        ({"channels": ["webhook"], "webhook_url": "javascript:alert(1)"}, "webhook_url"),
        ({"channels": ["webhook"]}, "webhook_url"),
        ({"tlds": ["not a tld"]}, "tlds"),
        ({"tlds": ["a.b"]}, "tlds"),
        ({"language": "tlh"}, "language"),
        ({"products": [999999]}, "products"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_bad_subscriptions_are_refused_naming_the_field(fields: dict[str, Any], field: str) -> None:
    client = _as(member(registry("xa")))
    response = client.post(SUBSCRIPTIONS, {"name": "x", **fields}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()


def test_outsiders_cannot_reach_others_subscriptions_and_staff_see_all() -> None:
    theirs = Subscription.objects.create(organisation=registry("xb"), name="x", channels=["email"])
    client = _as(outsider())
    assert client.get(SUBSCRIPTIONS).json()["count"] == 0
    assert client.patch(f"{SUBSCRIPTIONS}{theirs.pk}/", {"name": "y"}).status_code == 404
    assert client.delete(f"{SUBSCRIPTIONS}{theirs.pk}/").status_code == 404
    assert _as(staff()).get(SUBSCRIPTIONS).json()["count"] == 1


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", WARNINGS),
        ("get", f"{WARNINGS}DNSCERT-W-2026-000001/"),
        ("post", f"{WARNINGS}DNSCERT-W-2026-000001/acknowledge/"),
        ("post", f"{WARNINGS}DNSCERT-W-2026-000001/approve/"),
        ("post", f"{WARNINGS}DNSCERT-W-2026-000001/reject/"),
        ("get", SUBSCRIPTIONS),
        ("post", SUBSCRIPTIONS),
        ("patch", f"{SUBSCRIPTIONS}1/"),
        ("delete", f"{SUBSCRIPTIONS}1/"),
    ],
)
def test_anonymous_callers_are_refused(method: str, url: str) -> None:
    response = getattr(APIClient(), method)(url)
    assert response.status_code in (401, 403)
