"""Result and configuration types of the DNS health engine (stable interface, pure Python).

The vocabulary is Zonemaster's: a test case (``BASIC02``) emits messages, each with a tag
(``B02_NS_BROKEN``), a severity level and named arguments. ``ZoneReport.to_dict()`` is the
stable JSON shape used by the CLI (``--json``) and by the Django wrapping.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

#: Version of the JSON shape written by ``ZoneReport.to_dict()``; bumped on any breaking change.
REPORT_FORMAT_VERSION = 1


class Level(enum.IntEnum):
    """Severity of a message, ordered: ``Level.ERROR > Level.WARNING``."""

    DEBUG = 0
    INFO = 1
    NOTICE = 2
    WARNING = 3
    ERROR = 4
    CRITICAL = 5

    @classmethod
    def parse(cls, text: str | Level) -> Level:
        """Return the level named ``text`` (case-insensitive); raise ``ValueError`` naming it."""
        if isinstance(text, Level):
            return text
        try:
            return cls[str(text).strip().upper()]
        except KeyError:
            names = ", ".join(level.name for level in cls)
            raise ValueError(f"unknown level {text!r}; expected one of {names}") from None


@dataclass(frozen=True)
class Message:
    """One finding of a test case: tag, level and arguments (JSON-serialisable values)."""

    test_case: str
    tag: str
    level: Level
    args: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __reduce__(self) -> tuple[Any, ...]:
        # Reports cross process boundaries by the thousand: the level goes as its number
        # (an enum is rebuilt through a slow call otherwise) and no state dict is made.
        return _message, (self.test_case, self.tag, int(self.level), self.args)

    def to_dict(self) -> dict[str, Any]:
        """Return the stable JSON form: ``{"test_case", "tag", "level", "args"}``."""
        return {
            "test_case": self.test_case,
            "tag": self.tag,
            "level": self.level.name,
            "args": {key: _jsonable(value) for key, value in sorted(self.args.items())},
        }


_LEVELS = tuple(Level)


def _message(test_case: str, tag: str, level: int, args: Mapping[str, Any]) -> Message:
    """A :class:`Message` rebuilt from its pickled form (see ``Message.__reduce__``)."""
    message = object.__new__(Message)
    object.__setattr__(
        message,
        "__dict__",
        {"test_case": test_case, "tag": tag, "level": _LEVELS[level], "args": args},
    )
    return message


def _jsonable(value: Any) -> Any:
    """Turn argument values (names, sets, tuples) into JSON-friendly values, deterministically."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in sorted(value.items())}
    if isinstance(value, set | frozenset):
        return sorted(str(item) for item in value)
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return str(value)


def worst(levels: Iterable[Level]) -> Level | None:
    """Return the highest level in ``levels``, or None when there is none."""
    return max(levels, default=None)


@dataclass
class TestCaseResult:
    """The messages one test case emitted for one zone."""

    __test__ = False  # not a pytest test class, despite the name

    test_case: str
    module: str
    messages: list[Message] = field(default_factory=list)
    duration_ms: int = 0

    @property
    def worst_level(self) -> Level | None:
        """The highest level among the messages, or None when there are none."""
        return worst(message.level for message in self.messages)

    def __reduce__(self) -> tuple[Any, ...]:
        fields = (self.test_case, self.module, self.messages, self.duration_ms)
        return TestCaseResult, fields

    def to_dict(self) -> dict[str, Any]:
        """Return the stable JSON form of this result."""
        level = self.worst_level
        return {
            "test_case": self.test_case,
            "module": self.module,
            "duration_ms": self.duration_ms,
            "worst_level": level.name if level is not None else None,
            "messages": [message.to_dict() for message in self.messages],
        }


@dataclass
class ZoneReport:
    """Everything one run learnt about one zone."""

    zone: str
    started: datetime
    duration_ms: int = 0
    results: list[TestCaseResult] = field(default_factory=list)
    query_count: int = 0
    profile: str = "default"

    @property
    def messages(self) -> list[Message]:
        """All messages of all test cases, in run order."""
        return [message for result in self.results for message in result.messages]

    @property
    def worst_level(self) -> Level | None:
        """The highest level of any message, or None when nothing was emitted."""
        return worst(message.level for message in self.messages)

    def tags(self) -> set[str]:
        """The set of message tags emitted for this zone."""
        return {message.tag for message in self.messages}

    def messages_at_or_above(self, level: Level) -> list[Message]:
        """Messages whose level is ``level`` or higher."""
        return [message for message in self.messages if message.level >= level]

    def to_dict(self) -> dict[str, Any]:
        """Return the stable JSON form (keys never renamed; see ``REPORT_FORMAT_VERSION``)."""
        level = self.worst_level
        return {
            "format": REPORT_FORMAT_VERSION,
            "zone": self.zone,
            "profile": self.profile,
            "started": self.started.astimezone(UTC).isoformat(),
            "duration_ms": self.duration_ms,
            "query_count": self.query_count,
            "worst_level": level.name if level is not None else None,
            "results": [result.to_dict() for result in self.results],
        }


