"""Reading inbound e-mail: headers, text and HTML bodies, attachments, PGP parts, auto-replies.

Pure Python (the standard ``email`` package with ``policy.default``), no Django: every function
takes bytes or a parsed message and returns plain data. Decryption and signature checks are
done by :mod:`dnscert.incidents.intake.pgpmail`, which calls back into :func:`read_entity` for
the decrypted MIME entity.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

PGP_MESSAGE = re.compile(
    rb"-----BEGIN PGP MESSAGE-----\r?\n.*?-----END PGP MESSAGE-----", re.DOTALL
)
PGP_SIGNED = re.compile(
    rb"-----BEGIN PGP SIGNED MESSAGE-----\r?\n.*?-----END PGP SIGNATURE-----", re.DOTALL
)
_TAG = re.compile(r"<[^>]*>")
_SKIPPED_BLOCKS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", re.IGNORECASE)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_BOUNCE_SENDERS = ("mailer-daemon", "postmaster")
_AUTO_HEADERS = ("x-autoreply", "x-autorespond", "x-auto-response-suppress")


class MailError(ValueError):
    """The message cannot be read; the text says what is wrong."""


@dataclass
class Part:
    """An attachment: its name, content type and bytes."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Content:
    """What a MIME entity says: text, HTML and attachments (after any decryption)."""

    text: str = ""
    html: str = ""
    attachments: list[Part] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        """The text body, else the HTML body turned into text."""
        return self.text.strip() or html_to_text(self.html)


@dataclass
class Envelope:
    """The headers that matter to the intake."""

    subject: str
    from_name: str
    from_address: str
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    dnscert_ref: str
    language: str
    auto_submitted: str
    precedence: str
    content_type: str


def parse_bytes(raw: bytes) -> EmailMessage:
    """Parse ``raw`` with the default policy; garbage without headers is refused."""
    if not raw.strip():
        raise MailError("the message is empty")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage):  # pragma: no cover - policy.default guarantees it
        raise MailError("the message could not be parsed")
    if not message.keys():
        raise MailError("the message has no headers (not an RFC 5322 message)")
    return message


def read_envelope(message: EmailMessage) -> Envelope:
    """The headers of ``message``, decoded; broken headers read as empty."""
    name, address = _from(message)
    return Envelope(
        subject=_header(message, "Subject")[:300],
        from_name=name[:200],
        from_address=address[:254],
        message_id=_first_id(_header(message, "Message-ID")),
        in_reply_to=_ids(_header(message, "In-Reply-To")),
        references=_ids(_header(message, "References")),
        dnscert_ref=_header(message, "X-DNSCERT-Ref"),
        language=_header(message, "Content-Language").split(",")[0].strip()[:2].lower(),
        auto_submitted=_header(message, "Auto-Submitted").lower(),
        precedence=_header(message, "Precedence").lower(),
        content_type=message.get_content_type(),
    )


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError, LookupError):
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _from(message: Message) -> tuple[str, str]:
    raw = _header(message, "From") or _header(message, "Sender")
    pairs = getaddresses([raw]) if raw else []
    name, address = pairs[0] if pairs else parseaddr(raw)
    return name.strip(), address.strip().lower() if "@" in address else ""


def _ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value)


def _first_id(value: str) -> str:
    ids = _ids(value)
    return (ids[0] if ids else value.strip())[:300]


# --- bounces and auto-replies ------------------------------------------------------------------


def is_bounce(message: EmailMessage, envelope: Envelope, mail_from: str | None) -> bool:
    """A delivery status notification (RFC 3464), a message from a mailer daemon, or one
    sent with the null reverse-path (``MAIL FROM:<>``), which must never be answered."""
    if envelope.content_type == "multipart/report":
        return True
    local = envelope.from_address.split("@")[0]
    null_sender = mail_from is not None and mail_from.strip() in ("", "<>")
    return null_sender or local in _BOUNCE_SENDERS


def is_auto_reply(message: EmailMessage, envelope: Envelope) -> bool:
    """An automatic message (RFC 3834 Auto-Submitted, bulk/list precedence, vacation)."""
    if envelope.auto_submitted and envelope.auto_submitted != "no":
        return True
    if envelope.precedence in {"bulk", "junk", "list", "auto_reply"}:
        return True
    return any(message.get(name) for name in _AUTO_HEADERS) or bool(message.get("List-Id"))


def bounced_message_ids(message: EmailMessage) -> list[str]:
    """The Message-IDs of the original messages a DSN reports on."""
    found: list[str] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "text/rfc822-headers":
            headers = email.message_from_bytes(_payload(part), policy=email.policy.default)
            found += _ids(_header(headers, "Message-ID"))
        elif kind == "message/rfc822":
            for inner in part.iter_parts() if isinstance(part, EmailMessage) else []:
                found += _ids(_header(inner, "Message-ID"))
    return list(dict.fromkeys(found))


def bounce_reason(message: EmailMessage) -> str:
    """The status and diagnostic of the first failed recipient of a DSN, or its subject."""
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            text = _payload(part).decode("utf-8", "replace") or _delivery_status_text(part)
            diagnostic = re.search(r"^Diagnostic-Code:\s*(.+)$", text, re.MULTILINE | re.I)
            status = re.search(r"^Status:\s*(\S+)", text, re.MULTILINE | re.I)
            parts = [m.group(1).strip() for m in (status, diagnostic) if m]
            if parts:
                return " ".join(parts)[:500]
    return _header(message, "Subject")[:500]


