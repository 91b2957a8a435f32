"""Signals other apps listen to; both are sent after the transaction commits.

``incident_created``: ``sender=Incident``, ``incident``.
``incident_status_changed``: ``sender=Incident``, ``incident``, ``old``, ``new``, ``by``.
"""

from __future__ import annotations

from django.dispatch import Signal

incident_created = Signal()
incident_status_changed = Signal()
