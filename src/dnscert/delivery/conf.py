"""Delivery settings: a Django setting of the same name wins, else the environment variable.

Every variable is documented in ``.env.example``.
"""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings

from dnscert.env import ConfigError, env_int, env_str


def _int(name: str, default: int, minimum: int) -> int:
    value = getattr(settings, name, None)
    number = int(value) if value is not None else env_int(name, default)
    if number < minimum:
        raise ConfigError(name, f"must be at least {minimum}, got {number}")
    return number


def reply_address() -> str:
    """The intake mailbox (``DNSCERT_INTAKE_ADDRESS``), where replies are read; may be empty.

    Every outgoing message that expects an answer (notifications, pages, drills, injects,
    acknowledgements) gives it as Reply-To, so the answer reaches the intake.
    """
    value = getattr(settings, "DNSCERT_INTAKE_ADDRESS", None)
    return str(value) if value is not None else env_str("DNSCERT_INTAKE_ADDRESS", "")


def max_attempts() -> int:
    """Attempts before a message is given up on (``DNSCERT_DELIVERY_MAX_ATTEMPTS``)."""
    return _int("DNSCERT_DELIVERY_MAX_ATTEMPTS", 8, 1)


def retry_delay() -> int:
    """Seconds before the first retry, doubled each time (``DNSCERT_DELIVERY_RETRY_DELAY``)."""
    return _int("DNSCERT_DELIVERY_RETRY_DELAY", 60, 1)


def batch_size() -> int:
    """Messages handed to one send job (``DNSCERT_DELIVERY_BATCH_SIZE``)."""
    return _int("DNSCERT_DELIVERY_BATCH_SIZE", 200, 1)


def pgp_uid() -> tuple[str, str]:
    """(name, address) of the platform key's user id (``DNSCERT_PGP_UID``)."""
    value = getattr(settings, "DNSCERT_PGP_UID", None) or env_str("DNSCERT_PGP_UID", "")
    name, address = parseaddr(value or settings.DEFAULT_FROM_EMAIL)
    if not address or "@" not in address:
        raise ConfigError("DNSCERT_PGP_UID", f"expected 'Name <address>', got {value!r}")
    return name or settings.SITE_NAME, address


def retention_days() -> int:
    """Days sent, failed and bounced messages are kept; 0 keeps them forever
    (``DNSCERT_DELIVERY_RETENTION_DAYS``)."""
    return _int("DNSCERT_DELIVERY_RETENTION_DAYS", 400, 0)
