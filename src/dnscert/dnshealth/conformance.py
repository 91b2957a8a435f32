"""Zonemaster conformance: run the engine on Zonemaster's scenario data and score it.

``python -m dnscert.dnshealth.conformance [--data DIR] [--case basic02] [--verbose]`` expects
the lab server (``dnscert lab serve test-zone-data/main.cfg``) to answer on port 53 of the
scenario addresses (``scripts/conformance.sh`` sets that up in a network namespace). A
scenario passes when every mandatory tag is emitted and no forbidden tag is. MethodsV2
scenarios pass when the parent, delegation and zone name server sets all match.
The output ends with ``CONFORMANCE zonemaster passed=P total=T`` and
``CONFORMANCE methodsv2 passed=P total=N``.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dnscert.dnshealth.engine.context import NsIp, ZoneContext
from dnscert.dnshealth.engine.model import EngineConfig
from dnscert.dnshealth.engine.runner import Batch, check_zone

REPO_ROOT = Path(__file__).resolve().parents[3]
DATA_ENV = "DNSCERT_CONFORMANCE_DIR"
CONCURRENCY = 24
RRSIG_TIMES = re.compile(r"\b(\d{14})\s+(\d{14})\b")


def default_data_dir() -> Path:
    """``$DNSCERT_CONFORMANCE_DIR`` or ``../shared/conformance/zonemaster`` from the repo."""
    configured = os.environ.get(DATA_ENV)
    if configured:
        return Path(configured)
    return (REPO_ROOT / ".." / "shared" / "conformance" / "zonemaster").resolve()


# ---- scenario configuration ---------------------------------------------------------------


def root_hints(hints: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """Scenario hints ``{"ns1": [addresses]}`` as the engine's ``[(name, addresses)]``."""
    return [
        (name if name.endswith(".") else name + ".", list(addrs)) for name, addrs in hints.items()
    ]


def undelegated_ns(entries: Iterable[str]) -> dict[str, list[str]]:
    """``["ns1.x/192.0.2.1", "ns2.x"]`` as ``{"ns1.x": ["192.0.2.1"], "ns2.x": []}``."""
    servers: dict[str, list[str]] = {}
    for entry in entries:
        name, _, address = entry.partition("/")
        servers.setdefault(name, [])
        if address:
            servers[name].append(address)
    return servers


def undelegated_ds(entries: Iterable[str]) -> list[str]:
    """``"keytag,alg,type,digest"`` entries as DS rdata texts."""
    return [" ".join(entry.split(",")) for entry in entries]


def _parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


class SignatureClock:
    """Picks, per scenario, a moment when the scenario's RRSIGs were valid.

    Signatures in the data were made at different times (some expired in 2023): the moment
    chosen lies inside the largest number of signature validity windows found in the files
    of the scenario's test case named after the scenario's first label, and in the lines of
    the other files that mention it.
    """

    def __init__(self, zone_data: Path) -> None:
        self.zone_data = zone_data
        self._texts: dict[str, list[tuple[str, str]]] = {}

    def _folder_texts(self, test_case: str) -> list[tuple[str, str]]:
        if test_case not in self._texts:
            folders = [p for p in self.zone_data.glob(f"*/{test_case}") if p.is_dir()]
            texts = []
            for folder in folders:
                for path in sorted(folder.rglob("*")):
                    if path.is_file():
                        texts.append((path.name.lower(), path.read_text(errors="replace")))
            self._texts[test_case] = texts
        return self._texts[test_case]

    def moment(self, test_case: str, zone: str, now: datetime | None = None) -> datetime | None:
        """A time inside most validity windows; None (the real clock) when none has expired.

        Signatures not yet valid today are deliberate in some scenarios, so the clock is
        only pinned when some signature of the scenario has expired.
        """
        label = zone.split(".")[0].lower()
        windows: list[tuple[datetime, datetime]] = []
        for name, text in self._folder_texts(test_case):
            if label in name:
                windows.extend(_windows(text))
            else:
                lines = (line for line in text.splitlines() if label in line.lower())
                windows.extend(_windows("\n".join(lines)))
        current = now or datetime.now(UTC)
        if not any(end < current for _start, end in windows):
            return None
        return _best_moment(windows)


def _windows(text: str) -> list[tuple[datetime, datetime]]:
    found = []
    for expiration, inception in RRSIG_TIMES.findall(text):
        try:
            found.append((_parse_time(inception), _parse_time(expiration)))
        except ValueError:
            continue
    return [(start, end) for start, end in found if start < end]


