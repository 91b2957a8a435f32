"""Rules: de-duplication, rate limits, staff review, follow-up, and hostile input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dnscert.advisories.warnings import followup, rules, services
from dnscert.advisories.warnings.choices import FollowUpStage, WarningStatus
from dnscert.advisories.warnings.models import Warning, WarningDelivery
from dnscert.core.exceptions import InvalidInput
from dnscert.core.jobs import run_pending
from dnscert.delivery.models import OutboundMessage
from tests.advisories.warnings.conftest import registry
from tests.advisories.warnings.factories import draft, warn
from tests.personas import staff

pytestmark = pytest.mark.django_db


def test_the_same_key_within_the_window_is_not_raised_twice() -> None:
    xa = registry("xa")
    first = warn(xa, dedupe_key="dnshealth:k1")
    assert (
        services.raise_warning("dnshealth.rrsig_expiry", draft(xa, dedupe_key="dnshealth:k1"))
        is None
    )
    first.refresh_from_db()
    assert first.repeats == 1
    Warning.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=3))
    assert warn(xa, dedupe_key="dnshealth:k1").pk != first.pk  # the 48 h window is over


def test_the_rate_limit_holds_warnings_per_organisation() -> None:
    xa, xb = registry("xa"), registry("xb")
    rules.update_setting("dnshealth.rrsig_expiry", by=staff(), rate_limit=2)
    statuses = [warn(xa).status for _ in range(3)]
    assert statuses == [WarningStatus.SENT, WarningStatus.SENT, WarningStatus.RATE_LIMITED]
    assert warn(xb).status == WarningStatus.SENT  # another organisation is not limited
    held = Warning.objects.get(status=WarningStatus.RATE_LIMITED)
    assert not held.deliveries.exists()
    services.approve(held, by=staff())
    assert held.deliveries.exists()


def test_a_rule_needing_review_waits_for_staff_then_sends_or_not() -> None:
    xa = registry("xa")
    analyst = staff()
    rules.update_setting("dnshealth.rrsig_expiry", by=analyst, review_required=True)
    held, dropped = warn(xa), warn(xa)
    assert held.status == dropped.status == WarningStatus.PENDING_REVIEW
    assert not WarningDelivery.objects.exists()

    services.approve(held, by=analyst, note="real")
    services.reject(dropped, by=analyst, note="false positive")
    held.refresh_from_db()
    dropped.refresh_from_db()
    assert held.status == WarningStatus.SENT and held.reviewed_by == analyst
    assert dropped.status == WarningStatus.REJECTED
    assert list(WarningDelivery.objects.values_list("warning", flat=True)) == [held.pk]
    with pytest.raises(InvalidInput, match="not waiting for review"):
        services.approve(dropped, by=analyst)


def test_a_disabled_rule_raises_nothing() -> None:
    rules.update_setting("dnshealth.rrsig_expiry", by=staff(), enabled=False)
    assert services.raise_warning("dnshealth.rrsig_expiry", draft(registry("xa"))) is None


def test_unacknowledged_warnings_get_a_reminder_then_go_to_staff(settings: Any) -> None:
    settings.DNSCERT_WARNINGS_REMIND_HOURS = 4
    settings.DNSCERT_WARNINGS_FLAG_HOURS = 8
    xa = registry("xa")
    analyst = staff(email="analyst@dnscert.example")
    late, acknowledged, recent = warn(xa), warn(xa), warn(xa)
    info = warn(xa, severity="info")
    services.acknowledge(acknowledged, by=None)
    hours_ago = timezone.now() - timedelta(hours=5)
    Warning.objects.exclude(pk=recent.pk).update(sent_at=hours_ago)

    assert followup.follow_up() == {"reminded": 1, "flagged": 0}
    late.refresh_from_db()
    assert late.follow_up == FollowUpStage.REMINDED
    reminder = late.deliveries.get(purpose="reminder")
    assert reminder.recipient == "noc@nic.xa.example"
    assert "Reminder" in reminder.message.subject
    assert not info.deliveries.filter(purpose="reminder").exists()

    assert followup.follow_up(timezone.now() + timedelta(hours=9)) == {"reminded": 1, "flagged": 1}
    late.refresh_from_db()
    assert late.follow_up == FollowUpStage.FLAGGED
    flagged = OutboundMessage.objects.get(category="warnings.flagged")
    assert flagged.recipient == analyst.email and late.reference in flagged.subject


def test_the_follow_up_job_is_declared_and_runs() -> None:
    from dnscert.core.jobs import REGISTRY, enqueue

    assert REGISTRY["warnings.follow_up"].schedule is not None
    enqueue("warnings.follow_up")
    (run,) = run_pending(["warnings.follow_up"])
    assert run.status == "succeeded" and run.result == {"reminded": 0, "flagged": 0}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"severity": "apocalyptic"}, "severity"),
        ({"tlp": "PURPLE"}, "tlp"),
        ({"title": "   "}, "title"),
        ({"dedupe_key": ""}, "dedupe_key"),
    ],
)
def test_a_bad_draft_is_refused_naming_the_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.raise_warning("dnshealth.rrsig_expiry", draft(registry("xa"), **fields))
    assert caught.value.field == field


def test_an_unknown_rule_or_setting_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown rule"):
        services.raise_warning("nonsense", draft(registry("xa")))
    with pytest.raises(InvalidInput) as caught:
        rules.update_setting("dnshealth.rrsig_expiry", by=None, rate_limit=0)
    assert caught.value.field == "rate_limit"
    with pytest.raises(InvalidInput):
        rules.update_setting("dnshealth.rrsig_expiry", by=None, colour="red")


def test_acknowledging_twice_keeps_the_first_and_held_ones_cannot_be() -> None:
    xa = registry("xa")
    warning = warn(xa)
    first = services.acknowledge(warning, by=None).acknowledged_at
    assert services.acknowledge(warning, by=None).acknowledged_at == first
    rules.update_setting("dnshealth.rrsig_expiry", by=None, review_required=True)
    with pytest.raises(InvalidInput, match="not sent"):
        services.acknowledge(warn(xa), by=None)
    with pytest.raises(InvalidInput):
        services.acknowledge(warning, via="carrier-pigeon")
