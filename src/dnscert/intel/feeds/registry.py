"""The parser registry: each parser module registers one function under its feed format name.

A parser is a function ``parse(lines, *, feed_name, options=None)`` that yields an event
(a ``dict`` following :mod:`dnscert.intel.schema`) or a
:class:`~dnscert.intel.schema.FailedRecord` for every record of the input. Adding a format
means copying a sibling module in :mod:`dnscert.intel.feeds.parsers` and decorating its
function with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

from dnscert.core.exceptions import InvalidInput
from dnscert.intel.feeds.records import Item, Lines


class Parser(Protocol):
    """The contract of every feed parser."""

    __name__: str

    def __call__(
        self, lines: Lines, *, feed_name: str, options: Mapping[str, Any] | None = None
    ) -> Iterator[Item]: ...


_PARSERS: dict[str, Parser] = {}


def register(name: str) -> Callable[[Parser], Parser]:
    """Decorator: make a parser available as ``get(name)``."""

    def decorate(parser: Parser) -> Parser:
        if name in _PARSERS and _PARSERS[name] is not parser:
            raise InvalidInput("name", f"a parser named {name!r} is already registered")
        _PARSERS[name] = parser
        return parser

    return decorate


def get(name: str) -> Parser:
    """The parser registered as ``name``; :class:`InvalidInput` lists the known names."""
    _load_builtin_parsers()
    try:
        return _PARSERS[name]
    except KeyError:
        known = ", ".join(sorted(_PARSERS))
        raise InvalidInput("parser", f"no feed parser named {name!r}; known: {known}") from None


def parsers() -> dict[str, Parser]:
    """Every registered parser by name."""
    _load_builtin_parsers()
    return dict(sorted(_PARSERS.items()))


def _load_builtin_parsers() -> None:
    # Importing the package runs each module's @register; done lazily to avoid an import cycle.
    import dnscert.intel.feeds.parsers  # noqa: F401
