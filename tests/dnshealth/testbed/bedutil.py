"""Helpers for the test-bed tests: run the engine over zones and collect reports by zone."""

from __future__ import annotations

from dnscert.dnshealth.engine.model import EngineConfig, ZoneReport
from dnscert.dnshealth.engine.runner import check_zones


async def run_checks(
    names: list[str], config: EngineConfig, tests: list[str] | None = None
) -> dict[str, ZoneReport]:
    """Reports of ``names`` keyed by zone (the default profile unless ``tests`` is given)."""
    reports = {}
    async for report in check_zones(names, config, concurrency=30, tests=tests):
        reports[report.zone] = report
    return reports
