"""DNS health at scale: 10,000 monitored zones with 30 days of history in PostgreSQL.

Starts a throwaway PostgreSQL (initdb/pg_ctl, as the ``postgres`` user when run as root) on a
free loopback port, migrates, and fills D1's storage with realistic history:

* message and per-name-server rows are real engine output: the demo test bed
  (``dnscert.dnshealth.demo``) is served on loopback for a few seconds and measured once with
  the platform's own ``storage.measure`` (full and quick profiles); each synthetic zone gets
  a copy of one of those results with its own name, latencies and serials;
* the root and 20 TLDs are checked every 5 minutes (reachability) and hourly (full); the
  10,000 zones daily, in batches of ``DNSCERT_DNSHEALTH_BATCH_SIZE`` per run;
* one delegation snapshot per zone, a delegation change on 1% of them, signals and their
  notifications for the zones that broke; days older than ``--detail-days`` are stored as
  daily roll-ups, as the platform's retention would leave them.

Then it measures the server time of the dashboard ``/dns/`` and of a zone's page (Django test
client, signed-in staff, ``--requests`` each) and the storage per zone-day
(``pg_total_relation_size`` of the dnshealth tables / (zones x days)). The last line is:

    RESULT monitor_scale dashboard_p50_ms=.. dashboard_p95_ms=.. bytes_per_zone_day=..

Run: ``.venv/bin/python bench/monitor_scale.py [--zones 10000] [--days 30] [--requests 200]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TLD_COUNT = 20
ORGANISATIONS = 500
ROOT_TLD_REACHABILITY_MINUTES = 5
ROOT_TLD_FULL_MINUTES = 60
DELEGATION_CHANGE_SHARE = 0.01
DNSHEALTH_TABLES = (
    "dnshealth_monitoringtarget",
    "dnshealth_monitoringrun",
    "dnshealth_zoneresult",
    "dnshealth_dailyrollup",
    "dnshealth_rolluprecord",
    "dnshealth_delegationsnapshot",
    "dnshealth_plannedchange",
    "dnshealth_delegationchange",
    "dnshealth_signal",
    "dnshealth_notification",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=10_000, help="monitored zones")
    parser.add_argument("--days", type=int, default=30, help="days of history")
    parser.add_argument(
        "--detail-days",
        type=int,
        default=None,
        help="days kept as detail, older ones as roll-ups (default: the platform's setting)",
    )
    parser.add_argument("--requests", type=int, default=200, help="requests per page measured")
    return parser.parse_args()


# ---- PostgreSQL ---------------------------------------------------------------------------------


def _pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        sys.exit("PostgreSQL server binaries not found under /usr/lib/postgresql")
    return versions[-1].parent


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgresql(folder: Path) -> Iterator[str]:
    """A fresh PostgreSQL cluster in ``folder`` on a free loopback port; yields its URL."""
    binaries, port = _pg_bin(), _free_port()
    data = folder / "pg"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
        folder.chmod(0o755)
    run = subprocess.run
    run(
        _as_postgres(
            [
                str(binaries / "initdb"),
                *("--no-sync", "--auth=trust", "--username=postgres", "--encoding=UTF8"),
                *("--no-locale", "-D", str(data / "data")),
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={data} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB"
    )
    pg_ctl = [str(binaries / "pg_ctl"), "-D", str(data / "data"), "-l", str(data / "log")]
    run(_as_postgres([*pg_ctl, "-w", "-t", "60", "start", "-o", options]), check=True)
    try:
        run(
            _as_postgres(
                [
                    str(binaries / "createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    "postgres",
                    "dnscert",
                ]
            ),
            check=True,
        )
        yield f"postgres://postgres@127.0.0.1:{port}/dnscert"
    finally:
        run(_as_postgres([*pg_ctl, "-m", "fast", "stop"]), check=False, capture_output=True)


# ---- real engine output as templates ------------------------------------------------------------


@dataclass
class Template:
    """One real measurement: its messages, per-server rows, status and zone name."""

    zone: str
    messages: list[list[Any]]
    servers: list[list[Any]]
    status: str
    worst_level: str
    delegation: dict[str, Any] | None


def measured_templates(folder: Path) -> dict[str, dict[str, Template]]:
    """Serve the demo bed briefly and measure it with the platform: profile -> zone -> result."""
    from dnscert.dnshealth import demo, storage
    from dnscert.dnshealth.choices import CheckKind
    from dnscert.dnshealth.testbed.claim import free_net

    server = demo.choose_server()
    net = free_net(range(150, 200))
    spec = demo.demo_spec(net=net, port=demo.UNPRIVILEGED_PORT, ipv6=False, server=server)
    bed = demo.write_demo_bed(folder / "bed", spec, demo.demo_zones(server))
    ignore = frozenset(demo.LAB_ARTEFACT_TAGS)
    found: dict[str, dict[str, Template]] = {}
    with demo.DemoBed(bed, server=server):
        for kind in (CheckKind.FULL, CheckKind.REACHABILITY):
            config = bed.engine_config(profile=storage.PROFILE_FOR_KIND[kind])
            work = [storage.Work(name, True, True) for name in [".", "xa.", *bed.child_zones]]
            found[kind] = {
                m.name: _template(m, storage, ignore) for m in storage.measure(work, config, 20)
            }
    return found


def _template(measurement: Any, storage: Any, ignore: frozenset[str]) -> Template:
    status, worst = storage.status_for(measurement.messages, ignore)
    delegation = measurement.delegation.as_dict() if measurement.delegation else None
    return Template(
        measurement.name,
        storage.message_rows(measurement.messages),
        [timing.as_row() for timing in measurement.servers],
        str(status),
        worst,
        delegation,
    )


# ---- synthetic constituency ---------------------------------------------------------------------


def zone_name(index: int) -> str:
    return f"zone{index:05d}.tld{index % TLD_COUNT:02d}."


def tld_name(index: int) -> str:
    return f"tld{index:02d}."


def create_constituency(zones: int) -> dict[str, Any]:
    """Organisations, directory zones and monitoring targets; returns ids by name."""
    from dnscert.directory.models import Organisation, Zone
    from dnscert.dnshealth.models import DEFAULT_SCHEDULES, MonitoringTarget

    Organisation.objects.bulk_create(
        Organisation(name=f"Bench organisation {i}", short_name=f"bench-{i}", kind="dns_operator")
        for i in range(ORGANISATIONS)
    )
    orgs = list(Organisation.objects.order_by("id").values_list("id", flat=True))
    names = [(".", "root"), *[(tld_name(i), "tld") for i in range(TLD_COUNT)]]
    names += [(zone_name(i), "zone") for i in range(zones)]
    Zone.objects.bulk_create(
        (
            Zone(name=name, kind=kind, organisation_id=orgs[i % len(orgs)])
            for i, (name, kind) in enumerate(names)
        ),
        batch_size=5000,
    )
    zone_ids = dict(Zone.objects.values_list("name", "id"))
    MonitoringTarget.objects.bulk_create(
        (
            MonitoringTarget(
                kind=kind,
                name=name,
                zone_id=zone_ids[name],
                organisation_id=orgs[i % len(orgs)],
                reachability_interval=DEFAULT_SCHEDULES[kind][0],
                full_interval=DEFAULT_SCHEDULES[kind][1],
            )
            for i, (name, kind) in enumerate(names)
        ),
        batch_size=5000,
    )
    return dict(MonitoringTarget.objects.values_list("name", "id"))


# ---- history ------------------------------------------------------------------------------------


class Copier:
    """Writes rows of one model's table through PostgreSQL COPY, in chunks.

    Rows are dicts by column (``attname``); columns left out get the field's default, so the
    bench follows the models as they grow.
    """

    def __init__(self, model: Any, after: Copier | None = None) -> None:
        self.after = after  # rows referenced by ours, written first
        self.model = model
        self.rows: list[dict[str, Any]] = []
        self.count = 0

    def add(self, **row: Any) -> None:
        self.rows.append(row)
        if len(self.rows) >= 5000:
            self.flush()

    def _fields(self) -> list[Any]:
        first = self.rows[0]
        return [
            field
            for field in self.model._meta.concrete_fields
            if not field.primary_key or field.attname in first
        ]

    def _value(self, field: Any, row: dict[str, Any]) -> Any:
        from django.db import models

        value = row[field.attname] if field.attname in row else field.get_default()
        if isinstance(field, models.JSONField) and not isinstance(value, str):
            return json.dumps(value)
        return value

    def flush(self) -> None:
        from django.db import connection

        if self.after is not None:
            self.after.flush()
        if not self.rows:
            return
        fields = self._fields()
        columns = ", ".join(field.column for field in fields)
        statement = f"COPY {self.model._meta.db_table} ({columns}) FROM STDIN"
        connection.ensure_connection()
        with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in self.rows:
                copy.write_row([self._value(field, row) for field in fields])
        self.count += len(self.rows)
        self.rows = []


@dataclass
class History:
    """Everything needed to write the history of one bench."""

    targets: dict[str, int]
    templates: dict[str, dict[str, Template]]
    zones: int
    days: int
    detail_days: int
    now: datetime
    rng: random.Random

    def zone_templates(self) -> list[Template]:
        full = self.templates["full"]
        healthy = [full[name] for name in ("shop.xa.", "media.xb.")]
        faulty = [t for name, t in full.items() if name not in ("shop.xa.", "media.xb.", ".")]
        faulty = [t for t in faulty if t.zone != "xa."]
        # About nine in ten zones healthy, the rest with one of the bed's faults.
        return healthy * 27 + faulty

    def serial(self, day: datetime) -> int:
        return int(day.strftime("%Y%m%d")) * 100 + 1


_RENAMED: dict[tuple[str, str], str] = {}


def _renamed(template: Template, name: str) -> str:
    """The template's messages as JSON text, about zone ``name`` (cached per zone)."""
    key = (template.zone, name)
    if key not in _RENAMED:
        text = json.dumps(template.messages)
        _RENAMED[key] = text.replace(template.zone.rstrip("."), name.rstrip("."))
    return _RENAMED[key]


