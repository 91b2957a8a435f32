"""Settings of the intake: Django settings when set there, else the environment.

Every variable is documented in ``.env.example``. Tests override them with pytest-django's
``settings`` fixture (same names).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from dnscert.delivery import conf as delivery_conf
from dnscert.env import ConfigError, env_int, env_list, env_str

IMAP_SECURITY = ("ssl", "starttls", "none")


def _setting(name: str, from_env: Callable[[], Any]) -> Any:
    return getattr(settings, name) if hasattr(settings, name) else from_env()


def max_attachment_bytes() -> int:
    """Largest attachment accepted, in bytes (``DNSCERT_INTAKE_MAX_ATTACHMENT_BYTES``)."""
    return int(
        _setting(
            "DNSCERT_INTAKE_MAX_ATTACHMENT_BYTES",
            lambda: env_int("DNSCERT_INTAKE_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024),
        )
    )


def max_attachments() -> int:
    """Attachments accepted with one report (``DNSCERT_INTAKE_MAX_ATTACHMENTS``)."""
    return int(
        _setting(
            "DNSCERT_INTAKE_MAX_ATTACHMENTS", lambda: env_int("DNSCERT_INTAKE_MAX_ATTACHMENTS", 10)
        )
    )


def max_message_bytes() -> int:
    """Largest inbound e-mail accepted, in bytes (``DNSCERT_INTAKE_MAX_MESSAGE_BYTES``)."""
    return int(
        _setting(
            "DNSCERT_INTAKE_MAX_MESSAGE_BYTES",
            lambda: env_int("DNSCERT_INTAKE_MAX_MESSAGE_BYTES", 30 * 1024 * 1024),
        )
    )


def rate_limit() -> tuple[int, int]:
    """``(reports, seconds)`` one address may submit on the public form per window."""
    count = _setting("DNSCERT_INTAKE_RATE_LIMIT", lambda: env_int("DNSCERT_INTAKE_RATE_LIMIT", 5))
    window = _setting(
        "DNSCERT_INTAKE_RATE_WINDOW", lambda: env_int("DNSCERT_INTAKE_RATE_WINDOW", 3600)
    )
    return int(count), int(window)


def ack_limit() -> int:
    """Acknowledgements one sender gets per hour (``DNSCERT_INTAKE_ACK_LIMIT``)."""
    return int(_setting("DNSCERT_INTAKE_ACK_LIMIT", lambda: env_int("DNSCERT_INTAKE_ACK_LIMIT", 5)))


def intake_address() -> str:
    """The intake mailbox, given as Reply-To of acknowledgements (``DNSCERT_INTAKE_ADDRESS``)."""
    return delivery_conf.reply_address()


@dataclass(frozen=True)
class SmtpConfig:
    """Where ``dnscert intake-mail`` listens and which recipients it accepts."""

    host: str
    port: int
    recipients: tuple[str, ...]


def smtp_config() -> SmtpConfig:
    """The SMTP listener's address, port and accepted recipients (empty: any)."""
    recipients = _setting(
        "DNSCERT_INTAKE_SMTP_RECIPIENTS", lambda: env_list("DNSCERT_INTAKE_SMTP_RECIPIENTS")
    )
    host = _setting(
        "DNSCERT_INTAKE_SMTP_HOST", lambda: env_str("DNSCERT_INTAKE_SMTP_HOST", "127.0.0.1")
    )
    port = _setting("DNSCERT_INTAKE_SMTP_PORT", lambda: env_int("DNSCERT_INTAKE_SMTP_PORT", 8025))
    return SmtpConfig(
        host=str(host),
        port=int(port),
        recipients=tuple(address.lower() for address in recipients),
    )


@dataclass(frozen=True)
class ImapConfig:
    """The mailbox polled by ``dnscert intake-mail --imap`` and the ``intake.poll_imap`` job."""

    host: str
    port: int
    security: str
    user: str
    password: str
    mailbox: str
    timeout: int
    ca_file: str

    @property
    def configured(self) -> bool:
        return bool(self.host and self.user)


def imap_config() -> ImapConfig:
    """The IMAP settings; ``security`` is one of ``ssl``, ``starttls`` or ``none``."""
    security = str(
        _imap("SECURITY", lambda: env_str("DNSCERT_INTAKE_IMAP_SECURITY", "ssl"))
    ).lower()
    if security not in IMAP_SECURITY:
        raise ConfigError(
            "DNSCERT_INTAKE_IMAP_SECURITY", f"expected one of {', '.join(IMAP_SECURITY)}"
        )
    default_port = 993 if security == "ssl" else 143
    return ImapConfig(
        host=str(_imap("HOST", lambda: env_str("DNSCERT_INTAKE_IMAP_HOST", ""))),
        port=int(_imap("PORT", lambda: env_int("DNSCERT_INTAKE_IMAP_PORT", default_port))),
        security=security,
        user=str(_imap("USER", lambda: env_str("DNSCERT_INTAKE_IMAP_USER", ""))),
        password=str(_imap("PASSWORD", lambda: env_str("DNSCERT_INTAKE_IMAP_PASSWORD", ""))),
        mailbox=str(_imap("MAILBOX", lambda: env_str("DNSCERT_INTAKE_IMAP_MAILBOX", "INBOX"))),
        timeout=int(_imap("TIMEOUT", lambda: env_int("DNSCERT_INTAKE_IMAP_TIMEOUT", 30))),
        ca_file=str(_imap("CA_FILE", lambda: env_str("DNSCERT_INTAKE_IMAP_CA_FILE", ""))),
    )


def _imap(suffix: str, from_env: Callable[[], Any]) -> Any:
    return _setting(f"DNSCERT_INTAKE_IMAP_{suffix}", from_env)
