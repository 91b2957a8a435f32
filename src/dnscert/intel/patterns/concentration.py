"""Registrar and TLD concentration of abuse (the Avalanche pattern).

Over a window (by default the last 7 days) and the baseline just before it (by default the
28 days before), per registrar and per TLD: abuse events, distinct abusive domains, newly
registered abusive domains (created at most ``DNSCERT_CONCENTRATION_NEW_DAYS`` before the
event), the rate per 10,000 domains under management when the size is known, the share of
the window's new abusive registrations, the baseline share and the jump between the two.

A registrar is keyed by its IANA id when known, else by its name in lowercase (the same key
as the daily aggregates); events without any registrar (or TLD) are counted as unattributed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import Cast, Lower
from django.utils import timezone

from dnscert.core.exceptions import InvalidInput
from dnscert.intel.models import Event, RegistrarSize, TldSize
from dnscert.intel.patterns import conf
from dnscert.intel.patterns.choices import ConcentrationDimension

MAX_WINDOW_DAYS = 90
MAX_BASELINE_DAYS = 365
RATE_PER = 10_000


@dataclass(frozen=True)
class Window:
    """Days ``start`` (inclusive) to ``end`` (exclusive), the baseline from ``baseline_start``."""

    start: date
    end: date
    baseline_start: date
    category: str = ""
    new_days: int = 30

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def baseline_days(self) -> int:
        return (self.start - self.baseline_start).days

    @property
    def last_day(self) -> date:
        """The last day inside the window (``end`` is exclusive)."""
        return self.end - timedelta(days=1)


def today() -> date:
    """Today's date in UTC."""
    return timezone.now().astimezone(UTC).date()


def _whole(name: str, value: Any, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(name, f"{value!r} is not a whole number of days") from None
    if not low <= number <= high:
        raise InvalidInput(name, f"must be between {low} and {high} days, not {number}")
    return number


def make_window(
    *,
    last_day: date | None = None,
    days: Any = None,
    baseline_days: Any = None,
    category: str = "",
) -> Window:
    """A checked window ending with ``last_day`` (today by default); ``InvalidInput`` names
    the field that is wrong."""
    end_day = last_day or today()
    if end_day > today():
        raise InvalidInput("last_day", f"{end_day} is in the future")
    length = _whole("days", conf.window_days() if days in (None, "") else days, 1, MAX_WINDOW_DAYS)
    base = conf.baseline_days() if baseline_days in (None, "") else baseline_days
    base_length = _whole("baseline_days", base, 1, MAX_BASELINE_DAYS)
    if len(category) > 64:
        raise InvalidInput("category", "at most 64 characters")
    end = end_day + timedelta(days=1)
    start = end - timedelta(days=length)
    return Window(
        start=start,
        end=end,
        baseline_start=start - timedelta(days=base_length),
        category=category.strip(),
        new_days=conf.new_days(),
    )


@dataclass
class Row:
    """The figures of one registrar or TLD."""

    key: str
    label: str
    events: int
    domains: int
    new_domains: int
    share: float = 0.0
    baseline_new: int = 0
    baseline_share: float = 0.0
    size: int | None = None

    @property
    def jump(self) -> float:
        """Share minus baseline share, in percentage points."""
        return round(self.share - self.baseline_share, 1)

    @property
    def rate(self) -> float | None:
        """Distinct abusive domains per 10,000 domains under management (None: size unknown)."""
        if not self.size:
            return None
        return round(RATE_PER * self.domains / self.size, 2)

    @classmethod
    def columns(cls) -> list[str]:
        """The keys of :meth:`as_dict`, in order (the CSV header)."""
        return list(cls("", "", 0, 0, 0).as_dict())

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.label,
            "events": self.events,
            "domains": self.domains,
            "new_domains": self.new_domains,
            "size": self.size,
            "rate_per_10000": self.rate,
            "share": self.share,
            "baseline_new_domains": self.baseline_new,
            "baseline_share": self.baseline_share,
            "jump": self.jump,
        }


@dataclass
class Figures:
    """The concentration table of one dimension over one window."""

    window: Window
    dimension: str
    rows: list[Row] = field(default_factory=list)
    total_events: int = 0
    total_new: int = 0
    baseline_total_new: int = 0
    unattributed_new: int = 0

    def chart(self, limit: int = 15) -> dict[str, Any]:
        """Chart data (``labels``, ``values``, ``label``): shares of the top rows."""
        top = self.rows[:limit]
        return {
            "labels": [row.label for row in top],
            "values": [row.share for row in top],
            "label": "%",
        }


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def events_between(start: date, end: date, category: str = "") -> QuerySet[Event]:
    """Events whose time falls on the days ``start`` to ``end`` (exclusive)."""
    rows = Event.objects.filter(time_source__gte=_midnight(start), time_source__lt=_midnight(end))
    return rows.filter(classification_type=category) if category else rows


