"""Feedback after an incident: survey links e-mailed to participants' contacts, and answers.

When an incident closes, every contact of every participant organisation gets one e-mail in
its language (English or French) with a personal link; no sign-in is needed. Only the
token's SHA-256 digest is stored; a link expires after ``DNSCERT_FEEDBACK_VALID_DAYS`` (30
days by default). Answering again updates the stored answer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dnscert.core import audit
from dnscert.core.exceptions import InvalidInput
from dnscert.delivery.services import queue_email, render_email
from dnscert.env import ConfigError, env_int
from dnscert.incidents.models import Incident, Participant
from dnscert.insight.models import MAX_COMMENT_CHARS, FeedbackAnswer, FeedbackRequest

Action = audit.Action

LANGUAGES = ("en", "fr")
DEFAULT_VALID_DAYS = 30
EMAIL_TEMPLATE = "insight/email/feedback_request"
CATEGORY = "insight.feedback"


def valid_days() -> int:
    """Days a survey link stays valid: the Django setting, else ``DNSCERT_FEEDBACK_VALID_DAYS``."""
    value = getattr(settings, "DNSCERT_FEEDBACK_VALID_DAYS", None)
    days = (
        int(value)
        if value is not None
        else env_int("DNSCERT_FEEDBACK_VALID_DAYS", DEFAULT_VALID_DAYS)
    )
    if days < 1:
        raise ConfigError("DNSCERT_FEEDBACK_VALID_DAYS", f"must be at least 1, got {days}")
    return days


def survey_url(raw_token: str) -> str:
    """The absolute address of the survey for ``raw_token``."""
    return settings.SITE_URL + reverse("insight:feedback", args=[raw_token])


def request_feedback(incident: Incident) -> list[FeedbackRequest]:
    """Send the survey to every participant contact not asked yet; returns the new requests."""
    created = []
    participants = incident.participants.select_related("organisation")
    with transaction.atomic():
        for participant in participants:
            for contact in participant.organisation.contacts.all():
                if participant.feedback_requests.filter(email__iexact=contact.email).exists():
                    continue
                language = contact.preferred_language
                created.append(_send(participant, contact.email, language, contact.name))
    return created


def _send(participant: Participant, email: str, language: str, name: str) -> FeedbackRequest:
    language = language if language in LANGUAGES else "en"
    raw = secrets.token_urlsafe(32)
    request = FeedbackRequest.objects.create(
        participant=participant,
        email=email,
        language=language,
        token_digest=FeedbackRequest.digest_of(raw),
        expires_at=timezone.now() + timedelta(days=valid_days()),
    )
    incident = participant.incident
    context = {
        "incident": incident,
        "organisation": participant.organisation,
        "name": name,
        "url": survey_url(raw),
        "expires_at": request.expires_at,
    }
    subject, body = render_email(EMAIL_TEMPLATE, context, language)
    queue_email(
        to=email,
        subject=subject,
        body=body,
        category=CATEGORY,
        tlp=incident.tlp,
        language=language,
        about=incident,
        headers={"X-DNSCERT-Ref": incident.reference},
    )
    audit.record(None, Action.CREATE, request, tlp=incident.tlp)
    return request


def find_request(raw_token: str) -> FeedbackRequest:
    """The survey ``raw_token`` opens; :class:`InvalidInput` when unknown or expired."""
    token = (raw_token or "").strip()
    found = None
    if 16 <= len(token) <= 100:
        found = (
            FeedbackRequest.objects.select_related(
                "participant__incident", "participant__organisation"
            )
            .filter(token_digest=FeedbackRequest.digest_of(token))
            .first()
        )
    if found is None:
        raise InvalidInput("token", "this survey link is not valid")
    if found.is_expired:
        raise InvalidInput("token", f"this survey link expired on {found.expires_at:%Y-%m-%d}")
    return found


@dataclass(frozen=True)
class Answer:
    """A checked survey answer."""

    useful: int
    timely: int
    comment: str


def clean_answer(useful: Any, timely: Any, comment: Any) -> Answer:
    """The answer as stored; an :class:`InvalidInput` naming the first bad field."""
    text = "" if comment is None else str(comment).replace("\r\n", "\n").replace("\x00", "").strip()
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidInput(
            "comment", f"is {len(text)} characters long; at most {MAX_COMMENT_CHARS}"
        )
    return Answer(_score(useful, "useful"), _score(timely, "timely"), text)


def _score(value: Any, field: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(field, f"must be a whole number from 1 to 5, got {value!r}") from None
    if not 1 <= number <= 5:
        raise InvalidInput(field, f"must be from 1 to 5, got {number}")
    return number


def submit_feedback(
    raw_token: str, *, useful: Any, timely: Any, comment: Any = ""
) -> FeedbackAnswer:
    """Store (or update) the answer of the survey ``raw_token`` opens."""
    request = find_request(raw_token)
    answer = clean_answer(useful, timely, comment)
    with transaction.atomic():
        existing = FeedbackAnswer.objects.select_for_update().filter(request=request).first()
        if existing is None:
            stored = FeedbackAnswer.objects.create(
                request=request, participant=request.participant, **answer.__dict__
            )
            audit.record(None, Action.CREATE, stored, tlp=request.participant.incident.tlp)
            return stored
        before = audit.snapshot(existing, ["useful", "timely", "comment"])
        for name, value in answer.__dict__.items():
            setattr(existing, name, value)
        existing.updated_at = timezone.now()
        existing.times_submitted += 1
        existing.save()
        changes = audit.changes_between(
            before, audit.snapshot(existing, ["useful", "timely", "comment"])
        )
        audit.record(
            None, Action.UPDATE, existing, changes=changes, tlp=request.participant.incident.tlp
        )
    return existing