def _servers(template: Template, rng: random.Random, serial: int) -> str:
    rows = []
    for ns, address, reachable, udp, tcp, _ in template.servers:
        if not reachable:
            rows.append([ns, address, False, None, None, None])
            continue
        udp_ms = round(rng.uniform(2, 80), 2) if udp is not None else None
        tcp_ms = round(rng.uniform(5, 160), 2) if tcp is not None else None
        rows.append([ns, address, True, udp_ms, tcp_ms, serial])
    return json.dumps(rows)


def _run(copier: Copier, started: datetime, kind: str, target_ids: list[int], run_id: int) -> None:
    copier.add(
        id=run_id,
        started=started,
        finished=started + timedelta(seconds=30),
        profile="default" if kind == "full" else "quick",
        check_kind=kind,
        target_count=len(target_ids),
        result_count=len(target_ids),
        status="succeeded",
        target_ids=target_ids,
    )


def write_history(history: History) -> dict[str, int]:
    """Runs, results (or roll-ups for old days), snapshots, changes and signals."""
    from django.conf import settings

    from dnscert.dnshealth.models import DailyRollup, MonitoringRun, ZoneResult

    runs = Copier(MonitoringRun)
    results = Copier(ZoneResult, after=runs)
    rollups = Copier(DailyRollup)
    batch = settings.DNSCERT_DNSHEALTH_BATCH_SIZE
    run_id = 0
    start = (history.now - timedelta(days=history.days)).replace(hour=0, minute=0, second=0)
    templates = history.zone_templates()
    chosen = {i: templates[i % len(templates)] for i in range(history.zones)}
    for day_number in range(history.days):
        day = start + timedelta(days=day_number)
        detail = day_number >= history.days - history.detail_days
        serial = history.serial(day)
        run_id = _root_and_tlds(history, runs, results, rollups, day, detail, serial, run_id)
        for first in range(0, history.zones, batch):
            run_id += 1
            started = day + timedelta(minutes=first * 1440 // history.zones)
            members = range(first, min(first + batch, history.zones))
            _run(runs, started, "full", [history.targets[zone_name(i)] for i in members], run_id)
            for index in members:
                name = zone_name(index)
                template = chosen[index]
                target = history.targets[name]
                if detail:
                    _result(results, history, run_id, target, started, template, name, serial)
                else:
                    _rollup(rollups, history, target, day, [template], serial)
        print(f"  day {day_number + 1}/{history.days} written", flush=True)
    for copier in (runs, results, rollups):
        copier.flush()
    return {"runs": runs.count, "results": results.count, "rollups": rollups.count}


def _root_and_tlds(
    history: History,
    runs: Copier,
    results: Copier,
    rollups: Copier,
    day: datetime,
    detail: bool,
    serial: int,
    run_id: int,
) -> int:
    names = [".", *[tld_name(i) for i in range(TLD_COUNT)]]
    quick, full = history.templates["reachability"], history.templates["full"]
    if not detail:
        for name in names:
            picked = [quick["." if name == "." else "xa."], full["." if name == "." else "xa."]]
            _rollup(rollups, history, history.targets[name], day, picked, serial)
        return run_id
    for minute in range(0, 1440, ROOT_TLD_REACHABILITY_MINUTES):
        kind = "full" if minute % ROOT_TLD_FULL_MINUTES == 0 else "reachability"
        source = full if kind == "full" else quick
        run_id += 1
        started = day + timedelta(minutes=minute)
        _run(runs, started, kind, [history.targets[name] for name in names], run_id)
        for name in names:
            template = source["." if name == "." else "xa."]
            target = history.targets[name]
            _result(results, history, run_id, target, started, template, name, serial, kind)
    return run_id


def _result(
    copier: Copier,
    history: History,
    run_id: int,
    target: int,
    checked_at: datetime,
    template: Template,
    name: str,
    serial: int,
    kind: str = "full",
) -> None:
    rng = history.rng
    copier.add(
        run_id=run_id,
        target_id=target,
        checked_at=checked_at + timedelta(seconds=rng.randint(0, 25)),
        check_kind=kind,
        status=template.status,
        worst_level=template.worst_level,
        duration_ms=rng.randint(300, 4000),
        query_count=rng.randint(40, 400),
        message_count=len(template.messages),
        messages=_renamed(template, name),
        nameservers=_servers(template, rng, serial),
        soa_serials=[serial],
    )


def _rollup(
    copier: Copier,
    history: History,
    target: int,
    day: datetime,
    templates: list[Template],
    serial: int,
) -> None:
    rng = history.rng
    counts = {"green": 0, "amber": 0, "red": 0}
    tags: dict[str, int] = {}
    servers: dict[str, dict[str, Any]] = {}
    for template in templates:
        counts[template.status] = counts.get(template.status, 0) + 1
        for row in template.messages:
            tags[row[1]] = tags.get(row[1], 0) + 1
        for ns, address, reachable, *_ in template.servers:
            udp = sorted(round(rng.uniform(2, 80), 2) for _ in range(3))
            tcp = sorted(round(rng.uniform(5, 160), 2) for _ in range(3))
            servers[f"{ns}/{address}"] = {
                "probes": len(templates),
                "reachable": len(templates) if reachable else 0,
                "udp_p50": udp[1],
                "udp_p95": udp[2],
                "tcp_p50": tcp[1],
                "tcp_p95": tcp[2],
                "serials": [serial],
            }
    worst = "red" if counts["red"] else "amber" if counts["amber"] else "green"
    copier.add(
        target_id=target,
        day=day.date(),
        runs=len(templates),
        worst_status=worst,
        status_counts=counts,
        availability_pct=100.0,
        message_count=sum(len(t.messages) for t in templates),
        nameservers=servers,
        tags=tags,
    )


def write_watch_and_signals(history: History) -> dict[str, int]:
    """One delegation snapshot per zone, changes on a few, signals for broken zones."""
    from dnscert.dnshealth.models import (
        DelegationChange,
        DelegationSnapshot,
        MonitoringTarget,
        Notification,
        Signal,
    )

    first_day = history.now - timedelta(days=history.days)
    template = history.templates["full"]["shop.xa."].delegation or {"ns": [], "glue": {}, "ds": []}
    targets = MonitoringTarget.objects.exclude(kind="root").values_list("id", "name", "status")
    snapshots = [
        DelegationSnapshot(
            target_id=target,
            ns=template["ns"],
            glue=template["glue"],
            ds=template["ds"],
            digest=f"{target:064x}",
            first_seen=first_day,
            last_seen=history.now,
        )
        for target, _, _ in targets
    ]
    DelegationSnapshot.objects.bulk_create(snapshots, batch_size=5000)
    changed = [t for t in targets if t[0] % round(1 / DELEGATION_CHANGE_SHARE) == 0]
    organisations = dict(MonitoringTarget.objects.values_list("id", "organisation_id"))
    old_by_target = dict(DelegationSnapshot.objects.values_list("target_id", "id"))
    changes = []
    for target, _, _ in changed:
        new = DelegationSnapshot.objects.create(
            target_id=target,
            ns=["ns1.elsewhere.example."],
            glue={"ns1.elsewhere.example.": ["192.0.2.99"]},
            ds=[],
            digest=f"{target + 1:064x}",
            first_seen=history.now - timedelta(days=2),
        )
        changes.append(
            DelegationChange(
                target_id=target,
                organisation_id=organisations[target],
                old_id=old_by_target[target],
                new_id=new.id,
                diff={"ns_added": new.ns, "ns_removed": template["ns"]},
                severity="high",
                reasons=["all_ns_replaced", "new_tld"],
                detected_at=new.first_seen,
            )
        )
    DelegationChange.objects.bulk_create(changes)
    signals = [
        Signal(
            kind="zone_broken",
            target_id=target,
            organisation_id=organisations[target],
            severity="high",
            summary=f"{name} became broken",
            details={"tags": ["CHILD_NS_FAILED"]},
            dedupe_key=f"zone_broken:target:{target}",
            opened_at=history.now - timedelta(days=target % history.days),
        )
        for target, name, status in targets
        if status == "red"
    ]
    Signal.objects.bulk_create(signals, batch_size=5000)
    Notification.objects.bulk_create(
        (
            Notification(signal=signal, email=f"noc{n}@bench.example", status="sent")
            for signal in Signal.objects.all()
            for n in range(2)
        ),
        batch_size=5000,
    )
    return {"snapshots": len(snapshots) + len(changes), "changes": len(changes)}


def finish_targets(history: History) -> None:
    """Point every target at its latest result and copy its status, as the jobs do."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE dnshealth_monitoringtarget AS t
               SET latest_result_id = r.id, latest_full_result_id = r.id,
                   status = r.status, worst_level = r.worst_level,
                   status_since = r.checked_at, last_full_at = r.checked_at,
                   last_reachability_at = r.checked_at,
                   next_full_due = r.checked_at + make_interval(mins => t.full_interval),
                   next_reachability_due =
                       r.checked_at + make_interval(mins => t.reachability_interval)
              FROM (SELECT DISTINCT ON (target_id) id, target_id, status, worst_level, checked_at
                      FROM dnshealth_zoneresult WHERE check_kind = 'full'
                     ORDER BY target_id, checked_at DESC) AS r
             WHERE r.target_id = t.id
            """
        )
        cursor.execute("VACUUM ANALYZE")


