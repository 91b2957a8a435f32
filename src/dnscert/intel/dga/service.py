"""DGA services: domains over a date range, grouped per TLD, and per-registry CSV lists.

Pure Python (no Django). The TLD of a domain is its last label: a registry blocks or
pre-registers what falls in its zone, and ``example.co.uk`` is Nominet's like ``example.uk``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TextIO

from dnscert.intel.dga.base import DgaError, DgaFamily, get

#: Longest range, in days, that one request may cover (one year, leap day included).
MAX_RANGE_DAYS = 366
CSV_COLUMNS = ("date", "domain", "tld", "family")


class DateRangeError(DgaError, ValueError):
    """A date range that is reversed or longer than the allowed number of days."""


@dataclass(frozen=True)
class GeneratedDomain:
    """One domain of a family for one day: a row of the per-registry list."""

    day: date
    domain: str
    family: str

    @property
    def tld(self) -> str:
        """The domain's top-level domain (its last label)."""
        return tld_of(self.domain)


def tld_of(domain: str) -> str:
    """The last label of ``domain``, lowercase, without a trailing dot."""
    return domain.rstrip(".").rsplit(".", 1)[-1].lower()


def days_in_range(start: date, end: date, max_days: int = MAX_RANGE_DAYS) -> list[date]:
    """Every day from ``start`` to ``end`` inclusive; ``DateRangeError`` if reversed or too long."""
    if end < start:
        raise DateRangeError(f"the end date {end} is before the start date {start}")
    count = (end - start).days + 1
    if count > max_days:
        raise DateRangeError(
            f"the range {start} to {end} covers {count} days; at most {max_days} are allowed"
        )
    return [start + timedelta(days=offset) for offset in range(count)]


def _family(family: DgaFamily | str) -> DgaFamily:
    return get(family) if isinstance(family, str) else family


def generate(
    family: DgaFamily | str, start: date, end: date, max_days: int = MAX_RANGE_DAYS
) -> Iterator[tuple[date, str]]:
    """``(day, domain)`` pairs from ``start`` to ``end``, day by day, in generation order.

    The range is checked before anything is generated; days are computed lazily.
    """
    dga = _family(family)
    for day in days_in_range(start, end, max_days):
        for domain in dga.domains_for(day):
            yield day, domain


def generate_rows(
    family: DgaFamily | str, start: date, end: date, max_days: int = MAX_RANGE_DAYS
) -> Iterator[GeneratedDomain]:
    """Like :func:`generate`, as rows that carry the family name."""
    dga = _family(family)
    for day, domain in generate(dga, start, end, max_days):
        yield GeneratedDomain(day, domain, dga.name)


def group_by_tld(pairs: Iterable[tuple[date, str]]) -> dict[str, list[str]]:
    """Domains per TLD, TLDs sorted, each list in first-generation order without repeats."""
    groups: dict[str, dict[str, None]] = {}
    for _day, domain in pairs:
        groups.setdefault(tld_of(domain), {})[domain] = None
    return {tld: list(groups[tld]) for tld in sorted(groups)}


def write_registry_csv(
    out: TextIO, rows: Iterable[GeneratedDomain], tlds: Iterable[str] | None = None
) -> int:
    """Write the rows (columns date, domain, tld, family) to ``out``; return how many.

    With ``tlds``, only the domains under those TLDs are written: one registry's list.
    """
    wanted = {tld.strip(".").lower() for tld in tlds} if tlds is not None else None
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    written = 0
    for row in rows:
        if wanted is None or row.tld in wanted:
            writer.writerow((row.day.isoformat(), row.domain, row.tld, row.family))
            written += 1
    return written
