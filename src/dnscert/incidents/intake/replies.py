"""Threading: replies land on the incident they name; bounces mark the original as bounced.

An inbound e-mail belongs to an incident when its ``X-DNSCERT-Ref`` header, its subject, or
the messages it answers (``In-Reply-To``/``References``, looked up among the platform's own
outbound e-mails) name an incident reference. It then becomes a journal entry of kind
``inbound_email`` on that incident.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.message import EmailMessage

from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from dnscert.core.choices import TLP
from dnscert.delivery.bounces import record_bounce
from dnscert.delivery.models import OutboundMessage
from dnscert.directory.models import Organisation
from dnscert.incidents.choices import JournalKind
from dnscert.incidents.intake import mime
from dnscert.incidents.intake.choices import ReportStatus
from dnscert.incidents.intake.models import Report, ReportAttachment
from dnscert.incidents.models import Incident
from dnscert.incidents.services import MAX_TEXT_CHARS, add_journal_entry, find_reference

#: TLP of a journal entry made from an inbound e-mail (a reply may carry its own label).
DEFAULT_REPLY_TLP = TLP.AMBER
_FINAL_RECIPIENT = re.compile(r"^Final-Recipient:\s*[^;]*;\s*(\S+)", re.MULTILINE | re.IGNORECASE)
_TLP_LABEL = re.compile(r"\bTLP:(CLEAR|WHITE|GREEN|AMBER\+STRICT|AMBER|RED)\b", re.IGNORECASE)


def incident_for(envelope: mime.Envelope) -> Incident | None:
    """The incident an inbound message names, by header, subject or the thread it answers.

    A reply naming a vulnerability case (``DNSCERT-VU-...``) lands in that case instead.
    """
    if land_on_case(envelope):
        return None
    direct = find_reference(f"{envelope.dnscert_ref} {envelope.subject}")
    if direct is not None:
        return direct
    return _incident_of_thread([*envelope.in_reply_to, *envelope.references])


def _incident_of_thread(message_ids: Iterable[str]) -> Incident | None:
    wanted = [f"<{value.strip('<>')}>" for value in message_ids if value.strip("<>")]
    if not wanted:
        return None
    sent = OutboundMessage.objects.filter(message_id__in=wanted).order_by("-id")
    for message in sent.select_related("about_type"):
        if isinstance(message.about, Incident):
            return message.about
        named = find_reference(" ".join([message.subject, *message.headers.values()]))
        if named is not None:
            return named
    return None


def land_on_case(envelope: mime.Envelope) -> bool:
    """Hand a reply naming a vulnerability case to that case; True when it landed there."""
    from dnscert.vulns.messaging import CASE_REFERENCE, receive_reply

    reference = f"{envelope.dnscert_ref} {envelope.subject}"
    if not CASE_REFERENCE.search(reference):
        return False
    report = _report_of(envelope)
    if report is None:
        return False
    files = [(a.filename, a.file.read(), a.content_type) for a in report.attachments.all()]
    sender = report.reporter_email
    if not receive_reply(reference, sender, report.subject, report.body, files):
        return False
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.MERGED,
        resolution=f"threaded to {CASE_REFERENCE.search(reference).group(0)}",  # type: ignore[union-attr]
    )
    report.refresh_from_db()
    return True


def _report_of(envelope: mime.Envelope) -> Report | None:
    reports = Report.objects.filter(reporter_email=envelope.from_address, subject=envelope.subject)
    if envelope.message_id:
        reports = reports.filter(message_id=envelope.message_id)
    return reports.order_by("-id").first()


def reply_tlp(subject: str, body: str) -> str:
    """The TLP label the sender put on the message, else AMBER."""
    found = _TLP_LABEL.search(f"{subject}\n{body[:2000]}")
    return TLP.parse(found.group(1)).value if found else DEFAULT_REPLY_TLP.value


def land_on_incident(report: Report, incident: Incident) -> None:
    """Add ``report`` to ``incident``'s journal as an inbound e-mail and link them."""
    with transaction.atomic():
        add_journal_entry(
            incident,
            text=journal_text(report),
            tlp=reply_tlp(report.subject, report.body),
            kind=JournalKind.INBOUND_EMAIL,
            author_label=_sender_label(report),
            organisation=_sender_organisation(report),
        )
        report.incident = incident
        report.save(update_fields=["incident"])


def journal_text(report: Report) -> str:
    """The journal text of a report: who, subject, PGP verdict, body and attachments."""
    lines = [
        f"{report.get_channel_display()} {report.reference} from {_sender_label(report)}",
        f"Subject: {report.subject}",
        f"PGP: {report.get_pgp_status_display()}",
        "",
        report.body,
    ]
    attachments = list(report.attachments.all())
    if attachments:
        lines += ["", "Attachments:"]
        lines += [_attachment_line(item) for item in attachments]
    return "\n".join(str(line) for line in lines)[:MAX_TEXT_CHARS].strip() or report.reference


def _attachment_line(attachment: ReportAttachment) -> str:
    url = reverse("intake:attachment", args=[attachment.pk])
    size = filesizeformat(attachment.size)
    return f"- {attachment.filename} ({size}, sha256 {attachment.sha256}) {url}"


def _sender_label(report: Report) -> str:
    if report.reporter_name and report.reporter_email:
        return f"{report.reporter_name} <{report.reporter_email}>"
    return report.reporter_email or report.reporter_name or "unknown sender"


def _sender_organisation(report: Report) -> Organisation | None:
    if report.signer_contact is not None:
        return report.signer_contact.organisation
    return report.organisation


def record_bounces(message: EmailMessage, reason: str) -> list[str]:
    """Mark the outbound e-mails a DSN names as bounced; return their Message-IDs."""
    marked = []
    for reference in [*mime.bounced_message_ids(message), *_final_recipients(message)]:
        outbound = record_bounce(reference, reason)
        if outbound is not None:
            marked.append(outbound.message_id or outbound.recipient)
            break
    return marked


def _final_recipients(message: EmailMessage) -> list[str]:
    found: list[str] = []
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            found += _FINAL_RECIPIENT.findall(str(part))
    return found
