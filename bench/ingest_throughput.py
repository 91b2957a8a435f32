"""Throughput of the threat-data pipeline: parse + enrich, dedupe, and end to end into a database.

Generates ``--lines`` (1,000,000) feed lines in five real formats (URLhaus CSV, OpenPhish,
a plain mixed list of URLs, names and addresses, PhishTank CSV, Feodo Tracker CSV; about 1%
malformed) into temporary files, streaming, then measures:

* parse + enrich: the pure pipeline (parser, IP, IDN, PSL and taxonomy experts and the row
  conversion) on ``--workers`` processes over chunks of each file, in events per second;
* dedupe: the in-memory row dedupe over the same rows;
* end to end: parse + enrich + dedupe + attribution + store + aggregates with the storage
  service (:func:`dnscert.intel.storage.ingest_file`) into SQLite and into a throwaway
  PostgreSQL (``scripts/testenv.sh``, or ``DNSCERT_TEST_DATABASE_URL`` when set; skipped with
  ``--no-postgres``), each into a fresh database, with the default settings (batches of
  ``DNSCERT_INTEL_BATCH_SIZE``; on PostgreSQL, ``DNSCERT_INTEL_WRITERS`` connections loading
  batches side by side).

It prints events/s per stage and the peak RSS of this process and its workers; the last line
is machine-readable::

    RESULT ingest_throughput parse_enrich_eps=.. e2e_sqlite_eps=.. e2e_postgres_eps=.. rss_mb=..

Run: ``.venv/bin/python bench/ingest_throughput.py [--lines 1000000] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
TLDS = ("xa", "xb", "xc", "xd", "example", "test")
WORDS = ("login", "secure", "account", "update", "verify", "pay", "wallet", "mail", "cdn", "shop")
#: Share of the lines per format.
MIX = {"urlhaus": 0.3, "openphish": 0.2, "plain": 0.2, "phishtank": 0.15, "feodo": 0.15}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="feed lines to generate")
    parser.add_argument("--workers", type=int, default=2, help="parser processes")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    return parser.parse_args()


# --- generating the input -------------------------------------------------------------------


class Names:
    """Random but repeatable names, addresses and times."""

    def __init__(self, seed: int = 6) -> None:
        self.random = random.Random(seed)
        self.domains = [self._domain(index) for index in range(50_000)]

    def _domain(self, index: int) -> str:
        word = self.random.choice(WORDS)
        return f"{word}-{index}.{self.random.choice(TLDS)}"

    def host(self) -> str:
        domain = self.random.choice(self.domains)
        return domain if self.random.random() < 0.4 else f"{self.random.choice(WORDS)}.{domain}"

    def ip(self) -> str:
        first = self.random.choice((192, 198, 203))
        return f"{first}.0.{self.random.randrange(256)}.{self.random.randrange(1, 255)}"

    def url(self, number: int) -> str:
        return f"http://{self.host()}/{self.random.choice(WORDS)}/{number}"

    def time(self, number: int) -> str:
        return (
            f"2026-11-{1 + number % 20:02d} {number % 24:02d}:{number % 60:02d}:{number % 59:02d}"
        )


def _urlhaus(names: Names, number: int) -> str:
    return (
        f'"{number}","{names.time(number)}","{names.url(number)}","online","",'
        f'"malware_download","exe,Emotet","https://urlhaus.abuse.ch/url/{number}/","bench"'
    )


def _openphish(names: Names, number: int) -> str:
    return names.url(number)


def _plain(names: Names, number: int) -> str:
    kind = number % 3
    return names.host() if kind == 0 else names.ip() if kind == 1 else names.url(number)


def _phishtank(names: Names, number: int) -> str:
    stamp = names.time(number).replace(" ", "T") + "+00:00"
    return (
        f"{number},{names.url(number)},http://www.phishtank.com/phish_detail.php?phish_id="
        f"{number},{stamp},yes,{stamp},yes,Other"
    )


def _feodo(names: Names, number: int) -> str:
    return f'"{names.time(number)}","{names.ip()}","443","online","2026-11-20","QakBot"'


HEADERS = {
    "urlhaus": "# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n",
    "openphish": "",
    "plain": "# mixed indicators\n",
    "phishtank": "phish_id,url,phish_detail_url,submission_time,verified,verification_time,"
    "online,target\n",
    "feodo": '"first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"\n',
}
BUILDERS: dict[str, Callable[[Names, int], str]] = {
    "urlhaus": _urlhaus,
    "openphish": _openphish,
    "plain": _plain,
    "phishtank": _phishtank,
    "feodo": _feodo,
}
BROKEN = ("not a valid record at all", '"1","bad date","http://x","y"', "\x01\x02binary\x03")


def generate(directory: Path, total: int) -> dict[str, Path]:
    """Write the feed files (streaming, one line at a time); their paths by parser."""
    names = Names()
    paths = {}
    number = 0
    for parser, share in MIX.items():
        path = directory / f"{parser}.txt"
        with path.open("w", encoding="utf-8") as out:
            out.write(HEADERS[parser])
            number = _write_lines(out, names, parser, int(total * share), number)
        paths[parser] = path
    return paths


def _write_lines(out: TextIO, names: Names, parser: str, count: int, number: int) -> int:
    build = BUILDERS[parser]
    for _ in range(count):
        number += 1
        line = BROKEN[number % 3] if number % 100 == 0 else build(names, number)
        out.write(line)
        out.write("\n")
    return number


# --- measuring ------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """Peak resident memory of this process and of its finished children, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def own_cpu_seconds() -> float:
    """CPU time (user + system) of this process so far, all its threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_busy_seconds() -> float:
    """CPU time every process of the machine has used since boot (Linux ``/proc/stat``)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


