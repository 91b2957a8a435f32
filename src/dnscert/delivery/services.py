"""Outbound delivery services: queue e-mails and webhooks, render templates, read status.

Messages are queued inside the caller's transaction; the ``delivery.send`` job sends them
after commit (one job per batch of messages queued together), ``delivery.retry`` retries
failures with exponential backoff until ``DNSCERT_DELIVERY_MAX_ATTEMPTS``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Model, QuerySet
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone, translation

from dnscert.core import audit
from dnscert.core.choices import TLP
from dnscert.core.exceptions import InvalidInput
from dnscert.delivery import batching, mime, pgp
from dnscert.delivery.choices import Channel, MessageStatus
from dnscert.delivery.models import OutboundMessage

#: Header names callers may not set: the platform sets them, or they would break the message.
RESERVED_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "subject",
        "date",
        "message-id",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "reply-to",
        "sender",
    }
)
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_SUBJECT_CHARS = 900
MAX_EXTRA_HEADERS = 20


def tlp_subject(subject: str, tlp: str | None) -> str:
    """``subject`` prefixed with its TLP 2.0 label, e.g. ``[TLP:AMBER] subject``."""
    if not tlp:
        return subject
    label = _parse_tlp(tlp).label_text
    prefix = f"[{label}]"
    if subject.startswith(prefix):
        return subject
    return f"{prefix} {subject}"


def tlp_body(body: str, tlp: str | None) -> str:
    """``body`` starting with its TLP 2.0 label line (and a blank line) when ``tlp`` is given."""
    if not tlp:
        return body
    label = _parse_tlp(tlp).label_text
    if body.startswith(label + "\n"):
        return body
    return f"{label}\n\n{body}"


def tlp_html(html: str, tlp: str | None) -> str:
    """``html`` starting with a paragraph naming its TLP label (nothing to do when empty)."""
    if not html or not tlp:
        return html
    label = _parse_tlp(tlp).label_text
    return f'<p class="tlp"><strong>{label}</strong></p>\n{html}'


def render_email(template_base: str, context: Mapping[str, Any], language: str) -> tuple[str, str]:
    """Render ``<template_base>.<language>.txt`` (else ``.en.txt``) into (subject, body).

    The template's first line is ``Subject: ...``, then a blank line, then the body. It is
    rendered in ``language`` without HTML escaping (it is plain text).
    """
    names = [f"{template_base}.{language}.txt", f"{template_base}.en.txt"]
    values = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    for name in dict.fromkeys(names):
        try:
            template = get_template(name)
        except TemplateDoesNotExist:
            continue
        with translation.override(language):
            text = template.template.render(Context(values, autoescape=False))  # type: ignore[attr-defined]
        return _split_subject(name, text)
    raise InvalidInput("template_base", f"no template {names[0]} nor {names[1]}")


def queue_email(
    *,
    to: str,
    subject: str,
    body: str,
    category: str,
    tlp: str | None = None,
    language: str = "en",
    html: str | None = None,
    about: Model | None = None,
    sign: bool = True,
    encrypt: bool = False,
    recipient_key: str = "",
    attachments: Sequence[tuple[str, bytes, str]] = (),
    headers: Mapping[str, str] | None = None,
    reply_to: str = "",
) -> OutboundMessage:
    """Queue one e-mail to ``to``; it is sent after the caller's transaction commits.

    Raises :class:`InvalidInput` naming the field for a bad address, a subject or header with
    a line break, an unknown TLP label, or an unusable recipient key.
    """
    return queue_emails(
        recipients=[to],
        subject=subject,
        body=body,
        category=category,
        tlp=tlp,
        language=language,
        html=html,
        about=about,
        sign=sign,
        encrypt=encrypt,
        recipient_key=recipient_key,
        attachments=attachments,
        headers=headers,
        reply_to=reply_to,
    )[0]


def queue_emails(
    *,
    recipients: Sequence[str],
    subject: str,
    body: str,
    category: str,
    tlp: str | None = None,
    language: str = "en",
    html: str | None = None,
    about: Model | None = None,
    sign: bool = True,
    encrypt: bool = False,
    recipient_key: str = "",
    attachments: Sequence[tuple[str, bytes, str]] = (),
    headers: Mapping[str, str] | None = None,
    reply_to: str = "",
) -> list[OutboundMessage]:
    """Queue the same e-mail to many ``recipients`` at once (one message each, bulk insert).

    Same checks as :func:`queue_email`; an advisory to thousands of addresses uses this.
    """
    addresses = [_clean_address("to", address) for address in recipients]
    if not addresses:
        raise InvalidInput("to", "give at least one recipient")
    if encrypt and not recipient_key:
        raise InvalidInput("recipient_key", "required when encrypt is true")
    if encrypt and len(addresses) > 1:
        raise InvalidInput("recipients", "an encrypted e-mail goes to one recipient key at a time")
    if encrypt:
        pgp.import_recipient_key(recipient_key)
    label = _parse_tlp(tlp).value if tlp else ""
    common = {
        "channel": Channel.EMAIL,
        "category": _clean_category(category),
        "subject": tlp_subject(_clean_subject(subject), label or None),
        "body": tlp_body(_clean_text("body", body), label or None),
        "html": tlp_html(_clean_text("html", html or ""), label or None),
        "tlp": label,
        "language": _clean_line("language", language or "en")[:10],
        "reply_to": _clean_address("reply_to", reply_to) if reply_to else "",
        "headers": _clean_headers(headers or {}),
        "attachments": _clean_attachments(attachments),
        "signed": bool(sign),
        "encrypted": bool(encrypt),
        "recipient_key": recipient_key if encrypt else "",
        **_about_fields(about),
    }
    messages = [
        OutboundMessage(recipient=address, message_id=mime.make_message_id(), **common)
        for address in addresses
    ]
    return _save_and_schedule(messages)


def queue_webhook(
    *,
    url: str,
    payload: Mapping[str, Any],
    secret: str,
    category: str,
    about: Model | None = None,
) -> OutboundMessage:
    """Queue one JSON POST of ``payload`` to ``url``, signed with HMAC-SHA256 of ``secret``."""
    _check_webhook_url(url)
    if not secret:
        raise InvalidInput("secret", "a webhook needs a shared secret for its signature")
    try:
        json.dumps(payload)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("payload", f"must be JSON-serialisable: {exc}") from exc
    message = OutboundMessage(
        channel=Channel.WEBHOOK,
        category=_clean_category(category),
        recipient=url,
        payload=dict(payload),
        secret=secret,
        **_about_fields(about),
    )
    return _save_and_schedule([message])[0]


def messages_about(obj: Model) -> QuerySet[OutboundMessage]:
    """Every message sent (or being sent) about ``obj``, newest first, with its status."""
    return OutboundMessage.objects.filter(
        about_type=ContentType.objects.get_for_model(obj), about_id=str(obj.pk)
    ).order_by("-created_at", "-id")


def retry_now(message: OutboundMessage, *, by: Any) -> OutboundMessage:
    """Send ``message`` again now (staff action), whatever its status; audited."""
    with transaction.atomic():
        before = message.status
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=MessageStatus.RETRYING, next_attempt_at=timezone.now(), locked_until=None
        )
        message.refresh_from_db()
        audit.record(
            by,
            audit.Action.UPDATE,
            message,
            changes={"status": [before, message.status], "retry": "now"},
        )
        batching.schedule_send([message.pk])
    return message


def failure_count() -> int:
    """How many messages failed or bounced."""
    return OutboundMessage.objects.filter(
        status__in=[MessageStatus.FAILED, MessageStatus.BOUNCED]
    ).count()


# --- helpers --------------------------------------------------------------------------------


def _save_and_schedule(messages: list[OutboundMessage]) -> list[OutboundMessage]:
    with transaction.atomic():
        if len(messages) == 1:
            messages[0].save()
            saved = messages
        else:
            saved = OutboundMessage.objects.bulk_create(messages, batch_size=500)
            if any(message.pk is None for message in saved):
                ids = [message.message_id for message in saved]
                saved = list(OutboundMessage.objects.filter(message_id__in=ids).order_by("id"))
        batching.schedule_send([message.pk for message in saved])
    return saved


def _parse_tlp(tlp: str) -> TLP:
    try:
        return TLP.parse(tlp)
    except ValueError as exc:
        raise InvalidInput("tlp", str(exc)) from None


def _clean_line(field: str, value: str) -> str:
    text = str(value)
    if "\r" in text or "\n" in text or "\x00" in text:
        raise InvalidInput(field, "must be one line: line breaks are refused (header injection)")
    return text.strip()


def _clean_subject(subject: str) -> str:
    text = _clean_line("subject", subject)
    if not text:
        raise InvalidInput("subject", "an e-mail needs a subject")
    if len(text) > MAX_SUBJECT_CHARS:
        raise InvalidInput("subject", f"longer than {MAX_SUBJECT_CHARS} characters")
    return text


def _clean_text(field: str, text: str) -> str:
    if "\x00" in text:
        raise InvalidInput(field, "contains a NUL character")
    return text


def _clean_address(field: str, value: str) -> str:
    address = _clean_line(field, value)
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidInput(field, f"{address!r} is not a valid e-mail address") from None
    return address


def _clean_category(category: str) -> str:
    text = _clean_line("category", category)
    if not text or len(text) > 60:
        raise InvalidInput("category", "give a short category (1 to 60 characters)")
    return text


def _clean_headers(headers: Mapping[str, str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    if len(headers) > MAX_EXTRA_HEADERS:
        raise InvalidInput("headers", f"at most {MAX_EXTRA_HEADERS} extra headers")
    for name, value in headers.items():
        name_text = _clean_line("headers", str(name))
        if not name_text or any(c in name_text for c in ": \t") or not name_text.isascii():
            raise InvalidInput("headers", f"bad header name {name_text!r}")
        if name_text.lower() in RESERVED_HEADERS:
            raise InvalidInput("headers", f"{name_text} is set by the platform")
        cleaned[name_text] = _clean_line(f"headers[{name_text}]", str(value))
        if len(cleaned[name_text]) > MAX_SUBJECT_CHARS:
            raise InvalidInput(f"headers[{name_text}]", f"longer than {MAX_SUBJECT_CHARS}")
    return cleaned


def _clean_attachments(attachments: Sequence[tuple[str, bytes, str]]) -> list[list[str]]:
    cleaned = []
    for filename, content, mimetype in attachments:
        name = _clean_line("attachments", filename)
        kind = _clean_line("attachments", mimetype or "application/octet-stream")
        if not name or "/" not in kind:
            raise InvalidInput("attachments", f"bad attachment {name!r} of type {kind!r}")
        if not isinstance(content, bytes | bytearray):
            raise InvalidInput("attachments", f"content of {name!r} must be bytes")
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise InvalidInput("attachments", f"{name!r} is larger than {MAX_ATTACHMENT_BYTES}")
        cleaned.append([name, kind, base64.b64encode(bytes(content)).decode("ascii")])
    return cleaned


def _about_fields(about: Model | None) -> dict[str, Any]:
    if about is None:
        return {"about_type": None, "about_id": ""}
    if about.pk is None:
        raise InvalidInput("about", "save the object before sending messages about it")
    return {"about_type": ContentType.objects.get_for_model(about), "about_id": str(about.pk)}


def _check_webhook_url(url: str) -> None:
    text = _clean_line("url", url)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("url", f"{text!r} is not an http(s) URL with a host")
    if len(text) > 2000:
        raise InvalidInput("url", "longer than 2000 characters")
    if parts.username or parts.password:
        raise InvalidInput("url", "credentials in the URL are refused; use the secret")


def _split_subject(name: str, text: str) -> tuple[str, str]:
    first, _, rest = text.lstrip("\n").partition("\n")
    if not first.startswith("Subject:"):
        raise InvalidInput("template_base", f"{name} must start with a 'Subject: ...' line")
    subject = first[len("Subject:") :].strip()
    return subject, rest.lstrip("\n")
