"""``dnscert check``: run the DNS health engine on zones from the command line.

    dnscert check ZONE [ZONE...] [--file zones.txt] [--hints FILE] [--test BASIC02 ...]
                  [--json] [--level WARNING] [--profile default|full|quick] [--concurrency N]
                  [--workers N]

Human output groups messages by test case, showing those at ``--level`` or above (NOTICE by
default). ``--json`` writes one JSON object per zone per line (JSON Lines, the shape of
``ZoneReport.to_dict()``), with every message unless ``--level`` is given.
Exit status: 0 when no zone has an ERROR or CRITICAL message, 1 when one has, 2 for a usage
error (bad option, unreadable hints or zone file).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from dnscert.dnshealth.engine import eventloop, profiles, registry
from dnscert.dnshealth.engine.hints import HintsError, parse_ns_specs, read_hints
from dnscert.dnshealth.engine.model import EngineConfig, Level, ZoneReport
from dnscert.dnshealth.engine.runner import check_zones, tune_gc_in_batches

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad command-line input; the message says what is wrong."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``dnscert check``."""
    parser = argparse.ArgumentParser(
        prog="dnscert check",
        description="Check the DNS health of zones (Zonemaster test cases).",
        epilog="Exit status: 0 no ERROR/CRITICAL, 1 some ERROR/CRITICAL, 2 usage error.",
    )
    parser.add_argument("zones", nargs="*", metavar="ZONE", help="zone names to check")
    parser.add_argument("--file", type=Path, help="read zone names from FILE, one a line")
    parser.add_argument("--hints", type=Path, help="root hints file (default: IANA root)")
    parser.add_argument("--test", action="append", metavar="ID", help="run only this test case")
    parser.add_argument("--profile", choices=profiles.PROFILES, default="default")
    parser.add_argument("--json", action="store_true", help="JSON Lines output, one per zone")
    parser.add_argument("--level", type=_level, help="lowest level shown (default NOTICE)")
    parser.add_argument("--concurrency", type=_positive_int, default=20)
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help="checker processes for a large batch (default: one per CPU)",
    )
    parser.add_argument(
        "--ns",
        action="append",
        default=[],
        metavar="NAME[/IP]",
        help="undelegated test: a name server of the zone (repeatable)",
    )
    parser.add_argument(
        "--ds",
        action="append",
        default=[],
        metavar="RDATA",
        help="undelegated test: a DS record's data (repeatable)",
    )
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds per attempt")
    parser.add_argument("--retries", type=int, default=2)
    parser.add_argument("--rate-limit", type=float, default=0.0, help="queries/s per server")
    parser.add_argument("--no-ipv4", action="store_true", help="send no query over IPv4")
    parser.add_argument("--no-ipv6", action="store_true", help="send no query over IPv6")
    parser.add_argument("--source-ipv4", help="source address of IPv4 queries")
    parser.add_argument("--source-ipv6", help="source address of IPv6 queries")
    parser.add_argument("--port", type=int, default=53, help="DNS port of every server")
    parser.add_argument("--now", type=_timestamp, help="pin the clock (ISO 8601, UTC)")
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: for several zones on a tty)",
    )
    parser.add_argument("--list-tests", action="store_true", help="list test cases and exit")
    return parser


def _level(text: str) -> Level:
    try:
        return Level.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return int(text)


def _timestamp(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date and time: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_zone_file(path: Path) -> list[str]:
    """Zone names from a file: one a line; blank lines and ``#`` comments skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read zone file: {exc.strerror}") from None
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def config_from_args(args: argparse.Namespace) -> EngineConfig:
    """The engine configuration the options describe; ``UsageError`` on bad input."""
    config = EngineConfig(
        timeout=args.timeout,
        retries=args.retries,
        rate_limit=args.rate_limit,
        ipv4=not args.no_ipv4,
        ipv6=not args.no_ipv6,
        source_ipv4=args.source_ipv4,
        source_ipv6=args.source_ipv6,
        port=args.port,
        now=args.now,
        profile=args.profile,
        undelegated_ds=list(args.ds),
    )
    try:
        if args.hints is not None:
            config.root_hints = read_hints(args.hints)
        config.undelegated_ns = parse_ns_specs(args.ns)
    except HintsError as exc:
        raise UsageError(str(exc)) from None
    return config


def _zones_from_args(args: argparse.Namespace) -> list[str]:
    zones = list(args.zones)
    if args.file is not None:
        zones += read_zone_file(args.file)
    if not zones:
        raise UsageError("no zone given: name zones or use --file")
    return zones


def _tests_from_args(args: argparse.Namespace) -> list[str] | None:
    if not args.test:
        return None
    try:
        return [registry.get(test_id).id for test_id in args.test]
    except registry.UnknownTestCase as exc:
        raise UsageError(str(exc)) from None


def format_human(report: ZoneReport, level: Level) -> str:
    """Messages at ``level`` or above, grouped by test case."""
    worst = report.worst_level.name if report.worst_level is not None else "no messages"
    lines = [f"{report.zone}: {worst} ({report.query_count} queries, {report.duration_ms} ms)"]
    for result in report.results:
        shown = [message for message in result.messages if message.level >= level]
        if not shown:
            continue
        lines.append(f"  {result.test_case} ({result.module})")
        for message in shown:
            args = " ".join(f"{key}={value}" for key, value in sorted(message.args.items()))
            lines.append(f"    {message.level.name:<8} {message.tag} {args}".rstrip())
    return "\n".join(lines)


def format_json(report: ZoneReport, level: Level | None) -> str:
    """One JSON line for ``report``, messages filtered to ``level`` and above when given."""
    data = report.to_dict()
    if level is not None:
        for result in data["results"]:
            result["messages"] = [
                message for message in result["messages"] if Level[message["level"]] >= level
            ]
    return json.dumps(data, sort_keys=True)


async def _run(
    zones: list[str],
    config: EngineConfig,
    tests: list[str] | None,
    args: argparse.Namespace,
    out: TextIO,
) -> int:
    show_progress = (
        args.progress if args.progress is not None else (len(zones) > 1 and sys.stderr.isatty())
    )
    bar = tqdm(total=len(zones), unit="zone", disable=not show_progress, file=sys.stderr)
    status = EXIT_OK
    try:
        async for report in check_zones(
            zones, config, args.concurrency, tests, workers=args.workers
        ):
            bar.update(1)
            text = (
                format_json(report, args.level)
                if args.json
                else format_human(report, args.level or Level.NOTICE)
            )
            print(text, file=out, flush=True)
            if report.worst_level is not None and report.worst_level >= Level.ERROR:
                status = EXIT_PROBLEMS
    finally:
        bar.close()
    return status


def _list_tests(out: TextIO) -> int:
    for case in registry.all_test_cases():
        print(f"{case.id:<15} {case.module:<12} {case.description}", file=out)
    return EXIT_OK


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of ``dnscert check``; returns the exit status."""
    stream = out or sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_OK
    if args.list_tests:
        return _list_tests(stream)
    try:
        zones = _zones_from_args(args)
        tests = _tests_from_args(args)
        config = config_from_args(args)
    except UsageError as exc:
        print(f"dnscert check: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    tune_gc_in_batches()
    return eventloop.run(_run(zones, config, tests, args, stream))
