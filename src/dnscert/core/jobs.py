"""Jobs: declared once, run in-process or on Celery workers (filled in by the jobs module)."""

from __future__ import annotations


def autodiscover() -> None:
    """Import every app's ``jobs`` module so its jobs register."""
