"""The project's exception base classes, with structured fields for clear error messages."""

from __future__ import annotations


class DnscertError(Exception):
    """Base of every error the platform raises on purpose."""


class InvalidInput(DnscertError, ValueError):
    """Input that cannot be used; ``field`` names what is wrong and ``problem`` says why."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem
