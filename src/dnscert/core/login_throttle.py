"""Sign-in rate limit: too many failures for one username from one address lock it out.

Counts live in Django's cache (per process with the default local-memory cache, shared with
Redis or Memcached). The window starts at the first failure.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

DEFAULT_LIMIT = 10
DEFAULT_WINDOW_SECONDS = 15 * 60


def limit() -> int:
    """Failures allowed in one window (``DNSCERT_LOGIN_FAILURE_LIMIT``, default 10)."""
    return int(getattr(settings, "DNSCERT_LOGIN_FAILURE_LIMIT", DEFAULT_LIMIT))


def window_seconds() -> int:
    """Length of the window (``DNSCERT_LOGIN_FAILURE_WINDOW``, default 15 minutes)."""
    return int(getattr(settings, "DNSCERT_LOGIN_FAILURE_WINDOW", DEFAULT_WINDOW_SECONDS))


def _key(username: str, ip: str) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}|{ip}".encode()).hexdigest()
    return f"dnscert:login-failures:{digest}"


def is_locked(username: str, ip: str) -> bool:
    """True when ``username`` from ``ip`` has used up its failures for this window."""
    return int(cache.get(_key(username, ip), 0)) >= limit()


def note_failure(username: str, ip: str) -> int:
    """Count one failure and return the count in the current window."""
    key = _key(username, ip)
    if cache.add(key, 1, timeout=window_seconds()):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds())
        return 1


def clear(username: str, ip: str) -> None:
    """Forget the failures after a successful sign-in."""
    cache.delete(_key(username, ip))
