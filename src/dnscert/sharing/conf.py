"""Sharing settings: a Django setting of the same name wins, else the environment variable.

Every variable is documented in ``.env.example``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from dnscert.core.choices import TLP
from dnscert.env import ConfigError, env_bool, env_int, env_list, env_str


def _setting(name: str, read: Any) -> Any:
    value = getattr(settings, name, None)
    return read() if value is None else value


def auto_share() -> bool:
    """Share TLP:CLEAR and TLP:GREEN incident indicators and DGA lists without staff action."""
    return bool(_setting("DNSCERT_SHARING_AUTO", lambda: env_bool("DNSCERT_SHARING_AUTO")))


def max_indicators() -> int:
    """The most indicators one shared source may carry."""
    value = int(
        _setting(
            "DNSCERT_SHARING_MAX_INDICATORS",
            lambda: env_int("DNSCERT_SHARING_MAX_INDICATORS", 5000),
        )
    )
    if value < 1:
        raise ConfigError("DNSCERT_SHARING_MAX_INDICATORS", "must be at least 1")
    return value


def intel_tlp() -> TLP:
    """The label intel events get when staff share them without choosing one."""
    raw = _setting("DNSCERT_SHARING_INTEL_TLP", lambda: env_str("DNSCERT_SHARING_INTEL_TLP", ""))
    try:
        return TLP.parse(str(raw or "GREEN"))
    except ValueError as error:
        raise ConfigError("DNSCERT_SHARING_INTEL_TLP", str(error)) from None


def taxii_page_size() -> tuple[int, int]:
    """(default, maximum) objects per TAXII page."""
    default = int(
        _setting("DNSCERT_TAXII_PAGE_SIZE", lambda: env_int("DNSCERT_TAXII_PAGE_SIZE", 100))
    )
    maximum = int(
        _setting(
            "DNSCERT_TAXII_MAX_PAGE_SIZE", lambda: env_int("DNSCERT_TAXII_MAX_PAGE_SIZE", 1000)
        )
    )
    if not 1 <= default <= maximum:
        raise ConfigError("DNSCERT_TAXII_PAGE_SIZE", "must be between 1 and the maximum")
    return default, maximum


def taxii_max_content_length() -> int:
    """The largest TAXII request body accepted, in bytes."""
    return int(
        _setting(
            "DNSCERT_TAXII_MAX_CONTENT_LENGTH",
            lambda: env_int("DNSCERT_TAXII_MAX_CONTENT_LENGTH", 10 * 1024 * 1024),
        )
    )


def security_contacts() -> list[str]:
    """The ``Contact:`` URIs of security.txt; by default the platform's sender address."""
    contacts = _setting(
        "DNSCERT_SECURITY_TXT_CONTACTS", lambda: env_list("DNSCERT_SECURITY_TXT_CONTACTS")
    )
    if contacts:
        return [str(contact) for contact in contacts]
    address = str(settings.DEFAULT_FROM_EMAIL)
    if "<" in address:
        address = address.split("<", 1)[1].rstrip(">").strip()
    return [f"mailto:{address}"]


def security_txt_days() -> int:
    """How far ahead ``Expires:`` lies, in days (RFC 9116 advises less than a year)."""
    days = int(
        _setting(
            "DNSCERT_SECURITY_TXT_EXPIRES_DAYS",
            lambda: env_int("DNSCERT_SECURITY_TXT_EXPIRES_DAYS", 180),
        )
    )
    if not 1 <= days <= 364:
        raise ConfigError("DNSCERT_SECURITY_TXT_EXPIRES_DAYS", "must be between 1 and 364")
    return days


def security_txt_policy() -> str:
    """The ``Policy:`` URL; empty means the platform's own sharing page."""
    return str(
        _setting("DNSCERT_SECURITY_TXT_POLICY", lambda: env_str("DNSCERT_SECURITY_TXT_POLICY", ""))
    )


def security_txt_signed() -> bool:
    """Clear-sign security.txt with the platform OpenPGP key."""
    return bool(
        _setting("DNSCERT_SECURITY_TXT_SIGN", lambda: env_bool("DNSCERT_SECURITY_TXT_SIGN", True))
    )