def parse_enrich(paths: dict[str, Path], workers: int) -> tuple[int, int, float, float]:
    """Parse and enrich on ``workers`` processes: (records, events, seconds, CPU seconds)."""
    from dnscert.intel import parallel

    records = events = 0
    cpu = 0.0
    started = time.perf_counter()
    for parser, path in paths.items():
        chunks = parallel.chunks(str(path), parser, parser)
        for result in parallel.run_parallel(chunks, workers=workers, rows_wanted=False):
            records += result.records
            events += result.events
            cpu += result.cpu_seconds
    return records, events, time.perf_counter() - started, cpu


def dedupe_rate(paths: dict[str, Path]) -> tuple[int, float]:
    """Rows per second of the in-memory dedupe over the rows of the smallest file."""
    from dnscert.intel import parallel
    from dnscert.intel.rows import RowDedupe

    path = paths["feodo"]
    rows = [
        row
        for chunk in parallel.chunks(str(path), "feodo", "feodo")
        for row in parallel.work(chunk).rows
    ]
    dedupe = RowDedupe(86400.0)
    started = time.perf_counter()
    kept = dedupe.fresh(rows)
    elapsed = time.perf_counter() - started
    print(f"  dedupe: {len(rows)} rows, {len(rows) - len(kept)} duplicates")
    return len(rows), elapsed


def end_to_end(paths: dict[str, Path], workers: int, database_url: str | None) -> tuple[int, float]:
    """Run the storage service over every file into a fresh database (in a child process).

    The child prints its own CPU during the load and how busy the machine was meanwhile.
    """
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    with tempfile.TemporaryDirectory(prefix="dnscert-bench-var-") as var_dir:
        env["DNSCERT_VAR_DIR"] = var_dir
        env["DNSCERT_LOG_LEVEL"] = "WARNING"
        env.setdefault("DJANGO_SETTINGS_MODULE", "dnscert.settings")
        command = [sys.executable, __file__, "--store", str(workers), *map(str, paths.values())]
        output = subprocess.run(command, env=env, check=False, capture_output=True, text=True)
    if output.returncode != 0:
        raise RuntimeError(f"the storage run failed: {output.stderr[-2000:]}")
    for line in output.stderr.splitlines():
        if line.startswith("  "):  # the child's notes on its setup
            print(line)
    accepted, seconds = output.stdout.strip().splitlines()[-1].split()
    return int(accepted), float(seconds)