# ---- measuring ----------------------------------------------------------------------------------


def staff_client() -> Any:
    """A test client signed in as an MFA-verified staff analyst."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dnscert.core.choices import Role

    user = get_user_model().objects.create_user(
        username="bench-staff", password="bench-only-password", role=Role.STAFF
    )
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def time_page(client: Any, url: str, requests: int) -> list[float]:
    """Server times (ms) of ``requests`` GETs of ``url``; every answer must be 200."""
    client.get(url)  # warm caches and templates once
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def table_sizes() -> dict[str, tuple[int, int]]:
    """Table -> (bytes including indexes and TOAST, rows)."""
    from django.db import connection

    sizes = {}
    with connection.cursor() as cursor:
        for table in DNSHEALTH_TABLES:
            cursor.execute(f"SELECT pg_total_relation_size('{table}'), count(*) FROM {table}")
            size, rows = cursor.fetchone()
            sizes[table] = (int(size), int(rows))
    return sizes


def explain(client: Any, url: str) -> None:
    """Say what dominates one request of ``url``: SQL (with EXPLAIN ANALYZE) or Python."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        client.get(url)
        total = (time.perf_counter() - started) * 1000
    queries = captured.captured_queries
    sql = sum(float(query["time"]) for query in queries) * 1000
    print(f"  {url}: {len(queries)} queries, {sql:.1f} ms of SQL in {total:.1f} ms")
    slowest = max(queries, key=lambda query: float(query["time"]))
    print(f"  slowest query ({float(slowest['time']) * 1000:.1f} ms): {slowest['sql'][:300]}")
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ANALYZE {slowest['sql']}")
        for (line,) in cursor.fetchall():
            print(f"    {line}")
    profile = cProfile.Profile()
    profile.runcall(client.get, url)
    print("  Python time of one request, by cumulative time:")
    stats = pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative")
    stats.print_stats(r"dnscert|template|forms", 15)


