"""A drill answered by e-mail through the intake: the reply lands on the probe, not the queue."""

from __future__ import annotations

import pytest

from dnscert.directory.drills.choices import Outcome, ResponseVia
from dnscert.incidents.intake.choices import ReportStatus
from dnscert.incidents.intake.services import receive_email
from tests.drills import factories
from tests.incidents.intake.conftest import mail

pytestmark = pytest.mark.django_db


def test_a_reply_quoting_the_drill_token_answers_the_probe() -> None:
    factories.registry("xa")
    drill = factories.launched()
    probe = drill.probes.get()
    report = receive_email(
        mail(
            subject=f"Re: [DRILL] {drill.reference} {probe.token_label}",
            body="Received, the NOC is staffed.",
            sender=f"NOC <{probe.email}>",
        )
    )
    probe.refresh_from_db()
    report.refresh_from_db()
    assert probe.outcome == Outcome.IN_TIME
    assert probe.responded_via == ResponseVia.REPLY
    assert report.status == ReportStatus.MERGED


def test_a_reply_from_a_stranger_stays_in_the_queue_and_answers_nothing() -> None:
    factories.registry("xa")
    drill = factories.launched()
    probe = drill.probes.get()
    report = receive_email(
        mail(
            subject=f"Re: [DRILL] {drill.reference} {probe.token_label}",
            body="I am not the contact.",
            sender="Mallory <mallory@evil.example>",
        )
    )
    probe.refresh_from_db()
    report.refresh_from_db()
    assert probe.responded_at is None
    assert report.status != ReportStatus.MERGED
