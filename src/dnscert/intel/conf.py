"""Settings of situational awareness, read from the environment (documented in .env.example).

Read through functions, not module constants, so tests and long-running workers see the
current environment.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from dnscert.env import env_int, env_str


def dedupe_window_seconds() -> int:
    """Events with the same key within this many hours are duplicates."""
    return env_int("DNSCERT_INTEL_DEDUPE_HOURS", 24) * 3600


def batch_size() -> int:
    """Events written to the database per batch."""
    return max(1, env_int("DNSCERT_INTEL_BATCH_SIZE", 5000))


def writer_connections() -> int:
    """PostgreSQL connections that load batches side by side (0: the caller's connection only)."""
    return max(0, env_int("DNSCERT_INTEL_WRITERS", 2))


def event_retention_days() -> int:
    """Days events are kept; older events survive only in the daily aggregates (0: forever)."""
    return env_int("DNSCERT_INTEL_EVENT_RETENTION_DAYS", 180)


def failed_retention_days() -> int:
    """Days failed lines are kept (0: forever)."""
    return env_int("DNSCERT_INTEL_FAILED_RETENTION_DAYS", 30)


def aggregate_retention_days() -> int:
    """Days daily aggregates are kept (0: forever)."""
    return env_int("DNSCERT_INTEL_AGGREGATE_RETENTION_DAYS", 0)


def new_registration_days() -> int:
    """A domain abused within this many days of its creation counts as a new registration."""
    return env_int("DNSCERT_INTEL_NEW_REGISTRATION_DAYS", 30)


def rdap_base_url() -> str:
    """Base URL of RDAP domain lookups (``<base>domain/<name>``); empty: no RDAP lookups."""
    return env_str("DNSCERT_INTEL_RDAP_URL", "")


def rdap_lookups_per_run() -> int:
    """How many unattributed domains one RDAP job looks up."""
    return env_int("DNSCERT_INTEL_RDAP_PER_RUN", 200)


def rdap_cache_days() -> int:
    """An RDAP answer cached in a registration is asked again after this many days."""
    return env_int("DNSCERT_INTEL_RDAP_CACHE_DAYS", 30)


def watch_root() -> Path:
    """The only directory under which feeds may watch folders (they move files out of them)."""
    default = Path(settings.VAR_DIR) / "intel-watch"
    return Path(env_str("DNSCERT_INTEL_WATCH_ROOT", str(default))).resolve()
