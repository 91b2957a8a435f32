"""Build outbound e-mails byte by byte: PGP/MIME signed (RFC 3156 section 5) or encrypted.

The signed entity (the body part, with its own MIME headers) is serialised once with CRLF
line endings and only 7-bit content (quoted-printable text, base64 attachments), so the bytes
the signature covers are exactly the bytes on the wire. Inner boundaries are derived from the
content, so the same body gives the same signed entity for every recipient and one signature
serves them all (the envelope headers are outside the signature).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email import policy
from email.message import MIMEPart
from email.utils import format_datetime, make_msgid, parseaddr

from django.conf import settings
from django.utils import timezone

CRLF = b"\r\n"
SIGNED_CONTENT_TYPE = (
    'multipart/signed; micalg=pgp-sha512; protocol="application/pgp-signature"; boundary="{b}"'
)
ENCRYPTED_CONTENT_TYPE = 'multipart/encrypted; protocol="application/pgp-encrypted"; boundary="{b}"'
_FROM_LINE = re.compile(rb"^From ", re.MULTILINE)
#: Header values written as they are: printable ASCII, no encoded-word look-alikes.
_SIMPLE_HEADER = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")
_SIMPLE_HEADER_MAX = 78


@dataclass(frozen=True)
class Envelope:
    """The outer headers of one e-mail (outside any signature)."""

    sender: str
    to: str
    subject: str
    message_id: str
    reply_to: str = ""
    extra: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Content:
    """What the signature covers: text, optional HTML, attachments."""

    body: str
    html: str = ""
    attachments: tuple[tuple[str, str, bytes], ...] = ()


def make_message_id() -> str:
    """A new globally unique Message-ID on the domain of the From address."""
    address = parseaddr(str(settings.DEFAULT_FROM_EMAIL))[1]
    domain = address.rpartition("@")[2] or "dnscert.invalid"
    return make_msgid(domain=domain)


@functools.lru_cache(maxsize=32)
def content_part(content: Content) -> bytes:
    """The body as one MIME entity, 7-bit and CRLF: text, alternative HTML, attachments.

    Deterministic (boundaries derive from the content), so it is built once per distinct body.
    """
    text = _text_part(content.body, "plain")
    part = text
    if content.html:
        part = _multipart("alternative", [text, _text_part(content.html, "html")])
    if content.attachments:
        part = _multipart("mixed", [part, *(_attachment(*item) for item in content.attachments)])
    return _serialise(part)


def signed_body(entity: bytes, signature: bytes) -> tuple[str, bytes]:
    """(Content-Type, body) of a multipart/signed message around ``entity``."""
    boundary = _boundary(b"signed", entity, signature)
    signature_part = CRLF.join(
        [
            b'Content-Type: application/pgp-signature; name="signature.asc"',
            b"Content-Description: OpenPGP digital signature",
            b'Content-Disposition: attachment; filename="signature.asc"',
            b"",
            _crlf(signature).rstrip(CRLF),
        ]
    )
    return SIGNED_CONTENT_TYPE.format(b=boundary), _join_parts(boundary, [entity, signature_part])


def encrypted_body(ciphertext: bytes) -> tuple[str, bytes]:
    """(Content-Type, body) of a multipart/encrypted message (RFC 3156 section 4)."""
    boundary = _boundary(b"encrypted", ciphertext)
    control = b"Content-Type: application/pgp-encrypted\r\nContent-Description: PGP/MIME version"
    control += b"\r\n\r\nVersion: 1"
    data = CRLF.join(
        [
            b'Content-Type: application/octet-stream; name="encrypted.asc"',
            b"Content-Description: OpenPGP encrypted message",
            b'Content-Disposition: inline; filename="encrypted.asc"',
            b"",
            _crlf(ciphertext).rstrip(CRLF),
        ]
    )
    return ENCRYPTED_CONTENT_TYPE.format(b=boundary), _join_parts(boundary, [control, data])


def plain_message(envelope: Envelope, entity: bytes) -> bytes:
    """An unsigned message: the content entity's headers become top-level headers."""
    return _headers(envelope) + entity


