"""Delivery channels as plug-ins: one module per channel, each registered in the registry.

To add a channel, copy a sibling module (``webhook.py`` is the smallest), give it a new
``kind`` (add it to :class:`~dnscert.advisories.warnings.choices.ChannelKind`) and list the
module in :data:`MODULES`.
"""

from __future__ import annotations

import importlib

from dnscert.advisories.warnings.channels.base import REGISTRY, Channel, get, register

#: The channel modules, imported once so that each registers itself.
MODULES = ("atom", "email", "webhook")

for _module in MODULES:
    importlib.import_module(f"{__name__}.{_module}")

__all__ = ["MODULES", "REGISTRY", "Channel", "get", "register"]
