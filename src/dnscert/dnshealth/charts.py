"""Chart data of the zone page, as the JSON the page's Chart.js script draws.

Every payload has the shape ``{"kind", "labels", "datasets": [{"label", "data", ...}], "y"}``
(see ``static/dnshealth/js/dnshealth.js``). Labels are UTC times ``YYYY-MM-DD HH:MM``; a
name server missing from a result leaves a gap (``None``) in its line.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from dnscert.dnshealth.choices import HealthStatus
from dnscert.dnshealth.models import ZoneResult
from dnscert.dnshealth.queries import STATUS_RANK

#: Colours of the status chart's points, as the CSS status classes use them.
STATUS_COLOURS = {
    HealthStatus.GREEN: "#1e7b34",
    HealthStatus.AMBER: "#9a6700",
    HealthStatus.RED: "#b3261e",
    HealthStatus.GREY: "#6c757d",
}


def time_label(result: ZoneResult) -> str:
    """The x-axis label of one result (UTC, to the minute)."""
    return result.checked_at.strftime("%Y-%m-%d %H:%M")


def status_timeline(results: list[ZoneResult]) -> dict[str, Any]:
    """A stepped line of the status (0 grey .. 3 red) of each result, oldest first."""
    ticks = {rank: str(HealthStatus(status).label) for status, rank in STATUS_RANK.items()}
    return {
        "kind": "line",
        "labels": [time_label(result) for result in results],
        "datasets": [
            {
                "label": _("Status"),
                "data": [STATUS_RANK.get(result.status, 0) for result in results],
                "stepped": True,
                "color": STATUS_COLOURS[HealthStatus.RED],
            }
        ],
        "y": {"title": _("Status"), "min": 0, "max": 3, "ticks": ticks},
    }


def server_key(row: dict[str, Any]) -> str:
    """``ns/address``: one line per name server address."""
    return f"{row.get('ns') or '?'}/{row.get('address') or '?'}"


def _per_server(results: list[ZoneResult], field_name: str) -> dict[str, list[Any]]:
    """``{server: [value per result]}``, ``None`` where a result lacks the server."""
    keys = sorted({server_key(row) for result in results for row in result.nameserver_dicts()})
    series: dict[str, list[Any]] = {key: [None] * len(results) for key in keys}
    for index, result in enumerate(results):
        for row in result.nameserver_dicts():
            series[server_key(row)][index] = row.get(field_name)
    return series


def _line_chart(
    results: list[ZoneResult], datasets: Iterable[dict[str, Any]], y: dict[str, Any]
) -> dict[str, Any]:
    return {
        "kind": "line",
        "labels": [time_label(result) for result in results],
        "datasets": list(datasets),
        "y": y,
    }


def latency(results: list[ZoneResult], transport: str = "udp") -> dict[str, Any]:
    """One line per name server address: its UDP (or TCP) latency in milliseconds."""
    field_name = "tcp_ms" if transport == "tcp" else "udp_ms"
    series = _per_server(results, field_name)
    datasets = ({"label": key, "data": values} for key, values in series.items())
    return _line_chart(results, datasets, {"title": _("Latency (ms)"), "min": 0})


def serials(results: list[ZoneResult]) -> dict[str, Any]:
    """One stepped line per name server address: the SOA serial it served."""
    series = _per_server(results, "serial")
    datasets = ({"label": key, "data": values, "stepped": True} for key, values in series.items())
    return _line_chart(results, datasets, {"title": _("SOA serial"), "integer": True})


def serial_propagation(result: ZoneResult | None) -> list[dict[str, Any]]:
    """The latest result's servers with their serial and whether they lag the newest one."""
    if result is None:
        return []
    rows = result.nameserver_dicts()
    served = [row["serial"] for row in rows if isinstance(row.get("serial"), int)]
    newest = max(served, default=None)
    return [
        {**row, "lagging": newest is not None and row.get("serial") not in (None, newest)}
        for row in sorted(rows, key=server_key)
    ]
