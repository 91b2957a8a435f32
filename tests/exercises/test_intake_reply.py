"""An inject answered by e-mail through the intake: the reply becomes the participant's answer."""

from __future__ import annotations

import pytest

from dnscert.exercises import services
from dnscert.exercises.models import InjectDelivery, Response
from dnscert.incidents.intake.choices import ReportStatus
from dnscert.incidents.intake.services import receive_email
from tests.exercises.factories import Cast
from tests.incidents.intake.conftest import mail

pytestmark = pytest.mark.django_db


def test_a_reply_quoting_the_inject_token_is_recorded_as_the_answer(cast: Cast) -> None:
    services.start(cast.exercise, by=cast.control)
    services.deliver(cast.first, by=cast.control)
    delivery = InjectDelivery.objects.get(inject=cast.first, participant__organisation=cast.xa)
    report = receive_email(
        mail(
            subject=f"Re: [EXERCISE] {delivery.token_label} {cast.first.title}",
            body="Delegation restored from the registry's own records.",
            sender="NOC <noc@nic.xa.example>",
        )
    )
    report.refresh_from_db()
    answer = Response.objects.get(delivery=delivery)
    assert "Delegation restored" in answer.body
    assert report.status == ReportStatus.MERGED


def test_a_reply_after_the_exercise_ended_is_left_to_the_intake_queue(cast: Cast) -> None:
    services.start(cast.exercise, by=cast.control)
    services.deliver(cast.first, by=cast.control)
    delivery = InjectDelivery.objects.get(inject=cast.first, participant__organisation=cast.xa)
    services.end(cast.exercise, by=cast.control)
    report = receive_email(
        mail(subject=f"Re: {delivery.token_label}", body="Too late.", sender="noc@nic.xa.example")
    )
    report.refresh_from_db()
    assert not Response.objects.exists()
    assert report.status != ReportStatus.MERGED
