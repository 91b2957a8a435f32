"""Receiving reports: the forms and the API (:func:`submit_report`) and e-mail
(:func:`receive_email`).

Nothing accepted is lost: the raw content is stored with the :class:`Report` row in one
transaction before anything is parsed; reading happens afterwards in its own transaction,
and any failure there leaves the report ``unparsed`` with the reason. Every accepted report
is then acknowledged (:mod:`dnscert.incidents.intake.ack`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from dnscert.core import audit, references
from dnscert.core.exceptions import DnscertError, InvalidInput
from dnscert.directory.drills import services as drills
from dnscert.directory.models import Organisation
from dnscert.directory.oncall.services import acknowledge_reply
from dnscert.exercises import services as exercises
from dnscert.incidents.intake import ack, conf, keys, mime, pgpmail, replies, storage
from dnscert.incidents.intake.choices import Channel, MailKind, ReportStatus
from dnscert.incidents.intake.models import RAW_JSON, RAW_MESSAGE, Report

logger = logging.getLogger(__name__)

MAX_SUBJECT = 300
MAX_BODY = 100_000
LANGUAGES = ack.LANGUAGES


class RateLimited(DnscertError):
    """Too many reports from one address; ``retry_after`` is in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many reports from this address; try again in {retry_after} s")
        self.retry_after = retry_after


# --- references -------------------------------------------------------------------------------


def allocate_reference(at: datetime | None = None) -> str:
    """The next free ``R-YYYY-NNNNNN``."""
    return references.allocate("R", width=6, at=at)


# --- forms and API ----------------------------------------------------------------------------


def check_rate_limit(source_ip: str | None) -> None:
    """Raise :class:`RateLimited` when ``source_ip`` used up its public-form reports."""
    if not source_ip:
        return
    count, window = conf.rate_limit()
    since = timezone.now() - timedelta(seconds=window)
    recent = Report.objects.filter(
        source_ip=source_ip, channel=Channel.PUBLIC_FORM, received_at__gte=since
    )
    if recent.count() < count:
        return
    oldest = recent.order_by("received_at").values_list("received_at", flat=True).first()
    wait = window - int((timezone.now() - oldest).total_seconds()) if oldest else window
    raise RateLimited(max(wait, 1))


def submit_report(
    *,
    channel: str,
    subject: str,
    body: str,
    reporter_name: str = "",
    reporter_email: str = "",
    organisation: Organisation | None = None,
    user: Any = None,
    uploads: Sequence[storage.Upload] = (),
    language: str = "en",
    source_ip: str | None = None,
) -> Report:
    """Accept a report from a form or the API, store it, read any PGP in it, acknowledge it.

    Raises :class:`InvalidInput` naming the field, or :class:`RateLimited` for the public form.
    """
    if channel not in (Channel.PUBLIC_FORM, Channel.MEMBER_FORM, Channel.API):
        raise InvalidInput("channel", f"{channel!r} is not a form or API channel")
    fields = _clean_submission(subject, body, reporter_name, reporter_email)
    storage.check_uploads(list(uploads))
    if channel == Channel.PUBLIC_FORM:
        check_rate_limit(source_ip)
    signed_in = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        report = Report.objects.create(
            reference=allocate_reference(),
            channel=channel,
            raw=_raw_json(channel, fields, uploads, source_ip),
            raw_format=RAW_JSON,
            organisation=organisation,
            user=signed_in,
            language=language if language in LANGUAGES else "en",
            source_ip=source_ip or None,
            **fields,
        )
        for upload in uploads:
            storage.store(report, upload)
        audit.record(user, audit.Action.CREATE, report, changes={"channel": channel})
    _read_safely(report, _read_pasted_pgp)
    _acknowledge_safely(report)
    return report


def _clean_submission(subject: str, body: str, name: str, address: str) -> dict[str, str]:
    subject = " ".join((subject or "").split())
    body = (body or "").strip()
    if not subject:
        raise InvalidInput("subject", "give a short subject")
    if len(subject) > MAX_SUBJECT:
        raise InvalidInput("subject", f"at most {MAX_SUBJECT} characters")
    if not body:
        raise InvalidInput("body", "describe what happened")
    if len(body) > MAX_BODY:
        raise InvalidInput("body", f"at most {MAX_BODY} characters")
    address = (address or "").strip()
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise InvalidInput("reporter_email", f"{address!r} is not an e-mail address") from None
    return {
        "subject": subject,
        "body": body,
        "reporter_name": " ".join((name or "").split())[:200],
        "reporter_email": address.lower(),
    }