def _best_moment(windows: list[tuple[datetime, datetime]]) -> datetime | None:
    if not windows:
        return None
    candidates = {start + timedelta(hours=1) for start, _end in windows}
    return max(sorted(candidates), key=lambda moment: sum(s <= moment <= e for s, e in windows))


def scenario_config(scenario: dict[str, Any], clock: SignatureClock | None) -> EngineConfig:
    """The engine configuration of one scenario."""
    now = clock.moment(scenario["test_case"], scenario["zone"]) if clock else None
    return EngineConfig(
        root_hints=root_hints(scenario["root_hints"]),
        undelegated_ns=undelegated_ns(scenario.get("undelegated_ns") or []),
        undelegated_ds=undelegated_ds(scenario.get("undelegated_ds") or []),
        now=now,
        timeout=1.0,
        retries=1,
        zone_timeout=60.0,
    )


# ---- Zonemaster scenarios -----------------------------------------------------------------


@dataclass
class ScenarioResult:
    """The outcome of one scenario."""

    test_case: str
    scenario: str
    passed: bool
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    error: str = ""


def judge(scenario: dict[str, Any], emitted: set[str]) -> ScenarioResult:
    """Pass when every mandatory tag is emitted and no forbidden tag is."""
    missing = sorted(set(scenario["mandatory"]) - emitted)
    unexpected = sorted(set(scenario["forbidden"]) & emitted)
    return ScenarioResult(
        scenario["test_case"],
        scenario["scenario"],
        not missing and not unexpected,
        missing,
        unexpected,
    )


async def run_scenario(scenario: dict[str, Any], clock: SignatureClock | None) -> ScenarioResult:
    """Run the scenario's test case on its zone and judge the tags."""
    config = scenario_config(scenario, clock)
    try:
        report = await check_zone(scenario["zone"], config, tests=[scenario["test_case"].upper()])
    except Exception as error:  # a crash is a failed scenario, not a failed run
        return ScenarioResult(
            scenario["test_case"],
            scenario["scenario"],
            False,
            error=f"{type(error).__name__}: {error}",
        )
    return judge(scenario, report.tags())


async def run_scenarios(
    scenarios: list[dict[str, Any]], clock: SignatureClock | None
) -> list[ScenarioResult]:
    """Run scenarios concurrently."""
    semaphore = asyncio.Semaphore(CONCURRENCY)

    async def one(scenario: dict[str, Any]) -> ScenarioResult:
        async with semaphore:
            return await run_scenario(scenario, clock)

    return list(await asyncio.gather(*(one(s) for s in scenarios)))


# ---- MethodsV2 ----------------------------------------------------------------------------


def normalise_ns(entries: Iterable[str | NsIp] | None) -> set[str] | None:
    """``name/address`` strings with lower-case names and canonical addresses."""
    if entries is None:
        return None
    result = set()
    for entry in entries:
        name, _, address = str(entry).partition("/")
        name = name.rstrip(".").lower()
        result.add(f"{name}/{ipaddress.ip_address(address)}" if address else name)
    return result


@dataclass
class MethodsResult:
    """The outcome of one MethodsV2 scenario."""

    scenario: str
    passed: bool
    differences: list[str] = field(default_factory=list)


async def run_methods_scenario(scenario: dict[str, Any]) -> MethodsResult:
    """Compare the discovery helpers' sets with the expected ones."""
    config = EngineConfig(
        root_hints=root_hints(scenario["root_hints"]),
        undelegated_ns=undelegated_ns(scenario.get("undelegated_ns") or []),
        timeout=1.0,
        retries=1,
    )
    batch = Batch(config)
    try:
        ctx = ZoneContext(scenario["zone"], config, batch.client, batch.cuts)
        found = {
            "parent_ns": await ctx.get_parent_ns_names_and_ips(),
            "delegation_ns": await ctx.get_del_ns_names_and_ips(),
            "zone_ns": await ctx.get_zone_ns_names_and_ips(),
        }
    except Exception as error:  # a crash is a failed scenario
        return MethodsResult(scenario["scenario"], False, [f"{type(error).__name__}: {error}"])
    finally:
        await batch.close()
    differences = []
    for key, value in found.items():
        expected, actual = normalise_ns(scenario[key]), normalise_ns(value)
        if expected != actual:
            differences.append(f"{key}: expected {_show(expected)} got {_show(actual)}")
    return MethodsResult(scenario["scenario"], not differences, differences)


def _show(value: set[str] | None) -> str:
    return "undefined" if value is None else "{" + ", ".join(sorted(value)) + "}"


