"""The e-mail channel: turn an :class:`OutboundMessage` into bytes and hand them to Django.

Any Django e-mail backend works (SMTP in production, console in development, locmem in
tests): the backend receives a message whose bytes are already final, so PGP signatures stay
valid whatever the backend does with headers.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections import OrderedDict
from email.message import Message
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from dnscert.delivery import mime, pgp
from dnscert.delivery.models import OutboundMessage

#: Signatures kept per process: a fan-out signs each distinct body once.
SIGNATURE_CACHE_SIZE = 256

_cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_cache_lock = threading.Lock()


class PrebuiltMessage(Message):
    """A ``email.message.Message`` that serialises to fixed bytes (only the line ending varies)."""

    def __init__(self, raw: bytes) -> None:
        super().__init__()
        self.raw = raw

    def as_bytes(self, unixfrom: bool = False, policy: Any = None, linesep: str = "\n") -> bytes:  # type: ignore[override]
        return self.raw if linesep == "\r\n" else self.raw.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, maxheaderlen: int = 0, policy: Any = None) -> str:
        return self.as_bytes().decode("ascii", errors="replace")


class PrebuiltEmail(EmailMessage):
    """A Django e-mail whose :meth:`message` is the prebuilt bytes."""

    def __init__(self, raw: bytes, message: OutboundMessage) -> None:
        # Subject, body and headers are kept too, for backends that show them (locmem outbox).
        super().__init__(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"Message-ID": message.message_id, **(message.headers or {})},
        )
        self.raw = raw

    def message(self, *args: Any, **kwargs: Any) -> PrebuiltMessage:  # type: ignore[override]
        return PrebuiltMessage(self.raw)


def render(message: OutboundMessage) -> bytes:
    """The complete e-mail for ``message``, signed and/or encrypted as it asks."""
    envelope = mime.Envelope(
        sender=str(settings.DEFAULT_FROM_EMAIL),
        to=message.recipient,
        subject=message.subject,
        message_id=message.message_id,
        reply_to=message.reply_to,
        extra=dict(message.headers or {}),
    )
    content = mime.Content(
        body=message.body,
        html=message.html,
        attachments=tuple(
            (name, kind, base64.b64decode(data)) for name, kind, data in message.attachments or []
        ),
    )
    if message.encrypted:
        key = message.recipient_key
        return mime.build(
            envelope, content, encrypt=lambda data: pgp.encrypt_to(data, key, sign=message.signed)
        )
    return mime.build(envelope, content, sign=cached_signature if message.signed else None)


def send_email(message: OutboundMessage, connection: BaseEmailBackend) -> None:
    """Send ``message`` through ``connection``; network and SMTP errors propagate."""
    raw = render(message)
    try:
        connection.open()  # opened here, the backend keeps it open for the next message
        connection.send_messages([PrebuiltEmail(raw, message)])
    except OSError:  # smtplib errors included: start the next message on a fresh connection
        _reset(connection)
        raise


def cached_signature(entity: bytes) -> bytes:
    """A detached platform signature over ``entity``, computed once per distinct entity."""
    key = (pgp.platform_fingerprint(), hashlib.sha256(entity).hexdigest())
    with _cache_lock:  # held while signing: threads sending the same body wait for one signature
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        signature = pgp.sign_detached(entity)
        _cache[key] = signature
        while len(_cache) > SIGNATURE_CACHE_SIZE:
            _cache.popitem(last=False)
    return signature


def _reset(connection: BaseEmailBackend) -> None:
    """Drop a connection left unusable so the next message opens a fresh one."""
    try:
        connection.close()
    except Exception:
        inner = getattr(connection, "connection", None)
        if inner is not None:
            inner.close()
            connection.connection = None  # type: ignore[attr-defined]
