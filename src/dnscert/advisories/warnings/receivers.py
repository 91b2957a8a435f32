"""Listeners: sources of warnings, each handed to a job once its transaction commits.

* ``post_save`` of ``dnshealth.Signal`` (created): DNS health state changes, delegation
  changes and the RRSIG expiry horizon;
* ``post_save`` of ``intel_patterns.ConcentrationAlert`` when handed over, and of
  ``intel_patterns.RegistryList`` when sent;
* ``advisories.signals.advisory_published``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from dnscert.advisories.signals import advisory_published
from dnscert.core.jobs import enqueue
from dnscert.dnshealth.models import Signal
from dnscert.intel.patterns.choices import AlertStatus, ListStatus
from dnscert.intel.patterns.models import ConcentrationAlert, RegistryList


def _later(job_name: str, **kwargs: Any) -> None:
    transaction.on_commit(partial(enqueue, job_name, **kwargs), robust=True)


def on_signal_saved(sender: Any, instance: Signal, created: bool, **kwargs: Any) -> None:
    """A new DNS health signal: raise its warning after commit."""
    if created and not kwargs.get("raw"):
        _later("warnings.from_signal", signal_id=instance.pk)


def on_alert_saved(sender: Any, instance: ConcentrationAlert, **kwargs: Any) -> None:
    """A concentration alert handed over to its organisation."""
    if instance.status == AlertStatus.HANDED_OVER and not kwargs.get("raw"):
        _later("warnings.from_concentration_alert", alert_id=instance.pk)


def on_list_saved(sender: Any, instance: RegistryList, **kwargs: Any) -> None:
    """A DGA list sent to its registry."""
    if instance.status == ListStatus.SENT and not kwargs.get("raw"):
        _later("warnings.from_registry_list", list_id=instance.pk)


def on_advisory_published(sender: Any, advisory: Any, revision: int = 0, **kwargs: Any) -> None:
    """An advisory was published (this signal is already sent after commit)."""
    _later("warnings.from_advisory", advisory_id=advisory.pk, revision=revision)


def connect() -> None:
    """Connect every listener (from the app's ``ready``)."""
    post_save.connect(on_signal_saved, sender=Signal, dispatch_uid="warnings.signal")
    post_save.connect(on_alert_saved, sender=ConcentrationAlert, dispatch_uid="warnings.alert")
    post_save.connect(on_list_saved, sender=RegistryList, dispatch_uid="warnings.dga_list")
    advisory_published.connect(on_advisory_published, dispatch_uid="warnings.advisory")
