"""Listeners: a bounce the delivery app records on a drill message marks its probe bounced."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from dnscert.delivery.choices import MessageStatus
from dnscert.delivery.models import OutboundMessage


def on_message_saved(sender: Any, instance: OutboundMessage, **kwargs: Any) -> None:
    """An outbound message changed: when it is a bounced drill message, mark the probe."""
    if kwargs.get("raw") or instance.status != MessageStatus.BOUNCED:
        return
    from dnscert.directory.drills import services

    probe = services.probe_of_message(instance)
    if probe is not None:
        services.mark_bounced(probe, at=instance.bounced_at)


def connect() -> None:
    """Connect the listeners (from the app's ``ready``)."""
    post_save.connect(on_message_saved, sender=OutboundMessage, dispatch_uid="drills.bounce")
