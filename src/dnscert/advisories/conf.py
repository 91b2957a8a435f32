"""Advisory settings: a Django setting of the same name wins, else the environment variable.

``DNSCERT_CSAF_PUBLISHER_NAME`` and ``DNSCERT_CSAF_PUBLISHER_NAMESPACE`` name the CSAF
publisher (default: the site name and the site URL); ``DNSCERT_ADVISORY_SELF_APPROVAL``
lets an author approve their own advisory (off by default: a second person approves).
Every variable is documented in ``.env.example``.
"""

from __future__ import annotations

from django.conf import settings

from dnscert.env import env_bool, env_str


def _setting(name: str) -> object | None:
    return getattr(settings, name, None)


def site_url() -> str:
    """The platform's public base URL without a trailing slash."""
    return str(getattr(settings, "SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def publisher_name() -> str:
    """``document.publisher.name`` of every CSAF document."""
    value = _setting("DNSCERT_CSAF_PUBLISHER_NAME")
    if value is not None:
        return str(value)
    return env_str("DNSCERT_CSAF_PUBLISHER_NAME", "") or str(
        getattr(settings, "SITE_NAME", "dnscert")
    )


def publisher_namespace() -> str:
    """``document.publisher.namespace``: the publisher's URL."""
    value = _setting("DNSCERT_CSAF_PUBLISHER_NAMESPACE")
    if value is not None:
        return str(value)
    return env_str("DNSCERT_CSAF_PUBLISHER_NAMESPACE", "") or site_url()


def self_approval_allowed() -> bool:
    """True when an author may approve and publish their own advisory."""
    value = _setting("DNSCERT_ADVISORY_SELF_APPROVAL")
    if value is not None:
        return bool(value)
    return env_bool("DNSCERT_ADVISORY_SELF_APPROVAL", False)