def new_condition(new_days: int) -> Q:
    """Events whose domain was created at most ``new_days`` days before the event."""
    earliest = ExpressionWrapper(
        F("time_source") - timedelta(days=new_days), output_field=DateTimeField()
    )
    return Q(
        domain_created_at__isnull=False,
        domain_created_at__lte=F("time_source"),
        domain_created_at__gte=earliest,
    ) & ~Q(source_domain="")


def key_expression(dimension: str) -> Any:
    """The grouping key: IANA id or lowercase name for registrars, the TLD for TLDs."""
    if dimension == ConcentrationDimension.TLD:
        return F("source_tld")
    return Case(
        When(registrar_iana_id__isnull=False, then=Cast("registrar_iana_id", CharField())),
        default=Lower("registrar_name"),
        output_field=CharField(),
    )


def attributed(rows: QuerySet[Event], dimension: str) -> QuerySet[Event]:
    """The events that carry a key for ``dimension``."""
    if dimension == ConcentrationDimension.TLD:
        return rows.exclude(source_tld="")
    return rows.exclude(registrar_iana_id__isnull=True, registrar_name="")


def unattributed(rows: QuerySet[Event], dimension: str) -> QuerySet[Event]:
    """The events without a key for ``dimension``."""
    if dimension == ConcentrationDimension.TLD:
        return rows.filter(source_tld="")
    return rows.filter(registrar_iana_id__isnull=True, registrar_name="")


def for_key(rows: QuerySet[Event], dimension: str, key: str) -> QuerySet[Event]:
    """The events of one registrar or TLD key."""
    if dimension == ConcentrationDimension.TLD:
        return rows.filter(source_tld=key)
    if key.isdigit():
        return rows.filter(registrar_iana_id=int(key))
    return rows.filter(registrar_iana_id__isnull=True, registrar_name__iexact=key)


def _grouped(rows: QuerySet[Event], dimension: str, new_q: Q) -> list[dict[str, Any]]:
    label = "source_tld" if dimension == ConcentrationDimension.TLD else "registrar_name"
    domain = ~Q(source_domain="")
    return list(
        attributed(rows, dimension)
        .values(k=key_expression(dimension))
        .annotate(
            label=Max(label),
            events=Count("id"),
            domains=Count("source_domain", distinct=True, filter=domain),
            new=Count("source_domain", distinct=True, filter=new_q),
        )
        .order_by()
    )


def _total_new(rows: QuerySet[Event], new_q: Q) -> int:
    return int(rows.aggregate(n=Count("source_domain", distinct=True, filter=new_q))["n"] or 0)


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def figures(window: Window, dimension: str) -> Figures:
    """The concentration table of ``dimension`` (registrar or TLD) over ``window``."""
    dimension = ConcentrationDimension(dimension).value
    new_q = new_condition(window.new_days)
    current = events_between(window.start, window.end, window.category)
    baseline = events_between(window.baseline_start, window.start, window.category)
    result = Figures(window=window, dimension=dimension)
    result.total_events = current.count()
    result.total_new = _total_new(current, new_q)
    result.baseline_total_new = _total_new(baseline, new_q)
    result.unattributed_new = _total_new(unattributed(current, dimension), new_q)
    base_new = {group["k"]: group["new"] for group in _grouped(baseline, dimension, new_q)}
    sizes = _sizes(dimension, window.end)
    for group in _grouped(current, dimension, new_q):
        row = Row(
            key=group["k"],
            label=group["label"] or group["k"],
            events=group["events"],
            domains=group["domains"],
            new_domains=group["new"],
            share=_share(group["new"], result.total_new),
            baseline_new=base_new.get(group["k"], 0),
            baseline_share=_share(base_new.get(group["k"], 0), result.baseline_total_new),
            size=sizes.get(group["k"]) or sizes.get(str(group["label"]).lower()),
        )
        result.rows.append(row)
    result.rows.sort(key=lambda row: (-row.new_domains, -row.events, row.label))
    return result


def _sizes(dimension: str, before: date) -> dict[str, int]:
    """Latest known size per key (IANA id and lowercase name for registrars) before ``before``."""
    found: dict[str, int] = {}
    if dimension == ConcentrationDimension.TLD:
        for tld in TldSize.objects.filter(as_of__lt=before).order_by("tld", "-as_of"):
            found.setdefault(tld.tld.lower().strip("."), tld.domains)
        return found
    for size in RegistrarSize.objects.filter(as_of__lt=before).order_by("-as_of"):
        if size.iana_id is not None:
            found.setdefault(str(size.iana_id), size.domains)
        found.setdefault(size.name.lower(), size.domains)
    return found


def categories(window: Window) -> list[str]:
    """The categories seen in the window and its baseline, for the filter."""
    rows = events_between(window.baseline_start, window.end).exclude(classification_type="")
    names = rows.order_by("classification_type").values_list("classification_type", flat=True)
    return list(names.distinct())
