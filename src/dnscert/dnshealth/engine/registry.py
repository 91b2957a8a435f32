"""The test-case plugin registry: one ``TestCase`` subclass per module in ``engine/checks/``.

A check declares its Zonemaster test-case id, its module and every tag it may emit with the
tag's default level; ``self.msg(tag, **args)`` refuses a tag it did not declare, so the
vocabulary of each test case is explicit and testable.
"""

from __future__ import annotations

import abc
import importlib
import pkgutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from dnscert.dnshealth.engine.model import Level, Message

if TYPE_CHECKING:
    from dnscert.dnshealth.engine.context import ZoneContext

#: Zonemaster's order of test modules; a run executes test cases in this order, then by id.
MODULE_ORDER = [
    "Basic",
    "Address",
    "Connectivity",
    "Consistency",
    "DNSSEC",
    "Delegation",
    "Nameserver",
    "Syntax",
    "Zone",
    "DNSCERT",  # the platform's own test cases, beyond Zonemaster's vocabulary
]


class UnknownTag(ValueError):
    """A check tried to emit a tag it did not declare in ``tags``."""


class UnknownTestCase(KeyError):
    """No registered test case has the requested id."""

    def __str__(self) -> str:
        return f"unknown test case {self.args[0]!r}"


@dataclass(frozen=True)
class Question:
    """A question at the zone's apex, asked with these options (``ZoneContext.query``'s)."""

    rdtype: str
    tcp: bool = False
    dnssec: bool = False


class TestCase(abc.ABC):
    """Base class of a check: subclass it in ``engine/checks/<id lowercase>.py``, ``@register``.

    Class attributes: ``id`` ("BASIC02"), ``module`` ("Basic"), ``tags`` (every tag the check
    may emit -> its default level), ``description`` (one line for humans).
    """

    __test__ = False  # not a pytest test class, despite the name

    id: ClassVar[str] = ""
    module: ClassVar[str] = ""
    description: ClassVar[str] = ""
    tags: ClassVar[dict[str, Level]] = {}
    #: Questions the test case asks every name server of the zone (``get_all_ns()`` with an
    #: address of an enabled family) whatever the answers: the runner asks them all at once
    #: before the test cases start, so that they find the answers there instead of each
    #: waiting for its own. A question declared here that the test case does not ask would
    #: be sent for nothing: declare only what ``run`` always asks.
    asks_every_server: ClassVar[tuple[Question, ...]] = ()

    @abc.abstractmethod
    async def run(self, ctx: ZoneContext) -> list[Message]:
        """Run the test case on ``ctx.zone`` and return its messages."""

    def msg(self, tag: str, **args: Any) -> Message:
        """A message with ``tag`` at its declared level; raise ``UnknownTag`` for others."""
        try:
            level = self.tags[tag]
        except KeyError:
            raise UnknownTag(f"{self.id} does not declare tag {tag!r}") from None
        return Message(self.id, tag, level, args)


_T = TypeVar("_T", bound=type[TestCase])
_REGISTRY: dict[str, type[TestCase]] = {}
_loaded = False


def register(cls: _T) -> _T:
    """Class decorator adding a test case to the registry; its id must be new and non-empty."""
    if not cls.id or not cls.module:
        raise ValueError(f"{cls.__name__} needs non-empty id and module class attributes")
    if cls.id in _REGISTRY and _REGISTRY[cls.id] is not cls:
        raise ValueError(f"test case {cls.id} is registered twice")
    for tag, level in cls.tags.items():
        if not isinstance(level, Level):
            raise ValueError(f"{cls.id}: tag {tag} has level {level!r}, not a Level")
    _REGISTRY[cls.id] = cls
    _ordered.clear()  # the run order is computed again with the newcomer
    return cls


def load_checks() -> None:
    """Import every module of ``dnscert.dnshealth.engine.checks`` (each registers itself)."""
    global _loaded
    if _loaded:
        return
    package = importlib.import_module("dnscert.dnshealth.engine.checks")
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
    _loaded = True


def _sort_key(cls: type[TestCase]) -> tuple[int, str]:
    order = MODULE_ORDER.index(cls.module) if cls.module in MODULE_ORDER else len(MODULE_ORDER)
    return order, cls.id


#: ``all_test_cases()`` once sorted (every zone of a batch asks for it); emptied by ``register``.
_ordered: list[type[TestCase]] = []


def all_test_cases() -> list[type[TestCase]]:
    """Every registered test case, in Zonemaster's module order then by id."""
    load_checks()
    if len(_ordered) != len(_REGISTRY):  # also notices a test case taken out of the registry
        _ordered[:] = sorted(_REGISTRY.values(), key=_sort_key)
    return list(_ordered)


def get(test_case_id: str) -> type[TestCase]:
    """The test case with ``test_case_id`` (case-insensitive); raise ``UnknownTestCase``."""
    load_checks()
    try:
        return _REGISTRY[test_case_id.upper()]
    except KeyError:
        raise UnknownTestCase(test_case_id) from None
