"""Delivery history retention: the daily job, the CLI, the age and status boundaries, batching,
the audit row, and the pages that showed a pruned message still rendering."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dnscert.core.exceptions import InvalidInput
from dnscert.core.jobs import REGISTRY
from dnscert.core.models import AuditEvent
from dnscert.delivery import jobs, retention
from dnscert.delivery.choices import Channel, MessageStatus
from dnscert.delivery.models import OutboundMessage
from dnscert.delivery.services import messages_about, queue_email
from dnscert.directory.drills.models import Probe
from tests.drills import factories as drill_factories
from tests.incidents import factories as incident_factories
from tests.personas import login_verified, staff

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)


def message(
    status: str = MessageStatus.SENT,
    *,
    age: timedelta,
    now: datetime = NOW,
    category: str = "test.notice",
    channel: str = Channel.EMAIL,
    **fields: Any,
) -> OutboundMessage:
    """A message created ``age`` before ``now``, sent then when its status says it was."""
    created = now - age
    if status in (MessageStatus.SENT, MessageStatus.BOUNCED):
        fields.setdefault("sent_at", created)
    return OutboundMessage.objects.create(
        channel=channel,
        category=category,
        recipient="noc@registry.example",
        status=status,
        created_at=created,
        **fields,
    )


def kept() -> set[int]:
    return set(OutboundMessage.objects.values_list("pk", flat=True))


def prune_audit_events() -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action="delete", object_repr__startswith="outbound messages")
    )


# --- the rule --------------------------------------------------------------------------------


def test_exactly_n_days_old_is_kept_and_a_second_more_is_removed() -> None:
    boundary = message(age=timedelta(days=30))
    older = message(age=timedelta(days=30, seconds=1))
    younger = message(age=timedelta(days=29, hours=23))

    result = retention.prune(30, now=NOW)

    assert kept() == {boundary.pk, younger.pk}
    assert result.total_deleted == 1 and not OutboundMessage.objects.filter(pk=older.pk).exists()


def test_queued_and_retrying_messages_are_never_removed() -> None:
    queued = message(MessageStatus.PENDING, age=timedelta(days=900))
    retrying = message(MessageStatus.RETRYING, age=timedelta(days=900), attempts=3)
    gone = [
        message(status, age=timedelta(days=900))
        for status in (MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.BOUNCED)
    ]

    result = retention.prune(30, now=NOW)

    assert kept() == {queued.pk, retrying.pk}
    assert result.deleted == {"sent": 1, "failed": 1, "bounced": 1}
    assert all(not OutboundMessage.objects.filter(pk=m.pk).exists() for m in gone)


def test_a_recent_send_or_bounce_keeps_an_old_message() -> None:
    late_send = message(age=timedelta(days=90), sent_at=NOW - timedelta(days=5))
    late_bounce = message(
        MessageStatus.BOUNCED, age=timedelta(days=90), bounced_at=NOW - timedelta(days=1)
    )
    old_bounce = message(
        MessageStatus.BOUNCED, age=timedelta(days=90), bounced_at=NOW - timedelta(days=60)
    )

    retention.prune(30, now=NOW)

    assert kept() == {late_send.pk, late_bounce.pk}
    assert not OutboundMessage.objects.filter(pk=old_bounce.pk).exists()


def test_it_deletes_in_batches_of_the_given_size() -> None:
    for _ in range(5):
        message(age=timedelta(days=60))
    message(MessageStatus.FAILED, age=timedelta(days=60))

    with CaptureQueriesContext(connection) as queries:
        result = retention.prune(30, now=NOW, batch_size=2)

    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 4  # sent: 2 + 2 + 1, failed: 1
    assert result.total_deleted == 6 and not OutboundMessage.objects.exists()


def test_it_records_the_count_in_the_audit_log() -> None:
    message(age=timedelta(days=60))
    message(MessageStatus.FAILED, age=timedelta(days=60))

    retention.prune(30, now=NOW)

    [event] = prune_audit_events()
    assert event.actor is None and event.actor_label == "system"
    assert event.object_repr == "outbound messages older than 30 days"
    assert event.changes["deleted"] == 2
    assert event.changes["by_status"] == {"sent": 1, "failed": 1, "bounced": 0}
    assert event.changes["before"] == (NOW - timedelta(days=30)).isoformat()


def test_a_dry_run_counts_and_deletes_nothing() -> None:
    message(age=timedelta(days=60), category="incident.notify")
    message(age=timedelta(days=61), category="incident.notify")
    message(MessageStatus.FAILED, age=timedelta(days=60), channel=Channel.WEBHOOK)

    result = retention.prune(30, now=NOW, dry_run=True)

    assert OutboundMessage.objects.count() == 3 and prune_audit_events() == []
    assert result.found == 3 and result.total_deleted == 0
    assert [(g.status, g.channel, g.category, g.count) for g in result.groups] == [
        ("failed", "webhook", "test.notice", 1),
        ("sent", "email", "incident.notify", 2),
    ]


@pytest.mark.parametrize("days", [0, -1, True, "30", 2.5])
def test_a_bad_age_is_refused_naming_it(days: Any) -> None:
    message(age=timedelta(days=900))
    with pytest.raises(InvalidInput) as caught:
        retention.prune(days, now=NOW)
    assert caught.value.field == "days"
    assert OutboundMessage.objects.count() == 1


def test_a_bad_batch_size_is_refused() -> None:
    with pytest.raises(InvalidInput, match="batch_size"):
        retention.prune(30, batch_size=0)


# --- the daily job ---------------------------------------------------------------------------


def test_the_job_is_declared_daily() -> None:
    declared = REGISTRY["delivery.prune"]
    assert declared.func is jobs.prune
    assert declared.schedule is not None
    assert declared.schedule.hour == {2} and declared.schedule.minute == {47}  # type: ignore[attr-defined]


def test_the_job_applies_the_retention_setting(settings: Any) -> None:
    settings.DNSCERT_DELIVERY_RETENTION_DAYS = 100
    now = timezone.now()
    old = message(age=timedelta(days=101), now=now)
    recent = message(age=timedelta(days=99), now=now)
    queued = message(MessageStatus.PENDING, age=timedelta(days=500), now=now)

    assert jobs.prune() == {"deleted": 1, "retention_days": 100}
    assert kept() == {recent.pk, queued.pk}
    assert not OutboundMessage.objects.filter(pk=old.pk).exists()
    assert prune_audit_events()[0].changes["deleted"] == 1


def test_the_job_defaults_to_400_days(settings: Any) -> None:
    del settings.DNSCERT_DELIVERY_RETENTION_DAYS
    now = timezone.now()
    message(age=timedelta(days=401), now=now)
    recent = message(age=timedelta(days=399), now=now)
    assert jobs.prune() == {"deleted": 1, "retention_days": 400}
    assert kept() == {recent.pk}


def test_zero_keeps_everything_forever(settings: Any) -> None:
    settings.DNSCERT_DELIVERY_RETENTION_DAYS = 0
    message(age=timedelta(days=5000), now=timezone.now())
    assert jobs.prune() == {"deleted": 0, "retention_days": 0}
    assert OutboundMessage.objects.count() == 1 and prune_audit_events() == []


def test_a_negative_setting_is_refused_naming_it(settings: Any) -> None:
    from dnscert.env import ConfigError

    settings.DNSCERT_DELIVERY_RETENTION_DAYS = -3
    with pytest.raises(ConfigError, match="DNSCERT_DELIVERY_RETENTION_DAYS"):
        jobs.prune()


# --- the CLI ---------------------------------------------------------------------------------


def run_cli(*args: str) -> str:
    out = io.StringIO()
    call_command("delivery", "prune", *args, stdout=out)
    return out.getvalue()


def test_the_cli_dry_run_prints_what_would_go() -> None:
    now = timezone.now()
    message(age=timedelta(days=40), now=now, category="incident.notify")
    message(MessageStatus.BOUNCED, age=timedelta(days=40), now=now, category="drill.probe")
    message(MessageStatus.RETRYING, age=timedelta(days=40), now=now)

    output = run_cli("--days", "30", "--dry-run")

    assert "would remove\tbounced\temail\tdrill.probe\t1" in output
    assert "would remove\tsent\temail\tincident.notify\t1" in output
    assert "2 messages older than 30 days" in output and "would be removed" in output
    assert OutboundMessage.objects.count() == 3


def test_the_cli_removes_and_says_how_many(settings: Any) -> None:
    settings.DNSCERT_DELIVERY_RETENTION_DAYS = 30
    now = timezone.now()
    message(age=timedelta(days=40), now=now)
    survivor = message(age=timedelta(days=20), now=now)

    output = run_cli()

    assert "removing\tsent\temail\ttest.notice\t1" in output
    assert "removed 1 messages older than 30 days" in output
    assert kept() == {survivor.pk}
    assert prune_audit_events()[0].actor_label == "system"
    assert prune_audit_events()[0].via == "cli"


def test_the_cli_says_when_retention_is_off(settings: Any) -> None:
    settings.DNSCERT_DELIVERY_RETENTION_DAYS = 0
    message(age=timedelta(days=4000), now=timezone.now())
    assert "kept forever" in run_cli()
    assert OutboundMessage.objects.count() == 1


@pytest.mark.parametrize("days", ["0", "-5"])
def test_the_cli_refuses_a_bad_age_naming_the_option(days: str) -> None:
    with pytest.raises(CommandError, match="--days: must be a whole number of days"):
        run_cli("--days", days)


def test_the_cli_refuses_a_non_number() -> None:
    with pytest.raises(CommandError, match="--days"):
        run_cli("--days", "forever")


# --- pages that showed a pruned message -------------------------------------------------------


def _age_all(days: int) -> None:
    then = timezone.now() - timedelta(days=days)
    OutboundMessage.objects.update(status=MessageStatus.SENT, created_at=then, sent_at=then)


def test_an_incident_page_still_renders_after_its_messages_are_pruned() -> None:
    analyst = staff()
    incident = incident_factories.incident(by=analyst)
    sent = queue_email(
        to="noc@nic.xa.example", subject="Notice", body="Body", category="t.n", about=incident
    )
    _age_all(500)
    client = login_verified(Client(), analyst)
    before = client.get(incident.get_absolute_url()).content.decode()
    assert f'data-delivery="{sent.pk}"' in before

    jobs.prune(retention_days=400)

    after = client.get(incident.get_absolute_url())
    assert after.status_code == 200
    assert f'data-delivery="{sent.pk}"' not in after.content.decode()
    assert "Nothing sent about this incident." in after.content.decode()
    assert not messages_about(incident).exists()


def test_a_drill_page_still_renders_after_its_probe_messages_are_pruned(settings: Any) -> None:
    settings.SITE_URL = "https://cert.example"
    settings.DNSCERT_INTAKE_ADDRESS = "intake@cert.example"
    drill_factories.registry("xa")
    boss = staff()
    drill = drill_factories.launched(boss)
    probe = drill.probes.get()
    assert probe.message is not None
    _age_all(500)
    client = login_verified(Client(), boss)
    assert 'data-delivery="sent"' in client.get(f"/drills/{drill.pk}/probes/").content.decode()

    assert jobs.prune(retention_days=400)["deleted"] == 1

    probe = Probe.objects.get(pk=probe.pk)
    assert probe.message is None and probe.email == "noc@nic.xa.example"
    for url in (f"/drills/{drill.pk}/", f"/drills/{drill.pk}/probes/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "noc@nic.xa.example" in response.content.decode()
    assert client.get(f"/drills/{drill.pk}/results.json").status_code == 200


def test_the_delivery_table_says_how_long_history_is_kept(settings: Any) -> None:
    incident = incident_factories.incident()
    page = Template("{% load delivery_tags %}{% delivery_status obj %}")
    settings.DNSCERT_DELIVERY_RETENTION_DAYS = 400
    assert "older than 400 days are removed" in page.render(Context({"obj": incident}))
    settings.DNSCERT_DELIVERY_RETENTION_DAYS = 0
    assert "are removed" not in page.render(Context({"obj": incident}))