def _delivery_status_text(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):
        return "\n".join(str(block) for block in payload)
    return str(payload)


# --- content ------------------------------------------------------------------------------------


def read_entity(message: Message) -> Content:
    """Text, HTML and attachments of a (decrypted) MIME entity; problems noted, not raised."""
    content = Content()
    _walk(message, content)
    return content


def _walk(part: Message, content: Content) -> None:
    """Depth-first over the parts; a forwarded message is kept whole as an ``.eml`` file."""
    if part.get_content_type() == "message/rfc822":
        name = _filename(part) or f"forwarded-{len(content.attachments) + 1}.eml"
        content.attachments.append(Part(name, "message/rfc822", _forwarded_bytes(part)))
        return
    payload = part.get_payload() if part.is_multipart() else None
    if isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                _walk(sub, content)
        return
    _read_part(part, content)


def _forwarded_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return _payload(part)
    try:
        return inner.as_bytes(policy=email.policy.compat32)
    except (ValueError, TypeError, LookupError, UnicodeError):
        return str(inner).encode("utf-8", "replace")


def _read_part(part: Message, content: Content) -> None:
    kind = part.get_content_type()
    disposition = (part.get_content_disposition() or "").lower()
    filename = _filename(part)
    if disposition != "attachment" and not filename and kind in ("text/plain", "text/html"):
        text = decode_text(part, content.problems)
        if kind == "text/plain":
            content.text = f"{content.text}\n\n{text}" if content.text else text
        elif not content.html:
            content.html = text
        return
    data = _payload(part)
    name = filename or f"part-{len(content.attachments) + 1}{_extension(kind)}"
    content.attachments.append(Part(name, kind, data))


def decode_text(part: Message, problems: list[str]) -> str:
    """A text part as str; an unknown or wrong charset falls back to UTF-8 with replacement."""
    data = _payload(part)
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset)
    except LookupError:
        problems.append(f"unknown charset {charset!r}; text decoded as UTF-8")
    except UnicodeDecodeError:
        problems.append(f"text is not valid {charset}; undecodable bytes replaced")
    return data.decode("utf-8", "replace")


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError):
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    return payload.encode("utf-8", "replace") if isinstance(payload, str) else b""


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except (ValueError, TypeError, LookupError):
        name = ""
    return safe_filename(name)


def safe_filename(name: str) -> str:
    """The last path component of ``name`` without control characters, at most 200 chars."""
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".")
    return name[:200]


def _extension(kind: str) -> str:
    return {
        "text/plain": ".txt",
        "text/html": ".html",
        "message/rfc822": ".eml",
        "application/pdf": ".pdf",
    }.get(kind, ".bin")


def html_to_text(markup: str) -> str:
    """Readable text of an HTML body (tags dropped, entities decoded, blank runs squeezed)."""
    if not markup:
        return ""
    text = _SKIPPED_BLOCKS.sub("", markup)
    text = _TAG.sub("", _BREAKS.sub("\n", text))
    lines = [" ".join(line.split()) for line in html.unescape(text).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- PGP/MIME (RFC 3156) -------------------------------------------------------------------------


def encrypted_payload(message: Message) -> bytes | None:
    """The ciphertext of a ``multipart/encrypted`` PGP/MIME entity, else None."""
    if message.get_content_type() != "multipart/encrypted":
        return None
    parts = message.get_payload()
    if not isinstance(parts, list) or len(parts) < 2:
        raise MailError("multipart/encrypted without the two parts RFC 3156 requires")
    return _payload(_as_message(parts[1]))


def signed_parts(entity: bytes, message: Message) -> tuple[bytes, bytes] | None:
    """``(signed bytes, signature)`` of a ``multipart/signed`` entity, else None.

    The signed part is cut from the raw bytes (never re-serialised) and put in canonical
    CRLF form, as RFC 3156 section 5 requires for verification.
    """
    if message.get_content_type() != "multipart/signed":
        return None
    boundary = message.get_boundary()
    parts = message.get_payload()
    if not boundary or not isinstance(parts, list) or len(parts) != 2:
        raise MailError("multipart/signed without a boundary and exactly two parts")
    delimiter = b"--" + boundary.encode("ascii", "replace")
    body = _canonical(entity)
    chunks = body.split(b"\r\n" + delimiter)
    if len(chunks) < 3:
        raise MailError("multipart/signed whose boundary cannot be found in the raw message")
    first = chunks[1]
    signed = first[first.index(b"\r\n") + 2 :] if b"\r\n" in first else b""
    return signed, _payload(_as_message(parts[1]))


def _as_message(part: object) -> Message:
    if not isinstance(part, Message):
        raise MailError("a MIME part is not a message entity")
    return part


def _canonical(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def inline_blocks(text: str) -> tuple[bytes | None, bytes | None]:
    """The first inline ``PGP MESSAGE`` and ``PGP SIGNED MESSAGE`` blocks of ``text``."""
    data = text.encode("utf-8", "replace")
    encrypted = PGP_MESSAGE.search(data)
    signed = PGP_SIGNED.search(data)
    return (encrypted.group(0) if encrypted else None, signed.group(0) if signed else None)
