"""Paging: e-mail to a real SMTP listener and a signed webhook to a real receiver, escalation
on a controlled clock, acknowledgement by link and by reply, nobody on call."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dnscert.core.jobs import enqueue, run_pending
from dnscert.core.models import AuditEvent
from dnscert.delivery import webhooks
from dnscert.directory.oncall import services
from dnscert.directory.oncall.choices import AckVia, Level, PageStatus
from dnscert.directory.oncall.models import Page, PageNotification
from tests.oncall.conftest import Receiver
from tests.oncall.factories import person, policy, rota, shift, utc
from tests.personas import staff

pytestmark = pytest.mark.django_db

NOW = utc(2026, 6, 1, 12)
SECRET = "gateway-shared-secret"


@pytest.fixture
def team(receiver: Receiver) -> dict[str, Any]:
    """A primary rota with Claire (French) on call now, a backup rota with Bob, two staff."""
    backup_rota = rota("Backup", kind="backup")
    escalation = policy(on_call_minutes=10, backup_minutes=5, backup_rota=backup_rota)
    primary = rota("Primary", policy=escalation, webhook_url=receiver.url(), webhook_secret=SECRET)
    claire = person("claire", "Europe/Paris", language="fr")
    bob = person("bob", "America/New_York")
    shift(primary, claire, NOW - timedelta(hours=2), NOW + timedelta(hours=6))
    shift(backup_rota, bob, NOW - timedelta(hours=2), NOW + timedelta(hours=6))
    return {"primary": primary, "claire": claire, "bob": bob, "staff": [staff("sam"), staff("sue")]}


def _page(**fields: Any) -> Page:
    values = {
        "subject": "Delegation of xa. hijacked",
        "body": "NS of xa. changed to ns1.evil.xc.",
        "url": "/incidents/7/",
        "severity": "critical",
        "reference": "DNSCERT-2026-0007",
        "now": NOW,
    }
    return services.page(**{**values, **fields})


def test_it_pages_the_responder_by_email_and_posts_a_signed_webhook(
    team: dict[str, Any], smtp_server: Any, receiver: Receiver
) -> None:
    page = _page()
    run_pending()

    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == team["claire"].email
    assert f"[{page.token_label}]" in mail["Subject"] and "Astreinte" in mail["Subject"]
    assert mail["X-DNSCERT-Page"] == page.token_label
    assert mail["X-DNSCERT-Ref"] == "DNSCERT-2026-0007"
    text = _text_of(mail)
    assert f"https://dnscert.example/oncall/ack/{page.token}/" in text
    assert "Pour accuser réception" in text

    (hit,) = receiver.hits
    assert webhooks.verify(SECRET, hit.body, hit.headers["X-DNSCERT-Signature"])
    payload = json.loads(hit.body)
    assert payload["event"] == "oncall.page" and payload["paged"] == ["claire"]
    assert payload["reference"] == "DNSCERT-2026-0007" and payload["level"] == Level.ON_CALL
    assert payload["url"] == "https://dnscert.example/incidents/7/"
    channels = sorted(page.notifications.values_list("channel", flat=True))
    assert channels == ["email", "webhook"]
    assert AuditEvent.objects.filter(object_type="oncall.page", action="create").exists()


def _text_of(mail: Any) -> str:
    parts = [part for part in mail.walk() if part.get_content_type() == "text/plain"]
    return "\n".join(part.get_content() for part in parts)


def test_it_escalates_to_the_backup_then_to_staff_then_expires(team: dict[str, Any]) -> None:
    page = _page()

    assert services.escalate_due(NOW + timedelta(minutes=9, seconds=59)) == []
    (moved,) = services.escalate_due(NOW + timedelta(minutes=10))
    assert moved.level == Level.BACKUP and moved.status == PageStatus.OPEN
    assert _paged(page, Level.BACKUP) == ["bob"]

    assert services.escalate_due(NOW + timedelta(minutes=14)) == []
    (moved,) = services.escalate_due(NOW + timedelta(minutes=15))
    assert moved.level == Level.STAFF and moved.status == PageStatus.ESCALATED_TO_STAFF
    assert _paged(page, Level.STAFF) == ["sam", "sue"]

    (moved,) = services.escalate_due(NOW + timedelta(minutes=15, hours=24))
    assert moved.status == PageStatus.EXPIRED
    assert services.escalate_due(NOW + timedelta(days=3)) == []


def _paged(page: Page, level: int) -> list[str]:
    rows = PageNotification.objects.filter(page=page, level=level, channel="email")
    return sorted(rows.values_list("user__username", flat=True))


def test_without_a_backup_it_goes_from_the_on_call_responder_straight_to_staff() -> None:
    primary = rota(policy=policy(on_call_minutes=3))
    shift(primary, person("solo", "UTC"), NOW - timedelta(hours=1), NOW + timedelta(hours=1))
    staff("sam")
    page = _page()

    (moved,) = services.escalate_due(NOW + timedelta(minutes=3))
    assert moved.level == Level.STAFF and _paged(page, Level.STAFF) == ["sam"]


def test_the_escalation_job_escalates_pages_whose_time_ran_out() -> None:
    now = timezone.now()
    primary = rota(policy=policy(on_call_minutes=10))
    shift(primary, person("solo", "UTC"), now - timedelta(hours=1), now + timedelta(hours=1))
    staff("sam")
    late = _page(now=now - timedelta(minutes=11))
    fresh = _page(now=now - timedelta(minutes=5))
    enqueue("oncall.escalate")
    (run,) = run_pending(["oncall.escalate"])

    assert run.result == {"escalated": [late.pk]}
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.level == Level.STAFF and fresh.level == Level.ON_CALL


def test_acknowledging_by_the_link_stops_escalation(team: dict[str, Any], client: Client) -> None:
    page = _page()
    link = f"/oncall/ack/{page.token}/"

    shown = client.get(link)  # a link scanner only reads: nothing changes
    assert shown.status_code == 200 and b"Acknowledge" in shown.content
    page.refresh_from_db()
    assert page.acknowledged_at is None

    done = client.post(link)
    assert done.status_code == 200 and b"Escalation has stopped" in done.content
    page.refresh_from_db()
    assert page.status == PageStatus.ACKNOWLEDGED and page.acknowledged_via == AckVia.LINK
    assert page.acknowledged_by is None
    assert services.escalate_due(NOW + timedelta(hours=2)) == []

    first = page.acknowledged_at
    assert client.post(link).status_code == 200  # idempotent
    page.refresh_from_db()
    assert page.acknowledged_at == first
    acks = AuditEvent.objects.filter(object_type="oncall.page", action="state")
    assert acks.count() == 1 and acks.get().changes["via"] == "link"


def test_a_signed_in_responder_acknowledging_by_link_is_recorded(
    team: dict[str, Any], client: Client
) -> None:
    from tests.personas import login_verified

    page = _page()
    login_verified(client, team["claire"])
    client.post(f"/oncall/ack/{page.token}/")

    page.refresh_from_db()
    assert page.acknowledged_by == team["claire"]


@pytest.mark.parametrize("token", ["0" * 32, "not-a-token", "../../admin"])
def test_an_unknown_or_malformed_token_is_a_404(client: Client, token: str) -> None:
    assert client.post(f"/oncall/ack/{token}/").status_code == 404


def test_acknowledging_by_reply_finds_the_token_in_the_subject(team: dict[str, Any]) -> None:
    page = _page()
    subject = f"Re: [CRITICAL] Astreinte : Delegation of xa. hijacked [{page.token_label.lower()}]"

    assert services.find_page_token(subject) == page
    assert services.find_page_token("Re: PAGE-" + "f" * 32) is None
    assert services.find_page_token("no token here") is None

    acked = services.acknowledge_reply(subject, sender=team["claire"].email.upper())
    assert acked is not None and acked.acknowledged_via == AckVia.REPLY
    assert acked.acknowledged_by == team["claire"]
    assert services.escalate_due(NOW + timedelta(hours=1)) == []


def test_nobody_on_call_pages_all_staff_at_once_and_records_it(smtp_server: Any) -> None:
    rota("Empty")
    staff("sam")
    staff("sue")
    page = _page()
    run_pending()

    assert page.nobody_on_call and page.level == Level.STAFF
    assert page.status == PageStatus.ESCALATED_TO_STAFF
    received = sorted(m["To"] for m in smtp_server.wait_for(2))
    assert received == ["sam@example.org", "sue@example.org"]
    event = AuditEvent.objects.get(object_type="oncall.page", action="create")
    assert event.changes["nobody_on_call"] is True


def test_with_no_rota_at_all_staff_are_paged() -> None:
    staff("sam")
    page = _page()
    assert page.nobody_on_call and page.rota is None and _paged(page, Level.STAFF) == ["sam"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"subject": "  "}, "subject"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "//evil.example/x"}, "url"),
        ({"url": '/incidents/7/" onclick="x'}, "url"),
    ],
)
def test_it_refuses_a_page_with_a_bad_subject_severity_or_link(
    fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValueError, match=f"^{field}:"):
        _page(**fields)


def test_on_call_now_ignores_backup_rotas_inactive_rotas_and_inactive_users(
    team: dict[str, Any],
) -> None:
    retired = person("retired", "UTC")
    shift(team["primary"], retired, NOW - timedelta(hours=1), NOW + timedelta(hours=1))
    retired.is_active = False
    retired.save()
    off = rota("Off", active=False)
    shift(off, person("offduty", "UTC"), NOW - timedelta(hours=1), NOW + timedelta(hours=1))

    assert services.on_call_now(NOW) == [team["claire"]]
    assert services.on_call_now(NOW + timedelta(hours=7)) == []
