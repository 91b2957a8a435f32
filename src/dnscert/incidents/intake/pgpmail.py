"""Decrypting and verifying inbound reports: PGP/MIME (RFC 3156) and inline PGP.

:func:`read_message` turns a parsed e-mail into its :class:`~dnscert.incidents.intake.mime.
Content` plus what PGP said; :func:`read_text` does the same for a text pasted into a form.
Decryption and verification use the platform key (:mod:`dnscert.delivery.pgp`); a message
that cannot be decrypted or whose PGP structure is broken comes back with ``error`` set, so
the caller keeps it as ``unparsed``.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from email.message import Message

from dnscert.delivery import pgp
from dnscert.incidents.intake import keys, mime
from dnscert.incidents.intake.choices import PgpStatus


@dataclass
class Reading:
    """Content of a report after PGP, the PGP verdict, and an error when unreadable."""

    content: mime.Content = field(default_factory=mime.Content)
    pgp_status: str = PgpStatus.NONE
    encrypted: bool = False
    signer_fingerprint: str = ""
    detail: str = ""
    error: str = ""

    def signed(self, valid: bool, fingerprint: str, detail: str = "") -> None:
        """Record a signature check."""
        self.pgp_status = PgpStatus.SIGNED_VALID if valid else PgpStatus.SIGNED_INVALID
        self.signer_fingerprint = fingerprint.upper() if valid else ""
        self.detail = detail


def read_message(raw: bytes, message: Message) -> Reading:
    """Read ``message`` (parsed from ``raw``), decrypting and verifying as needed."""
    reading = Reading()
    try:
        ciphertext = mime.encrypted_payload(message)
        if ciphertext is not None:
            _read_encrypted(ciphertext, reading)
            return reading
        _read_entity(raw, message, reading)
    except mime.MailError as error:
        reading.error = str(error)
    return reading


def _read_encrypted(ciphertext: bytes, reading: Reading) -> None:
    keys.sync_contact_keys()
    reading.encrypted = True
    result = pgp.decrypt_and_verify(ciphertext)
    if not result.ok:
        reading.pgp_status = PgpStatus.DECRYPT_FAILED
        reading.error = f"PGP/MIME message could not be decrypted: {result.error}"
        return
    reading.pgp_status = PgpStatus.ENCRYPTED
    if result.signature_valid:
        reading.signed(True, result.signer_fingerprint)
    inner = email.message_from_bytes(result.plaintext, policy=email.policy.default)
    _read_entity(result.plaintext, inner, reading)


def _read_entity(entity: bytes, message: Message, reading: Reading) -> None:
    signed = mime.signed_parts(entity, message)
    if signed is None:
        reading.content = mime.read_entity(message)
        _read_inline(reading)
        return
    keys.sync_contact_keys()
    data, signature = signed
    verdict = pgp.verify_detached(data, signature)
    reading.signed(verdict.valid, verdict.signer_fingerprint, verdict.error)
    parts = message.get_payload()
    first = parts[0] if isinstance(parts, list) else None
    if not isinstance(first, Message):
        raise mime.MailError("multipart/signed whose first part is not a MIME entity")
    reading.content = mime.read_entity(first)


def _read_inline(reading: Reading) -> None:
    text, inline = read_text(reading.content.text)
    if inline.pgp_status == PgpStatus.NONE:
        return
    reading.content.text = text
    reading.pgp_status = inline.pgp_status
    reading.encrypted = reading.encrypted or inline.encrypted
    reading.signer_fingerprint = inline.signer_fingerprint or reading.signer_fingerprint
    reading.detail = inline.detail
    reading.error = inline.error


def read_text(text: str) -> tuple[str, Reading]:
    """``text`` with its first inline PGP block decrypted or unwrapped, and the verdict."""
    reading = Reading()
    encrypted, signed = mime.inline_blocks(text)
    block = encrypted or signed
    if block is None:
        return text, reading
    keys.sync_contact_keys()
    result = pgp.decrypt_and_verify(block)
    if encrypted is not None:
        reading.encrypted = True
        if not result.ok:
            reading.pgp_status = PgpStatus.DECRYPT_FAILED
            reading.error = f"inline PGP message could not be decrypted: {result.error}"
            return text, reading
        reading.pgp_status = PgpStatus.ENCRYPTED
    if result.signature_valid:
        reading.signed(True, result.signer_fingerprint)
    elif encrypted is None:
        reading.signed(False, "", result.error or "bad or unverifiable signature")
    if not result.plaintext:
        return text, reading
    plain = result.plaintext.decode("utf-8", "replace")
    return text.replace(block.decode("utf-8", "replace"), plain.strip()), reading
