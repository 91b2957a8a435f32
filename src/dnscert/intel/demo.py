"""Demo threat data for the fictional constituency (TLDs ``xa``..``xd``, registrars 9001-9005).

Loads three feeds in real formats (URLhaus CSV, OpenPhish list, a plain phishing list), a
registration table that attributes the abused domains to the demo registrars, and the sizes
of those registrars and TLDs. Over the last 30 days abuse is spread evenly; in the last seven
days one registrar (Registrador Ejemplo, IANA id 9002) holds most of a burst of freshly
registered phishing domains, so the concentration view has a campaign to show. Everything
goes through the ordinary services; running it again changes nothing (events are only loaded
when no demo event exists yet, registrations and sizes are upserts).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import transaction

from dnscert.intel import feed_admin, registrations, storage
from dnscert.intel.choices import SourceKind
from dnscert.intel.models import Event, Feed, RegistrarSize, TldSize

REGISTRARS = {
    9001: "Example Names Registrar",
    9002: "Registrador Ejemplo",
    9003: "Domaines Exemple",
    9004: "Nihon Example Registrar",
    9005: "Global Test Registrar",
}
REGISTRAR_DOMAINS = {9001: 180_000, 9002: 25_000, 9003: 120_000, 9004: 60_000, 9005: 240_000}
TLD_DOMAINS = {"xa": 310_000, "xb": 150_000, "xc": 95_000, "xd": 70_000}
TLDS = tuple(TLD_DOMAINS)
CAMPAIGN_REGISTRAR = 9002
WORDS = ("secure", "login", "verify", "account", "wallet", "update", "billing", "support")
REGISTRATION_HEADER = "domain,registrar,iana_id,created"
FEEDS = (
    ("demo-urlhaus", "urlhaus", "abuse.ch URLhaus (demo extract)"),
    ("demo-openphish", "openphish", "OpenPhish community feed (demo extract)"),
    ("demo-phishing-reports", "plain", "Phishing domains reported by constituents (demo)"),
)


@dataclass
class DemoData:
    """Generated feed lines per feed and the registration table."""

    lines: dict[str, dict[datetime, list[str]]] = field(default_factory=dict)
    registrations: list[str] = field(default_factory=list)


def generate(today: date, seed: int = 2026) -> DemoData:
    """The demo feed lines and registrations, relative to ``today``."""
    chance = random.Random(seed)
    data = DemoData({name: {} for name, _parser, _text in FEEDS}, [REGISTRATION_HEADER])
    number = 0
    for days_ago in range(30, 0, -1):
        day = datetime.combine(today - timedelta(days=days_ago), datetime.min.time(), tzinfo=UTC)
        burst = days_ago <= 7
        for _ in range(40 if burst else 12):
            number += 1
            _one_domain(data, chance, day, number, burst)
    return data


def _one_domain(
    data: DemoData, chance: random.Random, day: datetime, number: int, burst: bool
) -> None:
    iana_id = (
        CAMPAIGN_REGISTRAR if burst and chance.random() < 0.75 else chance.choice(list(REGISTRARS))
    )
    tld = chance.choice(TLDS)
    domain = f"{chance.choice(WORDS)}-{chance.choice(WORDS)}-{number}.{tld}"
    young = iana_id == CAMPAIGN_REGISTRAR and burst
    created = day - timedelta(days=chance.randint(1, 4) if young else chance.randint(200, 2000))
    data.registrations.append(f"{domain},{REGISTRARS[iana_id]},{iana_id},{created.date()}")
    moment = day + timedelta(minutes=chance.randint(0, 1439))
    stamp = moment.strftime("%Y-%m-%d %H:%M:%S")
    kind = number % 3
    if kind == 0:
        line = (
            f'"{900000 + number}","{stamp}","http://{domain}/dl/{number}.exe","online","",'
            f'"malware_download","exe","https://urlhaus.abuse.ch/url/{900000 + number}/","demo"'
        )
        data.lines["demo-urlhaus"].setdefault(day, []).append(line)
    elif kind == 1:
        line = f"https://{chance.choice(WORDS)}.{domain}/signin"
        data.lines["demo-openphish"].setdefault(day, []).append(line)
    else:
        data.lines["demo-phishing-reports"].setdefault(day, []).append(domain)


def load(today: date | None = None) -> dict[str, int]:
    """Create the demo feeds, registrations and sizes, and ingest the demo events once."""
    moment = today or datetime.now(UTC).date()
    data = generate(moment)
    with transaction.atomic():
        imported = registrations.import_text("\n".join(data.registrations) + "\n")
        _sizes(moment)
        feeds = {name: _feed(name, parser, text) for name, parser, text in FEEDS}
    if Event.objects.filter(feed__name__in=list(feeds)).exists():
        return {"registrations": imported.imported, "events": 0}
    accepted = 0
    for name, feed in feeds.items():
        for day, texts in data.lines[name].items():
            lines = [text.encode() for text in texts]
            observed = {"observed_at": (day + timedelta(hours=12)).isoformat()}
            run = storage.ingest(feed, lines, source=f"demo {day:%Y-%m-%d}", options=observed)
            accepted += run.accepted
    return {"registrations": imported.imported, "events": accepted}


def _feed(name: str, parser: str, text: str) -> Feed:
    existing = Feed.objects.filter(name=name).first()
    if existing is not None:
        return existing
    options = {"classification_type": "phishing"} if parser == "plain" else {}
    return feed_admin.create_feed(
        by=None,
        name=name,
        parser=parser,
        options=options,
        description=text,
        source_kind=SourceKind.UPLOAD,
    )


def _sizes(today: date) -> None:
    for iana_id, domains in REGISTRAR_DOMAINS.items():
        RegistrarSize.objects.update_or_create(
            name=REGISTRARS[iana_id],
            as_of=today.replace(day=1),
            defaults={"iana_id": iana_id, "domains": domains},
        )
    for tld, domains in TLD_DOMAINS.items():
        TldSize.objects.update_or_create(
            tld=tld, as_of=today.replace(day=1), defaults={"domains": domains}
        )
