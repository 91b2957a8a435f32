"""Signals other apps listen to; sent after the transaction commits.

``advisory_published``: ``sender=Advisory``, ``advisory``, ``revision`` (the new revision
number). Sent on the first publication and on each publication of a changed advisory (a new
revision); re-publishing unchanged content sends nothing.
``advisory_withdrawn``: ``sender=Advisory``, ``advisory``, ``by``.
"""

from __future__ import annotations

from django.dispatch import Signal

advisory_published = Signal()
advisory_withdrawn = Signal()