def measure_pages(requests: int, zone: str) -> dict[str, list[float]]:
    from django.urls import reverse

    from dnscert.dnshealth.queries import url_name

    client = staff_client()
    pages = {
        "dashboard": reverse("dnshealth:dashboard"),
        "zone page": reverse("dnshealth:zone", args=[url_name(zone)]),
        "zone chart": reverse("dnshealth:zone-chart", args=[url_name(zone), "latency-udp"]),
    }
    timings = {}
    for label, url in pages.items():
        timings[label] = time_page(client, url, requests)
        values = timings[label]
        print(
            f"{label} {url}: p50 {statistics.median(values):.1f} ms, "
            f"p95 {percentile(values, 0.95):.1f} ms over {requests} requests"
        )
        if percentile(values, 0.95) >= 200:
            explain(client, url)
    return timings


def report_storage(zones: int, days: int, detail_days: int) -> float:
    sizes = table_sizes()
    total = sum(size for size, _ in sizes.values())
    for table, (size, rows) in sizes.items():
        print(f"  {table}: {rows} rows, {size / 1e6:.1f} MB")
    monitored = zones + 1 + TLD_COUNT
    per_zone_day = total / (monitored * days)
    year = per_zone_day * 1e6 * 365
    print(
        f"storage: {total / 1e6:.1f} MB for {monitored} zones x {days} days "
        f"({detail_days} days of detail) = {per_zone_day:.0f} bytes per zone-day"
    )
    print(f"1M zones x 1 year at this rate: {year / 1e12:.2f} TB")
    rollup_size, rollup_rows = sizes["dnshealth_dailyrollup"]
    if rollup_rows:
        rolled = rollup_size / rollup_rows
        kept = per_zone_day * 1e6 * detail_days + rolled * 1e6 * (365 - detail_days)
        print(
            f"with the retention ({detail_days} days of detail, then roll-ups at "
            f"{rolled:.0f} bytes per zone-day): {kept / 1e12:.2f} TB for 1M zones x 1 year"
        )
    return per_zone_day


