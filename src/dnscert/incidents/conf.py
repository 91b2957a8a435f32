"""Incident settings: a Django setting of the same name wins, else the environment variable.

SLA targets are three durations in minutes per severity, "acknowledge,first action,resolve",
e.g. ``DNSCERT_INCIDENT_SLA_CRITICAL=15,60,1440``. Every variable is documented in
``.env.example``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from dnscert.core.choices import Severity
from dnscert.env import ConfigError, env_str

#: Default targets in minutes: (acknowledge, first action, resolve).
DEFAULT_SLA_MINUTES: dict[str, tuple[int, int, int]] = {
    Severity.CRITICAL: (15, 60, 24 * 60),
    Severity.HIGH: (30, 4 * 60, 3 * 24 * 60),
    Severity.MEDIUM: (4 * 60, 24 * 60, 7 * 24 * 60),
    Severity.LOW: (24 * 60, 3 * 24 * 60, 30 * 24 * 60),
    Severity.INFO: (3 * 24 * 60, 7 * 24 * 60, 60 * 24 * 60),
}

SLA_VARIABLES: dict[str, str] = {
    Severity.CRITICAL: "DNSCERT_INCIDENT_SLA_CRITICAL",
    Severity.HIGH: "DNSCERT_INCIDENT_SLA_HIGH",
    Severity.MEDIUM: "DNSCERT_INCIDENT_SLA_MEDIUM",
    Severity.LOW: "DNSCERT_INCIDENT_SLA_LOW",
    Severity.INFO: "DNSCERT_INCIDENT_SLA_INFO",
}


@dataclass(frozen=True)
class SlaTargets:
    """How long an incident of one severity may take to be acknowledged, acted on, resolved."""

    acknowledge: timedelta
    first_action: timedelta
    resolve: timedelta


def _raw(severity: str) -> str:
    name = SLA_VARIABLES[severity]
    value = getattr(settings, name, None)
    if value is not None:
        return str(value)
    readers = {
        Severity.CRITICAL: lambda: env_str("DNSCERT_INCIDENT_SLA_CRITICAL", ""),
        Severity.HIGH: lambda: env_str("DNSCERT_INCIDENT_SLA_HIGH", ""),
        Severity.MEDIUM: lambda: env_str("DNSCERT_INCIDENT_SLA_MEDIUM", ""),
        Severity.LOW: lambda: env_str("DNSCERT_INCIDENT_SLA_LOW", ""),
        Severity.INFO: lambda: env_str("DNSCERT_INCIDENT_SLA_INFO", ""),
    }
    return readers[Severity(severity)]()


def parse_targets(name: str, text: str) -> SlaTargets:
    """Three positive minute counts ``"15,60,1440"``; a :class:`ConfigError` naming ``name``."""
    parts = [part.strip() for part in text.split(",")]
    try:
        minutes = [int(part) for part in parts]
    except ValueError:
        minutes = []
    if len(minutes) != 3 or any(value <= 0 for value in minutes):
        raise ConfigError(
            name, f"expected three positive minute counts 'ack,action,resolve', got {text!r}"
        )
    return SlaTargets(*(timedelta(minutes=value) for value in minutes))


def sla_targets(severity: str) -> SlaTargets:
    """The SLA targets of incidents of ``severity``."""
    text = _raw(severity)
    if not text:
        return SlaTargets(*(timedelta(minutes=m) for m in DEFAULT_SLA_MINUTES[severity]))
    return parse_targets(SLA_VARIABLES[severity], text)


def all_targets() -> dict[str, SlaTargets]:
    """The SLA targets of every severity."""
    return {severity: sla_targets(severity) for severity in Severity.values}
