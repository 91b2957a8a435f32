"""The SMTP listener of the intake mailbox (aiosmtpd), run by ``dnscert intake-mail``.

Each message is stored through :func:`dnscert.incidents.intake.services.receive_email` before
the listener answers ``250``; when storing fails the answer is ``451`` so the sending server
keeps the message and tries again: a message is either stored or still with its sender.
Messages over ``DNSCERT_INTAKE_MAX_MESSAGE_BYTES`` are refused with ``552`` by aiosmtpd.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.db import close_old_connections

from dnscert.core import audit
from dnscert.incidents.intake import conf
from dnscert.incidents.intake.choices import Channel
from dnscert.incidents.intake.models import Report

logger = logging.getLogger(__name__)

Receiver = Callable[..., Report]


class IntakeHandler:
    """aiosmtpd handler: accepts mail for the intake recipients and stores every message."""

    def __init__(self, recipients: tuple[str, ...] = (), receive: Receiver | None = None) -> None:
        self.recipients = tuple(address.lower() for address in recipients)
        self._receive = receive

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.recipients and address.lower() not in self.recipients:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        peer = session.peer[0] if isinstance(session.peer, tuple) else None
        try:
            store = sync_to_async(self.store, thread_sensitive=False)
            reference = await store(bytes(raw), envelope.mail_from, peer)
        except Exception:
            logger.exception("inbound message from %s could not be stored", envelope.mail_from)
            return "451 4.3.0 Could not store the message; please try again later"
        return f"250 2.0.0 Accepted as {reference}"

    def store(self, raw: bytes, mail_from: str | None, peer: str | None) -> str:
        """Store one message (runs in a worker thread, with its own database connection)."""
        from dnscert.incidents.intake.services import receive_email

        receive = self._receive or receive_email
        close_old_connections()
        try:
            with audit.channel(audit.Via.CLI):
                report = receive(raw, channel=Channel.EMAIL, mail_from=mail_from, source_ip=peer)
            return str(report.reference)
        finally:
            close_old_connections()


def controller(host: str | None = None, port: int | None = None) -> Controller:
    """An unstarted listener on ``host:port`` (defaults from the settings)."""
    config = conf.smtp_config()
    return Controller(
        IntakeHandler(config.recipients),
        hostname=host or config.host,
        port=port if port is not None else config.port,
        data_size_limit=conf.max_message_bytes(),
        decode_data=False,
        ident="dnscert intake",
    )
