"""Helpers of the delivery tests: read the signed part of a received e-mail byte-exactly."""

from __future__ import annotations

import email.policy
from email.message import EmailMessage


def raw_bytes(message: EmailMessage) -> bytes:
    """The message as it travelled (CRLF line endings)."""
    return message.as_bytes(policy=email.policy.SMTP)


def signed_parts(message: EmailMessage) -> tuple[bytes, bytes]:
    """(signed entity, detached signature) of a multipart/signed message, byte-exact.

    RFC 3156: the signed data is the first body part as it appears between the boundaries,
    with CRLF line endings, excluding the CRLF that precedes the next boundary.
    """
    assert message.get_content_type() == "multipart/signed"
    boundary = message.get_param("boundary")
    assert isinstance(boundary, str)
    raw = raw_bytes(message)
    delimiter = b"\r\n--" + boundary.encode()
    _head, _, rest = raw.partition(b"\r\n\r\n")
    body = b"\r\n" + rest
    parts = body.split(delimiter)
    entity = parts[1].removeprefix(b"\r\n")
    signature_part = parts[2].removeprefix(b"\r\n")
    signature = signature_part.partition(b"\r\n\r\n")[2]
    return entity, signature
