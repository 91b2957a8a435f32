"""Choices of event categories (RSIT types), for filters and forms."""

from __future__ import annotations

from dnscert.intel.experts.taxonomy import RSIT

CATEGORY_CHOICES: list[tuple[str, str]] = sorted(
    (type_, type_) for types in RSIT.values() for type_ in types
)
"""Every RSIT type (and IntelMQ's extras) as ``(value, label)``; the words are the labels."""