def store_child(workers: int, files: list[str]) -> int:
    """The child side of :func:`end_to_end`: migrate, then ingest every file, timed."""
    import django

    django.setup()
    from django.core.management import call_command

    from dnscert.intel import conf, storage
    from dnscert.intel.models import Event, Feed

    call_command("migrate", verbosity=0)
    attributed = load_attribution_data()
    print(f"  registration data: {attributed} domains", file=sys.stderr)
    print(
        f"  batches of {conf.batch_size()} events, {conf.writer_connections()} writer "
        "connection(s) on PostgreSQL",
        file=sys.stderr,
    )
    accepted = 0
    busy_before, own_before = machine_busy_seconds(), own_cpu_seconds()
    started = time.perf_counter()
    for path in files:
        parser = Path(path).stem
        feed = Feed.objects.create(name=parser, parser=parser)
        run = storage.ingest_file(feed, path, workers=workers)
        accepted += run.accepted
    elapsed = time.perf_counter() - started
    busy = machine_busy_seconds() - busy_before
    print(
        f"  during the load: storage process CPU {own_cpu_seconds() - own_before:.1f} s; "
        f"all processes {busy:.1f} CPU-s, {100 * busy / elapsed / (os.cpu_count() or 1):.0f}% "
        f"of {os.cpu_count()} core(s)",
        file=sys.stderr,
    )
    assert Event.objects.count() == accepted
    print(f"{accepted} {elapsed}")
    return 0


#: TLDs whose registry is a constituent in the directory (so their events name it).
CONSTITUENT_TLDS = ("xa", "xb")
#: Registrars (IANA id, name) that sponsor the domains with registration data.
REGISTRARS = ((9001, "Example Registrar A"), (9002, "Example Registrar B"), (9003, "Registrar C"))
#: Share of the generated domains the platform holds registration data for.
REGISTERED_SHARE = 0.4


def load_attribution_data() -> int:
    """A directory and registration table like a DNS-CERT's, so that events get attributed.

    Two of the six TLDs have their registry in the directory, the registrars are constituents,
    and 40% of the domains have registration data (registrar, IANA id, creation date, half of
    them created in the last 30 days): about a third of the events carry a registry and
    registrar organisation, as they would for a CERT's own constituency.
    """
    from dnscert.directory.choices import OrganisationKind, ZoneKind
    from dnscert.directory.models import Organisation, Zone
    from dnscert.intel import registrations

    for tld in CONSTITUENT_TLDS:
        registry = Organisation.objects.create(
            name=f"Registry of .{tld}",
            short_name=f"registry-{tld}",
            kind=OrganisationKind.CCTLD_REGISTRY,
        )
        Zone.objects.create(name=f"{tld}.", kind=ZoneKind.TLD, organisation=registry)
    for iana_id, name in REGISTRARS:
        Organisation.objects.create(
            name=name,
            short_name=f"registrar-{iana_id}",
            kind=OrganisationKind.REGISTRAR,
            iana_id=iana_id,
        )
    names = Names()
    lines = ["domain,registrar,iana_id,created"]
    for index, domain in enumerate(names.domains):
        if index % 10 >= REGISTERED_SHARE * 10:
            continue
        iana_id, registrar = REGISTRARS[index % len(REGISTRARS)]
        created = "2026-11-10" if index % 2 else "2019-03-01"
        lines.append(f"{domain},{registrar},{iana_id},{created}")
    return registrations.import_text("\n".join(lines)).imported


