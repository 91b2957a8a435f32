"""The platform's ``/.well-known/security.txt`` (RFC 9116), clear-signed with the platform
OpenPGP key when DNSCERT_SECURITY_TXT_SIGN is on (the default).

``Expires`` is computed at each build, DNSCERT_SECURITY_TXT_EXPIRES_DAYS ahead (under a
year, as RFC 9116 advises). ``Encryption`` points at the public key that the delivery app
serves, ``CSAF`` at the provider metadata the advisories app serves.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from dnscert.delivery import pgp
from dnscert.sharing import conf

CSAF_PATH = "/.well-known/csaf/provider-metadata.json"
CACHE_SECONDS = 3600
#: A fixed moment, so the cache key depends on the settings and not on the clock.
CACHE_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def fields(now: datetime | None = None) -> list[tuple[str, str]]:
    """The fields of security.txt, in order."""
    moment = (now or datetime.now(UTC)) + timedelta(days=conf.security_txt_days())
    expires = moment.replace(microsecond=0).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    policy = conf.security_txt_policy() or _url(reverse("sharing:about"))
    found = [("Contact", contact) for contact in conf.security_contacts()]
    found += [
        ("Expires", expires),
        ("Encryption", _url(reverse("delivery:pgp-key"))),
        ("Preferred-Languages", "en, fr"),
        ("Canonical", _url(reverse("sharing:security-txt"))),
        ("Policy", policy),
        ("CSAF", _url(CSAF_PATH)),
    ]
    return found


def text(now: datetime | None = None) -> str:
    """The unsigned security.txt."""
    lines = [f"# security.txt of {settings.SITE_NAME} (RFC 9116)"]
    lines += [f"{name}: {value}" for name, value in fields(now)]
    return "\n".join(lines) + "\n"


def signed(now: datetime | None = None) -> str:
    """security.txt as an OpenPGP cleartext-signed message."""
    gpg = pgp.platform_gpg()
    result = gpg.sign(
        text(now).encode("utf-8"),
        keyid=pgp.platform_fingerprint(),
        clearsign=True,
        extra_args=["--digest-algo", "SHA512"],
    )
    if not result.data:
        raise pgp.PGPError(f"signing security.txt failed: {result.status or result.stderr}")
    return bytes(result.data).decode("utf-8")


def document() -> str:
    """security.txt as served: signed when configured, rebuilt at most hourly.

    The cache spares a signature per request (a flood of requests must not mean a flood of
    gpg processes); the key holds the settings, so a change shows at once.
    """
    signing = conf.security_txt_signed()
    key = (
        "sharing:security.txt:"
        + hashlib.sha256(repr((signing, fields(CACHE_EPOCH))).encode()).hexdigest()
    )
    return str(cache.get_or_set(key, lambda: signed() if signing else text(), CACHE_SECONDS))
