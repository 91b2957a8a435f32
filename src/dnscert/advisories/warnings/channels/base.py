"""The contract every delivery channel fulfils, and the registry of channels."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from dnscert.advisories.warnings.models import Subscription, Warning, WarningDelivery
from dnscert.core.exceptions import InvalidInput


class Channel(ABC):
    """A way to deliver warnings. ``subscription`` None means the organisation's default."""

    kind: ClassVar[str]
    #: Whether an organisation without subscriptions gets warnings on this channel.
    default: ClassVar[bool] = False

    def validate(self, subscription: Subscription) -> None:  # noqa: B027 - optional hook
        """Raise :class:`InvalidInput` naming the field when ``subscription`` cannot use this."""

    @abstractmethod
    def deliver(
        self, warning: Warning, subscription: Subscription | None, *, purpose: str
    ) -> list[WarningDelivery]:
        """Hand ``warning`` to this channel (inside the caller's transaction)."""


REGISTRY: dict[str, Channel] = {}


def register(channel: type[Channel]) -> type[Channel]:
    """Class decorator: add one instance of ``channel`` to the registry under its kind."""
    REGISTRY[channel.kind] = channel()
    return channel


def get(kind: str) -> Channel:
    """The channel called ``kind``, or a clear error naming the known ones."""
    try:
        return REGISTRY[kind]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise InvalidInput("channels", f"unknown channel {kind!r} (known: {known})") from None