def postgres_cpu_seconds(directory: Path) -> float | None:
    """CPU seconds used so far by the throwaway server and its reaped backends (Linux)."""
    pid_file = directory / "pg-env" / "pg" / "data" / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split()[0])
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, ValueError, IndexError):
        return None
    ticks = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def start_postgres(directory: Path) -> Iterator[str]:
    """A throwaway PostgreSQL: its URL while the generator is suspended."""
    given = os.environ.get("DNSCERT_TEST_DATABASE_URL")
    if given:
        yield given
        return
    pg_dir = directory / "pg-env"
    pg_dir.mkdir()
    directory.chmod(0o755)  # the server may run as the postgres user, who must reach pg-env
    script = ROOT / "scripts" / "testenv.sh"
    started = subprocess.run([str(script), "start", str(pg_dir)], capture_output=True, text=True)
    if started.returncode != 0:
        raise RuntimeError(f"cannot start PostgreSQL: {started.stderr.strip()}")
    try:
        env_text = (pg_dir / "env").read_text()
        url = next(
            line.split("=", 1)[1].strip().strip("'\"")
            for line in env_text.splitlines()
            if "DNSCERT_TEST_DATABASE_URL=" in line
        )
        yield url
    finally:
        subprocess.run([str(script), "stop", str(pg_dir)], check=False, capture_output=True)


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--store":
        return store_child(int(sys.argv[2]), sys.argv[3:])
    args = parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    directory = Path(tempfile.mkdtemp(prefix="dnscert-bench-intel-"))
    try:
        return run(args, directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def run(args: argparse.Namespace, directory: Path) -> int:
    started = time.perf_counter()
    paths = generate(directory, args.lines)
    size = sum(path.stat().st_size for path in paths.values()) / 1024 / 1024
    print(f"generated {args.lines} lines ({size:.0f} MiB) in {time.perf_counter() - started:.1f} s")
    records, events, seconds, cpu_seconds = parse_enrich(paths, args.workers)
    parse_eps = events / seconds
    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} core(s)")
    print(
        f"parse+enrich CPU: {cpu_seconds:.1f} s in the workers, {events / cpu_seconds:,.0f} "
        f"events per CPU-second ({args.workers * events / cpu_seconds:,.0f}/s on "
        f"{args.workers} free cores)"
    )
    print(
        f"parse+enrich: {records} records, {events} events in {seconds:.2f} s "
        f"on {args.workers} worker(s): {parse_eps:,.0f} events/s"
    )
    rows, dedupe_seconds = dedupe_rate(paths)
    print(f"dedupe: {rows / dedupe_seconds:,.0f} rows/s")
    accepted, sqlite_seconds = end_to_end(paths, args.workers, None)
    sqlite_eps = accepted / sqlite_seconds
    print(
        f"end to end, SQLite: {accepted} events stored in {sqlite_seconds:.1f} s: "
        f"{sqlite_eps:,.0f} events/s"
    )
    postgres_eps = 0.0
    if not args.no_postgres:
        for url in start_postgres(directory):
            server_before = postgres_cpu_seconds(directory)
            accepted, pg_seconds = end_to_end(paths, args.workers, url)
            server_after = postgres_cpu_seconds(directory)
            if server_before is not None and server_after is not None:
                print(f"  database server CPU: {server_after - server_before:.1f} s")
            postgres_eps = accepted / pg_seconds
            print(
                f"end to end, PostgreSQL: {accepted} events stored in {pg_seconds:.1f} s: "
                f"{postgres_eps:,.0f} events/s"
            )
    rss = peak_rss_mb()
    print(f"peak RSS: {rss:.0f} MiB")
    print(
        f"RESULT ingest_throughput parse_enrich_eps={parse_eps:.0f} "
        f"e2e_sqlite_eps={sqlite_eps:.0f} e2e_postgres_eps={postgres_eps:.0f} rss_mb={rss:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