def wrapped_message(envelope: Envelope, content_type: str, body: bytes) -> bytes:
    """A message whose top-level body is ``body`` of type ``content_type``."""
    head = _headers(envelope) + _fold("Content-Type", content_type)
    return head + CRLF + body


def build(
    envelope: Envelope,
    content: Content,
    *,
    sign: Callable[[bytes], bytes] | None = None,
    encrypt: Callable[[bytes], bytes] | None = None,
) -> bytes:
    """The whole message as bytes (CRLF), signed with ``sign`` and/or encrypted with ``encrypt``.

    With ``encrypt``, the content entity is handed to it whole (it signs and encrypts in one
    OpenPGP message when asked to, RFC 3156 section 6.2).
    """
    entity = content_part(content)
    if encrypt is not None:
        return wrapped_message(envelope, *encrypted_body(encrypt(entity)))
    if sign is not None:
        return wrapped_message(envelope, *signed_body(entity, sign(entity)))
    return plain_message(envelope, entity)


# --- pieces ---------------------------------------------------------------------------------


def _headers(envelope: Envelope) -> bytes:
    pairs = [
        ("From", envelope.sender),
        ("To", envelope.to),
        ("Subject", envelope.subject),
        ("Date", format_datetime(timezone.now())),
        ("Message-ID", envelope.message_id),
    ]
    if envelope.reply_to:
        pairs.append(("Reply-To", envelope.reply_to))
    pairs.extend((envelope.extra or {}).items())
    pairs.append(("MIME-Version", "1.0"))
    return b"".join(_fold(name, value) for name, value in pairs)


def _fold(name: str, value: str) -> bytes:
    line = f"{name}: {value}"
    simple = _SIMPLE_HEADER.fullmatch(value) and "=?" not in value
    if len(line) <= _SIMPLE_HEADER_MAX and simple:
        return line.encode("ascii") + CRLF  # nothing to encode or fold: the common case
    return _fold_structured(name, value)


@functools.lru_cache(maxsize=512)
def _fold_structured(name: str, value: str) -> bytes:
    header = policy.SMTP.header_factory(name, value)
    return header.fold(policy=policy.SMTP).encode("ascii")


def _text_part(text: str, subtype: str) -> MIMEPart:
    part = MIMEPart(policy=policy.SMTP)
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    if not normalised.endswith("\n"):
        normalised += "\n"
    part.set_content(normalised, subtype=subtype, charset="utf-8", cte="quoted-printable")
    return part


def _attachment(filename: str, mimetype: str, data: bytes) -> MIMEPart:
    part = MIMEPart(policy=policy.SMTP)
    maintype, _, subtype = mimetype.partition("/")
    part.set_content(data, maintype=maintype, subtype=subtype, filename=filename, cte="base64")
    return part


def _multipart(subtype: str, parts: list[MIMEPart]) -> MIMEPart:
    container = MIMEPart(policy=policy.SMTP)
    container.set_type(f"multipart/{subtype}")
    del container["MIME-Version"]  # only the top level carries it
    for part in parts:
        container.attach(part)
    digest = b"".join(_serialise(part) for part in parts)
    container.set_boundary(_boundary(subtype.encode(), digest))
    return container


def _serialise(part: MIMEPart) -> bytes:
    data = part.as_bytes(policy=policy.SMTP)
    # "From " at a line start may be mangled by mail transfer agents (RFC 3156 section 3).
    return _FROM_LINE.sub(b"=46rom ", data) if b"quoted-printable" in data else data


def _boundary(kind: bytes, *parts: bytes) -> str:
    digest = hashlib.sha256(kind + b"".join(parts)).digest()
    return "=_dnscert_" + base64.b32encode(digest[:20]).decode("ascii").lower()


def _join_parts(boundary: str, parts: list[bytes]) -> bytes:
    delimiter = b"--" + boundary.encode("ascii")
    body = b""
    for part in parts:
        body += delimiter + CRLF + part + CRLF
    return body + delimiter + b"--" + CRLF


def _crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
