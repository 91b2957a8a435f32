"""Feedback surveys: e-mailed on closure to a real SMTP listener, answered by the link."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dnscert.core.exceptions import InvalidInput
from dnscert.core.jobs import run_pending
from dnscert.core.models import JobRun
from dnscert.incidents.models import Incident
from dnscert.insight import feedback
from dnscert.insight.models import AfterActionReport, FeedbackAnswer, FeedbackRequest
from tests.insight.conftest import Story, close

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/insight/feedback/([A-Za-z0-9_-]+)/")


def _run_all_jobs() -> None:
    while JobRun.objects.filter(status=JobRun.Status.QUEUED).exists():
        run_pending()


def _text_of(message: EmailMessage) -> str:
    texts = [
        part.get_content()
        for part in message.walk()
        if part.get_content_type() == "text/plain" and not part.is_multipart()
    ]
    return "\n".join(texts)


SURVEYED = {"noc@nic.xa.example", "ops@operator.example"}


def _surveys(smtp_server: Any) -> dict[str, EmailMessage]:
    """The survey e-mails by recipient (other mail, such as on-call pages, left aside)."""
    deadline = time.monotonic() + 10
    while True:
        found = {
            item.rcpt_tos[0]: item.message
            for item in smtp_server.received
            if item.rcpt_tos[0] in SURVEYED
        }
        if set(found) == SURVEYED or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def _close_and_deliver(story: Story, capture: Any) -> None:
    with capture(execute=True):
        close(story)
    _run_all_jobs()


def test_closing_an_incident_emails_the_survey_to_every_participant_contact(
    story: Story, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _close_and_deliver(story, django_capture_on_commit_callbacks)

    by_recipient = _surveys(smtp_server)
    assert set(by_recipient) == SURVEYED
    french = by_recipient["noc@nic.xa.example"]
    assert french["Subject"].startswith("[TLP:AMBER] Votre avis sur DNSCERT-")
    assert "La coordination vous a-t-elle été utile" in _text_of(french)
    english = by_recipient["ops@operator.example"]
    assert "Was the coordination useful to you?" in _text_of(english)
    assert english["X-DNSCERT-Ref"] == story.incident.reference
    assert FeedbackRequest.objects.count() == 2
    assert AfterActionReport.objects.filter(incident=story.incident).exists()


def test_it_answers_by_the_link_without_signing_in(
    story: Story, smtp_server: Any, django_capture_on_commit_callbacks: Any, client: Client
) -> None:
    _close_and_deliver(story, django_capture_on_commit_callbacks)
    english = _surveys(smtp_server)["ops@operator.example"]
    token = LINK.search(_text_of(english)).group(1)  # type: ignore[union-attr]
    url = f"/insight/feedback/{token}/"

    page = client.get(url)
    assert page.status_code == 200 and story.incident.reference.encode() in page.content
    assert (
        client.post(url, {"useful": "4", "timely": "2", "comment": "Slow at night"}).status_code
        == 200
    )
    assert client.post(url, {"useful": "5", "timely": "3", "comment": "Better"}).status_code == 200

    answer = FeedbackAnswer.objects.get()
    assert (answer.useful, answer.timely, answer.comment) == (5, 3, "Better")
    assert answer.times_submitted == 2
    assert answer.participant == story.operator_participant


def test_it_refuses_unknown_and_expired_links(story: Story, client: Client) -> None:
    (request,) = [r for r in feedback.request_feedback(story.incident) if r.email.startswith("ops")]
    assert client.get("/insight/feedback/not-a-real-token-at-all/").status_code == 404
    assert client.post("/insight/feedback/x/", {"useful": 5, "timely": 5}).status_code == 404

    raw = "t" * 43
    FeedbackRequest.objects.filter(pk=request.pk).update(
        token_digest=FeedbackRequest.digest_of(raw),
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    expired = client.post(f"/insight/feedback/{raw}/", {"useful": 5, "timely": 5})
    assert expired.status_code == 410 and b"expired" in expired.content
    assert not FeedbackAnswer.objects.exists()
    with pytest.raises(InvalidInput, match="token: this survey link expired"):
        feedback.submit_feedback(raw, useful=5, timely=5)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"useful": "0", "timely": "3"}, "useful"),
        ({"useful": "6", "timely": "3"}, "useful"),
        ({"useful": "3", "timely": "-1"}, "timely"),
        ({"useful": "three", "timely": "3"}, "useful"),
        ({"useful": "3"}, "timely"),
        ({"useful": "3", "timely": "3", "comment": "x" * 4001}, "comment"),
    ],
)
def test_it_refuses_hostile_answers(
    story: Story, client: Client, fields: dict[str, str], problem: str
) -> None:
    raw = "h" * 43
    request = feedback.request_feedback(story.incident)[0]
    FeedbackRequest.objects.filter(pk=request.pk).update(
        token_digest=FeedbackRequest.digest_of(raw)
    )
    response = client.post(f"/insight/feedback/{raw}/", fields)
    assert response.status_code == 400
    assert problem.encode() in response.content
    assert not FeedbackAnswer.objects.exists()


def test_the_service_names_the_bad_field() -> None:
    with pytest.raises(InvalidInput, match="useful: must be from 1 to 5, got 9"):
        feedback.clean_answer(9, 1, "")
    with pytest.raises(InvalidInput, match="timely: must be a whole number"):
        feedback.clean_answer(1, "1.5", "")
    with pytest.raises(InvalidInput, match="comment: is 5000 characters long"):
        feedback.clean_answer(1, 1, "é" * 5000)
    assert feedback.clean_answer(" 2 ", 3, " ok\x00 ").comment == "ok"


def test_it_asks_each_contact_once(story: Story) -> None:
    first = feedback.request_feedback(story.incident)
    again = feedback.request_feedback(story.incident)
    assert len(first) == 2 and again == []


def test_answers_show_on_the_report_page_for_staff(story: Story, client: Client) -> None:
    from dnscert.insight import services
    from tests.personas import login_verified

    raw = "a" * 43
    request = feedback.request_feedback(story.incident)[0]
    FeedbackRequest.objects.filter(pk=request.pk).update(
        token_digest=FeedbackRequest.digest_of(raw)
    )
    feedback.submit_feedback(raw, useful=2, timely=1, comment="Nobody called back")
    services.generate_report(Incident.objects.get(pk=story.incident.pk), by=story.analyst)
    login_verified(client, story.analyst)
    page = client.get(f"/insight/reports/{story.incident.reference}/")
    assert b"Nobody called back" in page.content
    listing = client.get("/insight/feedback/?q=called")
    assert b"Nobody called back" in listing.content
    csv = client.get("/insight/feedback/?format=csv")
    assert csv["Content-Type"].startswith("text/csv") and b"Nobody called back" in csv.content


def test_links_expire_after_the_configured_days(story: Story, settings: Any) -> None:
    settings.DNSCERT_FEEDBACK_VALID_DAYS = 3
    request = feedback.request_feedback(story.incident)[0]
    left = request.expires_at - timezone.now()
    assert timedelta(days=2, hours=23) < left <= timedelta(days=3)
    settings.DNSCERT_FEEDBACK_VALID_DAYS = 0
    with pytest.raises(Exception, match="DNSCERT_FEEDBACK_VALID_DAYS: must be at least 1"):
        feedback.valid_days()
