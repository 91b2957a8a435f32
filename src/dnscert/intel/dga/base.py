"""The DGA family contract and its registry.

A family is a subclass of :class:`DgaFamily` in its own module under ``dga/families/``,
decorated with :func:`register`. The registry imports every module of that package the first
time it is asked for a family, so adding a family is copying a sibling module and changing it.
"""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from datetime import date
from typing import ClassVar, TypeVar


class DgaError(Exception):
    """Base class of the errors of the DGA registry and services."""


class UnknownFamilyError(DgaError, LookupError):
    """No registered family has the requested name; ``known`` lists the names there are."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        super().__init__(f"unknown DGA family {name!r}; known families: {', '.join(known)}")


class DgaFamily(ABC):
    """One domain generation algorithm.

    Class attributes: ``name`` (the registry key, lowercase, e.g. ``conficker-b``),
    ``description`` (one line for humans), ``tlds`` (every suffix the family appends, in the
    family's own table order), ``domains_per_day`` (how many names one day yields).
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    tlds: ClassVar[tuple[str, ...]] = ()
    domains_per_day: ClassVar[int] = 0

    @abstractmethod
    def domains_for(self, day: date) -> list[str]:
        """The domains of ``day`` (a UTC calendar date), lowercase, in generation order."""


_F = TypeVar("_F", bound=type[DgaFamily])
_REGISTRY: dict[str, DgaFamily] = {}
_discovered = False
_FAMILIES_PACKAGE = "dnscert.intel.dga.families"


def register(cls: _F) -> _F:
    """Class decorator adding one instance of ``cls`` to the registry under ``cls.name``."""
    if not cls.name or cls.name != cls.name.lower():
        raise ValueError(f"{cls.__name__} needs a non-empty lowercase name")
    if not cls.tlds or cls.domains_per_day <= 0:
        raise ValueError(f"{cls.__name__} needs tlds and a positive domains_per_day")
    existing = _REGISTRY.get(cls.name)
    if existing is not None and _qualified_name(type(existing)) != _qualified_name(cls):
        raise ValueError(f"DGA family {cls.name!r} is already registered")
    _REGISTRY[cls.name] = cls()
    return cls


def _qualified_name(cls: type) -> str:
    """``module.Class``: the same class imported again (a reload) keeps its registration."""
    return f"{cls.__module__}.{cls.__qualname__}"


def _discover() -> None:
    """Import every module of ``dga/families/`` once so that each registers its family."""
    global _discovered
    if _discovered:
        return
    # Imported by name: ``dnscert.intel.dga.families`` is also the name of a function here.
    package = importlib.import_module(_FAMILIES_PACKAGE)
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    _discovered = True


def families() -> list[DgaFamily]:
    """Every registered family, sorted by name."""
    _discover()
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def get(name: str) -> DgaFamily:
    """The family registered as ``name`` (case-insensitive); ``UnknownFamilyError`` otherwise."""
    _discover()
    try:
        return _REGISTRY[name.strip().lower()]
    except KeyError:
        raise UnknownFamilyError(name, sorted(_REGISTRY)) from None