def _raw_json(
    channel: str, fields: dict[str, str], uploads: Sequence[storage.Upload], ip: str | None
) -> bytes:
    document = {
        "channel": channel,
        **fields,
        "source_ip": ip,
        "attachments": [
            {
                "filename": upload.filename,
                "content_type": upload.content_type,
                "size": len(upload.data),
            }
            for upload in uploads
        ],
        "received_at": timezone.now().isoformat(),
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _read_pasted_pgp(report: Report) -> None:
    text, reading = pgpmail.read_text(report.body)
    if reading.pgp_status == "none":
        return
    report.body = text
    _apply_reading(report, reading)
    report.save()


# --- e-mail -------------------------------------------------------------------------------------


def receive_email(
    raw: bytes,
    *,
    channel: str = Channel.EMAIL,
    mail_from: str | None = None,
    source_ip: str | None = None,
) -> Report:
    """Store an inbound e-mail as a report, then read, thread and acknowledge it.

    ``mail_from`` is the SMTP envelope sender (``""`` for a bounce's null sender).
    """
    if channel not in (Channel.EMAIL, Channel.IMAP):
        raise InvalidInput("channel", f"{channel!r} is not an e-mail channel")
    with transaction.atomic():
        report = Report.objects.create(
            reference=allocate_reference(),
            channel=channel,
            raw=bytes(raw),
            raw_format=RAW_MESSAGE,
            source_ip=source_ip or None,
        )
        audit.record(None, audit.Action.CREATE, report, changes={"channel": channel})
    _read_safely(report, lambda item: _read_mail(item, mail_from))
    _acknowledge_safely(report)
    return report


def _read_mail(report: Report, mail_from: str | None) -> None:
    message = mime.parse_bytes(report.raw_bytes)
    envelope = mime.read_envelope(message)
    _apply_envelope(report, envelope)
    if mime.is_bounce(message, envelope, mail_from):
        _read_bounce(report, message)
        return
    if mime.is_auto_reply(message, envelope):
        report.mail_kind = MailKind.AUTO_REPLY
    reading = pgpmail.read_message(report.raw_bytes, message)
    report.body = reading.content.body[:MAX_BODY]
    _apply_reading(report, reading)
    _store_parts(report, reading.content)
    report.language = _language(envelope, report)
    report.save()
    if report.status == ReportStatus.UNPARSED:
        return
    text = f"{report.subject}\n{report.body}"
    page = acknowledge_reply(text, sender=report.reporter_email)
    if page is not None:
        _set_status(report, ReportStatus.MERGED, f"acknowledged the on-call page {page.pk}")
        return
    probe = drills.acknowledge_reply(text, sender=report.reporter_email)
    if probe is not None:
        _set_status(report, ReportStatus.MERGED, f"answered {probe.drill.reference}")
        return
    answer = exercises.acknowledge_reply(text, sender=report.reporter_email)
    if answer is not None:
        reference = answer.delivery.inject.exercise.reference
        _set_status(report, ReportStatus.MERGED, f"answered an inject of {reference}")
        return
    incident = replies.incident_for(envelope)
    if incident is not None:
        replies.land_on_incident(report, incident)
        _set_status(report, ReportStatus.MERGED, f"threaded to {incident.reference}")


def _apply_envelope(report: Report, envelope: mime.Envelope) -> None:
    report.subject = envelope.subject
    report.reporter_name = envelope.from_name
    report.reporter_email = envelope.from_address
    report.message_id = envelope.message_id


def _read_bounce(report: Report, message: EmailMessage) -> None:
    report.mail_kind = MailKind.BOUNCE
    content = mime.read_entity(message)
    report.body = content.body[:MAX_BODY]
    reason = mime.bounce_reason(message)
    marked = replies.record_bounces(message, reason)
    if marked:
        report.status = ReportStatus.REJECTED
        report.resolution = f"Delivery status notification: {', '.join(marked)} bounced ({reason})"
    report.save()


def _apply_reading(report: Report, reading: pgpmail.Reading) -> None:
    report.pgp_status = reading.pgp_status
    report.pgp_encrypted = reading.encrypted
    report.pgp_detail = reading.detail[:300]
    report.signer_fingerprint = reading.signer_fingerprint
    report.signer_contact = keys.contact_for(reading.signer_fingerprint)
    if report.signer_contact is not None and report.organisation is None:
        report.organisation = report.signer_contact.organisation
    problems = [*reading.content.problems]
    if reading.error:
        report.status = ReportStatus.UNPARSED
        report.parse_error = reading.error[:4000]
    report.notes = "\n".join(problems)


def _store_parts(report: Report, content: mime.Content) -> None:
    limit, count = conf.max_attachment_bytes(), conf.max_attachments()
    notes = [report.notes] if report.notes else []
    for index, part in enumerate(content.attachments):
        if index >= count:
            notes.append(f"{part.filename}: over {count} attachments, kept in the raw message")
        elif len(part.data) > limit:
            notes.append(
                f"{part.filename}: {len(part.data)} bytes, over the limit, kept in the raw message"
            )
        else:
            storage.store(report, storage.Upload(part.filename, part.content_type, part.data))
    report.notes = "\n".join(notes)


def _language(envelope: mime.Envelope, report: Report) -> str:
    if envelope.language in LANGUAGES:
        return envelope.language
    contact = report.signer_contact
    preferred = contact.preferred_language if contact is not None else ""
    return preferred if preferred in LANGUAGES else "en"


# --- shared steps -------------------------------------------------------------------------------


def _read_safely(report: Report, read: Any) -> None:
    """Run ``read(report)`` in its own transaction; any failure leaves the report unparsed."""
    try:
        with transaction.atomic():
            read(report)
    except Exception as error:
        logger.warning("report %s could not be read: %s", report.reference, error, exc_info=True)
        report.refresh_from_db()
        mark_unparsed(report, f"{type(error).__name__}: {error}")


def mark_unparsed(report: Report, reason: str) -> None:
    """Keep ``report`` as ``unparsed`` with ``reason``, for staff to look at."""
    report.status = ReportStatus.UNPARSED
    report.parse_error = reason[:4000] or "unreadable"
    report.save(update_fields=["status", "parse_error"])


def _set_status(report: Report, status: str, note: str) -> None:
    old = report.status
    report.status = status
    report.save(update_fields=["status"])
    audit.record(None, audit.Action.STATE, report, changes={"status": [old, status], "note": note})


def _acknowledge_safely(report: Report) -> None:
    try:
        with transaction.atomic():
            ack.acknowledge(report)
    except Exception as error:
        logger.warning("report %s not acknowledged: %s", report.reference, error, exc_info=True)
        Report.objects.filter(pk=report.pk).update(
            ack_note=f"acknowledgement failed: {error}"[:200]
        )
