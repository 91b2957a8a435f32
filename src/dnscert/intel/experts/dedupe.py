"""Dedupe expert: suppress repeats of the same event within a time window, in bounded memory.

The key is the tuple of the chosen fields (by default feed, classification type and the
indicator fields). An event is a duplicate when an event with the same key was *first* seen
less than ``window`` seconds earlier, by event time (``time.source``, else
``time.observation``); the window does not slide on repeats, so a thing still listed after
the window is reported again, once per window. Keys older than the window are forgotten as
time moves on, and at most ``max_keys`` are kept (the oldest go first), so memory stays flat
whatever the input size.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from dnscert.core.exceptions import InvalidInput
from dnscert.intel.schema import Event, parse_time

DEFAULT_KEY_FIELDS = (
    "feed.name",
    "classification.type",
    "source.url",
    "source.fqdn",
    "source.ip",
    "source.network",
    "source.port",
    "destination.ip",
    "destination.fqdn",
    "malware.hash.sha1",
    "malware.hash.sha256",
)


class DedupeExpert:
    """Returns ``None`` for duplicates; counts them in :attr:`duplicates`."""

    name = "dedupe"

    def __init__(
        self,
        window: float = 86400.0,
        fields: Sequence[str] = DEFAULT_KEY_FIELDS,
        max_keys: int = 1_000_000,
    ) -> None:
        if window <= 0 or max_keys <= 0:
            raise InvalidInput("dedupe", "window and max_keys must be positive")
        self.window = window
        self.fields = tuple(fields)
        self.max_keys = max_keys
        self._first_seen: OrderedDict[tuple[object, ...], float] = OrderedDict()
        self._latest = float("-inf")
        self.duplicates = 0

    def __len__(self) -> int:
        """How many keys are remembered now."""
        return len(self._first_seen)

    def __call__(self, event: Event) -> Event | None:
        """The event, or ``None`` if its key was first seen within the window."""
        key = tuple(map(event.get, self.fields))
        moment = self._moment(event)
        first = self._first_seen.get(key)
        if first is not None and abs(moment - first) < self.window:
            self.duplicates += 1
            return None
        self._remember(key, moment)
        return event

    def _moment(self, event: Event) -> float:
        stamp = event.get("time.source") or event.get("time.observation")
        return parse_time(stamp).timestamp() if stamp else self._latest

    def _remember(self, key: tuple[object, ...], moment: float) -> None:
        self._first_seen.pop(key, None)
        self._first_seen[key] = moment
        self._latest = max(self._latest, moment)
        self._forget_old()

    def _forget_old(self) -> None:
        horizon = self._latest - self.window
        entries = self._first_seen
        while entries and (len(entries) > self.max_keys or next(iter(entries.values())) < horizon):
            entries.popitem(last=False)
