"""Polling an IMAP mailbox for reports (imaplib over TLS, STARTTLS or plain on loopback).

Unseen messages are fetched without marking them (``BODY.PEEK[]``), stored as reports, and
only then flagged ``\\Seen``: a crash in between fetches the message again next time, and the
Message-ID check keeps it from becoming a second report.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
from dataclasses import dataclass
from typing import Any

from dnscert.core.exceptions import DnscertError
from dnscert.incidents.intake import conf, mime
from dnscert.incidents.intake.choices import Channel
from dnscert.incidents.intake.models import Report

logger = logging.getLogger(__name__)


class ImapError(DnscertError):
    """The IMAP server refused something; the text says what."""


@dataclass
class PollResult:
    """What one poll did."""

    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    references: list[str] | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "fetched": self.fetched,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "references": self.references or [],
        }


def connect(config: conf.ImapConfig) -> imaplib.IMAP4:
    """A logged-in connection with the mailbox selected."""
    if not config.configured:
        raise ImapError("IMAP is not configured: set DNSCERT_INTAKE_IMAP_HOST and _USER")
    context = ssl.create_default_context(cafile=config.ca_file or None)
    client: imaplib.IMAP4
    if config.security == "ssl":
        client = imaplib.IMAP4_SSL(
            config.host, config.port, ssl_context=context, timeout=config.timeout
        )
    else:
        client = imaplib.IMAP4(config.host, config.port, timeout=config.timeout)
        if config.security == "starttls":
            client.starttls(ssl_context=context)
    try:
        client.login(config.user, config.password)
        _ok(client.select(config.mailbox), f"select {config.mailbox}")
    except imaplib.IMAP4.error as error:
        client.shutdown()
        raise ImapError(f"IMAP {config.host}:{config.port}: {error}") from error
    return client


def _ok(answer: tuple[str, list[Any]], what: str) -> list[Any]:
    status, data = answer
    if status != "OK":
        raise ImapError(f"IMAP {what} failed: {status} {data!r}")
    return data


def poll(config: conf.ImapConfig | None = None) -> PollResult:
    """Store every unseen message of the configured mailbox as a report."""
    from dnscert.incidents.intake.services import receive_email

    config = config or conf.imap_config()
    client = connect(config)
    result = PollResult(references=[])
    try:
        for uid in _unseen(client):
            raw = _fetch(client, uid)
            result.fetched += 1
            if _already_stored(raw):
                result.duplicates += 1
            else:
                report = receive_email(raw, channel=Channel.IMAP)
                result.stored += 1
                result.references.append(report.reference)  # type: ignore[union-attr]
            _ok(client.uid("STORE", uid, "+FLAGS", "(\\Seen)"), f"store {uid}")
    finally:
        _logout(client)
    return result


def _unseen(client: imaplib.IMAP4) -> list[str]:
    data = _ok(client.uid("SEARCH", "UNSEEN"), "search")
    first = data[0] if data else b""
    return [uid.decode() for uid in first.split()] if isinstance(first, bytes) else []


def _fetch(client: imaplib.IMAP4, uid: str) -> bytes:
    data = _ok(client.uid("FETCH", uid, "(BODY.PEEK[])"), f"fetch {uid}")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    raise ImapError(f"IMAP fetch {uid} returned no message")


def _already_stored(raw: bytes) -> bool:
    try:
        message_id = mime.read_envelope(mime.parse_bytes(raw)).message_id
    except (mime.MailError, ValueError, TypeError):
        return False
    return (
        bool(message_id)
        and Report.objects.filter(channel=Channel.IMAP, message_id=message_id).exists()
    )


def _logout(client: imaplib.IMAP4) -> None:
    try:
        client.logout()
    except (imaplib.IMAP4.error, OSError) as error:
        logger.debug("IMAP logout failed: %s", error)
