"""Settings of the pattern detectors, from the environment (documented in ``.env.example``).

Each value may be overridden by a Django setting of the same name (tests use that).

* ``DNSCERT_DGA_CAMPAIGN_MAX_DAYS`` (366): the longest date range of one DGA campaign.
* ``DNSCERT_CONCENTRATION_WINDOW_DAYS`` (7) and ``DNSCERT_CONCENTRATION_BASELINE_DAYS`` (28):
  the window the daily detection looks at, and the baseline just before it.
* ``DNSCERT_CONCENTRATION_NEW_DAYS`` (30): a domain counts as newly registered when it was
  created at most this many days before the abuse event.
* ``DNSCERT_CONCENTRATION_MIN_NEW`` (10): a registrar or TLD needs at least this many new
  abusive domains in the window before any alert is raised about it.
* ``DNSCERT_CONCENTRATION_JUMP_POINTS`` (20): a jump alert needs the share of the window's
  new abusive registrations to exceed the baseline share by this many percentage points.
* ``DNSCERT_CONCENTRATION_TOP_SHARE`` (60) and ``DNSCERT_CONCENTRATION_TOP_N`` (3): a campaign
  alert names the registrars when the top 1 to N of them hold at least this share (percent).
"""

from __future__ import annotations

from django.conf import settings

from dnscert.env import env_int

_DEFAULTS = {
    "DNSCERT_DGA_CAMPAIGN_MAX_DAYS": env_int("DNSCERT_DGA_CAMPAIGN_MAX_DAYS", 366),
    "DNSCERT_CONCENTRATION_WINDOW_DAYS": env_int("DNSCERT_CONCENTRATION_WINDOW_DAYS", 7),
    "DNSCERT_CONCENTRATION_BASELINE_DAYS": env_int("DNSCERT_CONCENTRATION_BASELINE_DAYS", 28),
    "DNSCERT_CONCENTRATION_NEW_DAYS": env_int("DNSCERT_CONCENTRATION_NEW_DAYS", 30),
    "DNSCERT_CONCENTRATION_MIN_NEW": env_int("DNSCERT_CONCENTRATION_MIN_NEW", 10),
    "DNSCERT_CONCENTRATION_JUMP_POINTS": env_int("DNSCERT_CONCENTRATION_JUMP_POINTS", 20),
    "DNSCERT_CONCENTRATION_TOP_SHARE": env_int("DNSCERT_CONCENTRATION_TOP_SHARE", 60),
    "DNSCERT_CONCENTRATION_TOP_N": env_int("DNSCERT_CONCENTRATION_TOP_N", 3),
}


def value(name: str) -> int:
    """The setting ``name``: the Django setting when defined, else the environment's value."""
    return int(getattr(settings, name, _DEFAULTS[name]))


def campaign_max_days() -> int:
    return value("DNSCERT_DGA_CAMPAIGN_MAX_DAYS")


def window_days() -> int:
    return value("DNSCERT_CONCENTRATION_WINDOW_DAYS")


def baseline_days() -> int:
    return value("DNSCERT_CONCENTRATION_BASELINE_DAYS")


def new_days() -> int:
    return value("DNSCERT_CONCENTRATION_NEW_DAYS")


def min_new() -> int:
    return value("DNSCERT_CONCENTRATION_MIN_NEW")


def jump_points() -> int:
    return value("DNSCERT_CONCENTRATION_JUMP_POINTS")


def top_share() -> int:
    return value("DNSCERT_CONCENTRATION_TOP_SHARE")


def top_n() -> int:
    return value("DNSCERT_CONCENTRATION_TOP_N")