async def run_methods(scenarios: list[dict[str, Any]]) -> list[MethodsResult]:
    """Run the MethodsV2 scenarios concurrently."""
    semaphore = asyncio.Semaphore(CONCURRENCY)

    async def one(scenario: dict[str, Any]) -> MethodsResult:
        async with semaphore:
            return await run_methods_scenario(scenario)

    return list(await asyncio.gather(*(one(s) for s in scenarios)))


# ---- reporting ----------------------------------------------------------------------------


def print_zonemaster(results: list[ScenarioResult], verbose: bool) -> None:
    """Per test case pass rates, then failures when verbose."""
    by_case: dict[str, list[ScenarioResult]] = defaultdict(list)
    for result in results:
        by_case[result.test_case].append(result)
    for case in sorted(by_case):
        passed = sum(r.passed for r in by_case[case])
        total = len(by_case[case])
        print(f"{case:16} {passed:4}/{total:<4} {100 * passed / total:5.1f}%")
        if verbose:
            for result in by_case[case]:
                if not result.passed:
                    print(
                        f"    FAIL {result.scenario}: missing={result.missing} "
                        f"unexpected={result.unexpected} {result.error}"
                    )
    passed = sum(r.passed for r in results)
    if results:
        print(f"{'overall':16} {passed:4}/{len(results):<4} {100 * passed / len(results):5.1f}%")


def print_methods(results: list[MethodsResult], verbose: bool) -> None:
    """The MethodsV2 score, then failures when verbose."""
    passed = sum(r.passed for r in results)
    print(f"{'methodsv2':16} {passed:4}/{len(results):<4}")
    if verbose:
        for result in results:
            if not result.passed:
                print(f"    FAIL {result.scenario}: " + "; ".join(result.differences))


def ipv6_batch(zone_data: Path) -> str:
    """``ip -batch`` lines adding every IPv6 address the lab configuration binds to ``lo``."""
    from dnscert.dnslab.corefile import parse_corefile

    addresses = set()
    for block in parse_corefile(zone_data / "main.cfg"):
        for directive in block.directives_named("bind"):
            for arg in directive.args:
                address = ipaddress.ip_address(arg)
                if address.version == 6:
                    addresses.add(str(address))
    return "".join(f"addr add {address}/128 dev lo nodad\n" for address in sorted(addresses))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dnscert.dnshealth.conformance")
    parser.add_argument("--data", type=Path, default=None, help="the zonemaster data folder")
    parser.add_argument("--case", action="append", help="only this test case (repeatable)")
    parser.add_argument("--scenario", action="append", help="only this scenario (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="list failing scenarios")
    parser.add_argument("--skip-methods", action="store_true", help="skip MethodsV2")
    parser.add_argument(
        "--ipv6-batch", action="store_true", help="print the 'ip -batch' lines for lo and exit"
    )
    return parser


async def _run(data: Path, args: argparse.Namespace) -> tuple[int, int, int, int]:
    scenarios = [s for s in json.loads((data / "scenarios.json").read_text()) if s["testable"]]
    if args.case:
        wanted = {case.lower() for case in args.case}
        scenarios = [s for s in scenarios if s["test_case"].lower() in wanted]
    if args.scenario:
        names = {name.upper() for name in args.scenario}
        scenarios = [s for s in scenarios if s["scenario"].upper() in names]
    results = await run_scenarios(scenarios, SignatureClock(data / "test-zone-data"))
    print_zonemaster(results, args.verbose)
    methods: list[MethodsResult] = []
    if not args.skip_methods and not args.case and not args.scenario:
        cases = [s for s in json.loads((data / "methodsv2.json").read_text()) if s["testable"]]
        methods = await run_methods(cases)
        print_methods(methods, args.verbose)
    return (
        sum(r.passed for r in results),
        len(results),
        sum(r.passed for r in methods),
        len(methods),
    )


def main(argv: list[str] | None = None) -> int:
    """Run the conformance suite; exit 0 (a skip included) unless the run itself failed."""
    args = _parser().parse_args(argv)
    data = args.data or default_data_dir()
    if not (data / "scenarios.json").is_file():
        print(f"SKIP: no Zonemaster conformance data at {data} (set {DATA_ENV})")
        return 0
    if args.ipv6_batch:
        sys.stdout.write(ipv6_batch(data / "test-zone-data"))
        return 0
    passed, total, methods_passed, methods_total = asyncio.run(_run(data, args))
    print(f"CONFORMANCE zonemaster passed={passed} total={total}")
    print(f"CONFORMANCE methodsv2 passed={methods_passed} total={methods_total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
