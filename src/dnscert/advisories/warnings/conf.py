"""Watch-and-warning settings: a Django setting of the same name wins, else the environment.

Every variable is documented in ``.env.example``.
"""

from __future__ import annotations

from django.conf import settings

from dnscert.env import ConfigError, env_int


def _int(name: str, default: int, minimum: int) -> int:
    value = getattr(settings, name, None)
    number = int(value) if value is not None else env_int(name, default)
    if number < minimum:
        raise ConfigError(name, f"must be at least {minimum}, got {number}")
    return number


def remind_after_hours() -> int:
    """Hours without acknowledgement before a reminder (``DNSCERT_WARNINGS_REMIND_HOURS``)."""
    return _int("DNSCERT_WARNINGS_REMIND_HOURS", 24, 1)


def flag_after_hours() -> int:
    """Hours after the reminder before staff are told (``DNSCERT_WARNINGS_FLAG_HOURS``)."""
    return _int("DNSCERT_WARNINGS_FLAG_HOURS", 24, 1)
