"""Background work of watch and warning: turning sources into warnings, and the follow-up.

Receivers (``receivers.py``) enqueue these after the source's transaction commits, so a
signal that rolls back raises nothing and the web process never fans out itself.
"""

from __future__ import annotations

from typing import Any

from dnscert.advisories.warnings import followup, producers, services
from dnscert.core.jobs import every, job


def _raise_all(rule: str, drafts: list[services.Draft]) -> dict[str, Any]:
    raised = [services.raise_warning(rule, draft) for draft in drafts]
    made = [warning for warning in raised if warning is not None]
    return {"rule": rule, "drafts": len(drafts), "raised": [w.reference for w in made][:50]}


@job("warnings.from_signal")
def from_signal(*, signal_id: int) -> dict[str, Any]:
    """Raise the warning of a DNS health signal."""
    from dnscert.dnshealth.models import Signal

    signal = Signal.objects.select_related("target", "organisation").filter(pk=signal_id).first()
    if signal is None:
        return {"rule": "", "drafts": 0, "raised": []}
    return _raise_all(*producers.from_signal(signal))


@job("warnings.from_concentration_alert")
def from_concentration_alert(*, alert_id: int) -> dict[str, Any]:
    """Raise the warning of a concentration alert handed over."""
    from dnscert.intel.patterns.models import ConcentrationAlert

    alert = ConcentrationAlert.objects.select_related("organisation").filter(pk=alert_id).first()
    if alert is None:
        return {"rule": "", "drafts": 0, "raised": []}
    return _raise_all(*producers.from_alert(alert))


@job("warnings.from_registry_list")
def from_registry_list(*, list_id: int) -> dict[str, Any]:
    """Raise the warning of a DGA list sent to a registry."""
    from dnscert.intel.patterns.models import RegistryList

    found = RegistryList.objects.select_related("campaign", "organisation").filter(pk=list_id)
    registry_list = found.first()
    if registry_list is None:
        return {"rule": "", "drafts": 0, "raised": []}
    return _raise_all(*producers.from_registry_list(registry_list))


@job("warnings.from_advisory")
def from_advisory(*, advisory_id: int, revision: int) -> dict[str, Any]:
    """Raise one warning per organisation a published advisory goes to."""
    from dnscert.advisories.models import Advisory
    from dnscert.advisories.warnings import advisory_fanout

    advisory = Advisory.objects.filter(pk=advisory_id).first()
    if advisory is None:
        return {"rule": "", "drafts": 0, "raised": []}
    return _raise_all(*advisory_fanout.drafts(advisory, revision))


@job("warnings.follow_up", schedule=every(minutes=15))
def follow_up() -> dict[str, int]:
    """Remind organisations of unacknowledged warnings, then tell the staff."""
    return followup.follow_up()
