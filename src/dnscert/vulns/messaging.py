"""The case discussion: post a message (with files), receive an e-mail reply, record views.

A message goes to all participants, to one vendor only (and the coordinators), or to the
coordinators only. E-mail replies are never broadcast: a vendor's reply is private to that
vendor and the coordinators, a reply from anyone else is for coordinators only; nothing is
dropped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from dnscert.core import audit
from dnscert.core.exceptions import InvalidInput
from dnscert.directory.models import Contact, Organisation
from dnscert.vulns import notifications
from dnscert.vulns.choices import Audience, MessageVia, VendorStatus
from dnscert.vulns.models import Case, CaseAttachment, CaseMessage, CaseVendor, MessageView
from dnscert.vulns.scope import is_coordinator, vendor_row

MAX_BODY = 50_000
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
CASE_REFERENCE = re.compile(r"\bDNSCERT-VU-\d{4}-\d{4,}\b", re.IGNORECASE)
_ACK = re.compile(r"^\W*(ack|acked|acknowledged?|acknowledging)\b", re.IGNORECASE)

Upload = tuple[str, bytes, str]


def _check_uploads(attachments: Sequence[Upload]) -> None:
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidInput("attachments", f"at most {MAX_ATTACHMENTS} files per message")
    for name, data, _kind in attachments:
        if not name.strip():
            raise InvalidInput("attachments", "every file needs a name")
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise InvalidInput("attachments", f"{name} is larger than 10 MB")


def _resolve_audience(
    case: Case, by: Any, audience: str, vendor: CaseVendor | None
) -> CaseVendor | None:
    """Check who the author may address; returns the vendor row of a one-vendor message."""
    if audience not in Audience.values:
        raise InvalidInput("audience", f"one of {', '.join(Audience.values)}")
    if is_coordinator(by):
        if audience == Audience.VENDOR and (vendor is None or vendor.case_id != case.pk):
            raise InvalidInput("vendor", "choose a vendor of this case")
        return vendor if audience == Audience.VENDOR else None
    own = vendor_row(by, case)
    if audience == Audience.VENDOR:
        if own is None or (vendor is not None and vendor.pk != own.pk):
            raise InvalidInput("vendor", "you may write privately only for your own organisation")
        return own
    return None


def post_message(
    case: Case,
    *,
    by: Any,
    body: str,
    audience: str = Audience.ALL,
    vendor: CaseVendor | None = None,
    attachments: Sequence[Upload] = (),
    via: str = MessageVia.WEB,
    author_label: str = "",
    organisation: Organisation | None = None,
    notify: bool = True,
) -> CaseMessage:
    """Add a message to the discussion and e-mail whoever may read it (after commit)."""
    text = (body or "").strip()
    if not text:
        raise InvalidInput("body", "write a message")
    if len(text) > MAX_BODY:
        raise InvalidInput("body", f"at most {MAX_BODY} characters")
    _check_uploads(attachments)
    signed_in = by if getattr(by, "is_authenticated", False) else None
    addressed = _resolve_audience(case, by, audience, vendor) if signed_in else vendor
    with transaction.atomic():
        message = CaseMessage.objects.create(
            case=case,
            author=signed_in,
            author_label=author_label or _label(signed_in),
            author_organisation=organisation or getattr(signed_in, "organisation", None),
            audience=audience,
            audience_vendor=addressed,
            body=text,
            via=via,
        )
        for name, data, kind in attachments:
            _attach(message, name, data, kind)
        audit.record(by, audit.Action.CREATE, message, tlp=case.tlp, changes={"audience": audience})
        if notify:
            notifications.notify_message(message)
    return message


def _label(user: Any) -> str:
    if user is None:
        return "DNS-CERT"
    return user.get_full_name() or user.get_username()


def _attach(message: CaseMessage, name: str, data: bytes, kind: str) -> CaseAttachment:
    digest = hashlib.sha256(data).hexdigest()
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name.strip())[:200] or "file"
    attachment = CaseAttachment(
        message=message,
        filename=safe,
        content_type=(kind or "application/octet-stream")[:150],
        size=len(data),
        sha256=digest,
    )
    attachment.file.save(safe, ContentFile(data), save=False)
    attachment.save()
    return attachment


def mark_seen(user: Any, messages: Iterable[CaseMessage]) -> None:
    """Record, once per person and message, that ``user`` was shown ``messages``."""
    if not getattr(user, "is_authenticated", False):
        return
    rows = [MessageView(message=message, user=user) for message in messages]
    MessageView.objects.bulk_create(rows, ignore_conflicts=True)


# --- e-mail replies ---------------------------------------------------------------------------


def find_case(text: str) -> Case | None:
    """The first case whose ``DNSCERT-VU-YYYY-NNNN`` reference appears in ``text``."""
    for match in CASE_REFERENCE.finditer(text or ""):
        case = Case.objects.filter(reference=match.group(0).upper()).first()
        if case is not None:
            return case
    return None


def sender_organisation(address: str) -> Organisation | None:
    """The organisation of a directory contact or user with e-mail ``address``."""
    from django.contrib.auth import get_user_model

    text = (address or "").strip()
    if not text:
        return None
    contact = Contact.objects.filter(email__iexact=text).select_related("organisation").first()
    if contact is not None:
        return contact.organisation
    user = get_user_model().objects.filter(email__iexact=text, organisation__isnull=False).first()
    return user.organisation if user is not None else None  # type: ignore[attr-defined]


def says_acknowledged(body: str) -> bool:
    """True when the first non-empty line starts with ACK / acknowledged."""
    for line in (body or "").splitlines():
        if line.strip() and not line.lstrip().startswith(">"):
            return bool(_ACK.match(line))
    return False


def receive_reply(
    reference: str, sender: str, subject: str, body: str, attachments: Sequence[Upload] = ()
) -> bool:
    """Land an e-mail reply naming a case in that case; False when no case is named.

    A reply from a vendor on the case becomes a message from that vendor, private to it and
    the coordinators; "ACK" on its first line acknowledges the case for the vendor.
    """
    case = find_case(f"{reference} {subject}")
    if case is None:
        return False
    organisation = sender_organisation(sender)
    vendor = (
        CaseVendor.objects.filter(case=case, organisation=organisation).first()
        if organisation is not None
        else None
    )
    text = (body or "").strip() or subject or "(empty message)"
    with transaction.atomic():
        post_message(
            case,
            by=None,
            body=text[:MAX_BODY],
            audience=Audience.VENDOR if vendor is not None else Audience.STAFF,
            vendor=vendor,
            attachments=list(attachments)[:MAX_ATTACHMENTS],
            via=MessageVia.EMAIL,
            author_label=_reply_label(vendor, sender),
            organisation=organisation if vendor is not None else None,
            notify=False,
        )
        if vendor is not None and _may_acknowledge(vendor, body):
            from dnscert.vulns.services import set_vendor_status

            set_vendor_status(vendor, by=None, status=VendorStatus.ACKNOWLEDGED)
    return True


def _reply_label(vendor: CaseVendor | None, sender: str) -> str:
    if vendor is None:
        return sender or "unknown sender"
    return f"{vendor.organisation.name} <{sender}>"


def _may_acknowledge(vendor: CaseVendor, body: str) -> bool:
    waiting = vendor.status in (VendorStatus.NOT_CONTACTED, VendorStatus.NOTIFIED)
    return waiting and says_acknowledged(body)