def main() -> int:
    args = parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="dnscert-bench-monitor-") as folder,
        postgresql(Path(folder)) as url,
    ):
        os.environ["DATABASE_URL"] = url
        os.environ["DNSCERT_VAR_DIR"] = str(Path(folder) / "var")
        os.environ.pop("DNSCERT_BROKER_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "dnscert.settings"
        os.environ.setdefault("DNSCERT_LOG_LEVEL", "WARNING")
        import django

        django.setup()
        return run(args, Path(folder))


def run(args: argparse.Namespace, folder: Path) -> int:
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    detail_days = min(args.days, args.detail_days or settings.DNSCERT_DNSHEALTH_DETAIL_DAYS)
    started = time.perf_counter()
    templates = measured_templates(folder)
    print(f"engine templates measured on the demo bed in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    targets = create_constituency(args.zones)
    history = History(
        targets, templates, args.zones, args.days, detail_days, datetime.now(UTC), random.Random(7)
    )
    counts = write_history(history)
    finish_targets(history)
    counts |= write_watch_and_signals(history)
    print(f"history written in {time.perf_counter() - started:.0f} s: {counts}")
    timings = measure_pages(args.requests, zone_name(7))
    per_zone_day = report_storage(args.zones, args.days, detail_days)
    dashboard = timings["dashboard"]
    print(
        f"RESULT monitor_scale dashboard_p50_ms={statistics.median(dashboard):.1f} "
        f"dashboard_p95_ms={percentile(dashboard, 0.95):.1f} "
        f"bytes_per_zone_day={per_zone_day:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