@dataclass
class RunTotals:
    """What checking many zones cost, summed over every checker (process) as it finishes.

    ``queries_sent`` counts datagrams and TCP queries actually sent (a cached answer is a
    ``cache_hit``); ``cpu_seconds`` is the checkers' process CPU time (user + system): the
    worker processes' when the zones were shared out, else this process's during the run.
    """

    checkers: int = 0
    queries_sent: int = 0
    cache_hits: int = 0
    timeouts: int = 0
    cpu_seconds: float = 0.0
    peak_rss_mb: float = 0.0  # the largest of the checkers' peak resident sets

    def add(self, other: RunTotals) -> None:
        """Count ``other`` (one finished checker) in these totals."""
        self.checkers += other.checkers
        self.queries_sent += other.queries_sent
        self.cache_hits += other.cache_hits
        self.timeouts += other.timeouts
        self.cpu_seconds += other.cpu_seconds
        self.peak_rss_mb = max(self.peak_rss_mb, other.peak_rss_mb)


#: The IANA root servers (named.root), used when no hints are given.
IANA_ROOT_HINTS: list[tuple[str, list[str]]] = [
    ("a.root-servers.net.", ["198.41.0.4", "2001:503:ba3e::2:30"]),
    ("b.root-servers.net.", ["170.247.170.2", "2801:1b8:10::b"]),
    ("c.root-servers.net.", ["192.33.4.12", "2001:500:2::c"]),
    ("d.root-servers.net.", ["199.7.91.13", "2001:500:2d::d"]),
    ("e.root-servers.net.", ["192.203.230.10", "2001:500:a8::e"]),
    ("f.root-servers.net.", ["192.5.5.241", "2001:500:2f::f"]),
    ("g.root-servers.net.", ["192.112.36.4", "2001:500:12::d0d"]),
    ("h.root-servers.net.", ["198.97.190.53", "2001:500:1::53"]),
    ("i.root-servers.net.", ["192.36.148.17", "2001:7fe::53"]),
    ("j.root-servers.net.", ["192.58.128.30", "2001:503:c27::2:30"]),
    ("k.root-servers.net.", ["193.0.14.129", "2001:7fd::1"]),
    ("l.root-servers.net.", ["199.7.83.42", "2001:500:9f::42"]),
    ("m.root-servers.net.", ["202.12.27.33", "2001:dc3::35"]),
]


@dataclass
class EngineConfig:
    """How a run queries and what it assumes; one config serves a whole batch of zones.

    ``undelegated_ns`` is Zonemaster's "undelegated test": a delegation given by the user
    (name -> addresses; an empty list means "look the addresses up") that replaces what the
    parent says. ``undelegated_ds`` are DS rdata texts (``"12345 13 2 ABCD..."``) replacing
    the parent's DS. ``now`` pins the clock used by DNSSEC validation and expiry checks.
    """

    root_hints: list[tuple[str, list[str]]] = field(default_factory=lambda: list(IANA_ROOT_HINTS))
    undelegated_ns: dict[str, list[str]] = field(default_factory=dict)
    undelegated_ds: list[str] = field(default_factory=list)
    now: datetime | None = None
    timeout: float = 2.0
    retries: int = 2
    ipv4: bool = True
    ipv6: bool = True
    profile: str = "default"
    #: Queries per second allowed towards one server address (0 = unlimited).
    rate_limit: float = 0.0
    #: Burst size of the per-server token bucket.
    rate_burst: int = 20
    source_ipv4: str | None = None
    source_ipv6: str | None = None
    port: int = 53
    #: Upper bound on one zone's whole run, in seconds.
    zone_timeout: float = 120.0
    #: EDNS UDP payload size advertised when EDNS is used and no size is given.
    edns_bufsize: int = 1232
    #: Most answers kept in a run's cache (oldest dropped first: a long batch stays bounded).
    cache_size: int = 50_000
    #: Per-test-case tunables: test-case id -> option name -> value (checks document theirs).
    check_options: dict[str, dict[str, Any]] = field(default_factory=dict)

    def clock(self) -> datetime:
        """The time checks must use: the pinned ``now`` or the current UTC time."""
        return self.now if self.now is not None else datetime.now(UTC)

    @property
    def is_undelegated(self) -> bool:
        """True when the user supplied the delegation (Zonemaster's undelegated test)."""
        return bool(self.undelegated_ns)
