"""Exports of a drill's results: CSV rows, a JSON document and a PDF report (TLP:AMBER,
since results name contacts and their addresses)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from dnscert.core.choices import TLP
from dnscert.core.pdf import render_pdf
from dnscert.directory.drills import figures
from dnscert.directory.drills.models import Drill, Probe

REPORT_TLP = TLP.AMBER
CSV_COLUMNS = [
    "drill",
    "organisation",
    "contact",
    "email",
    "language",
    "sent_at",
    "delivery",
    "responded_at",
    "responded_via",
    "seconds_to_answer",
    "outcome",
]


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def probe_row(probe: Probe) -> dict[str, Any]:
    """One probe as plain values (the CSV columns)."""
    waited = probe.time_to_answer
    return {
        "drill": probe.drill.reference,
        "organisation": probe.organisation_name,
        "contact": probe.contact_name,
        "email": probe.email,
        "language": probe.language,
        "sent_at": _iso(probe.sent_at),
        "delivery": probe.delivery_status,
        "responded_at": _iso(probe.responded_at),
        "responded_via": probe.responded_via,
        "seconds_to_answer": int(waited.total_seconds()) if waited is not None else None,
        "outcome": probe.outcome,
    }


def results_csv(probes: Iterable[Probe]) -> str:
    """The probes as CSV text with a header line."""
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for probe in probes:
        row = probe_row(probe)
        writer.writerow({key: "" if value is None else value for key, value in row.items()})
    return output.getvalue()


def drill_summary(drill: Drill) -> dict[str, Any]:
    """The drill's own facts."""
    return {
        "id": drill.pk,
        "reference": drill.reference,
        "title": drill.title,
        "status": drill.status,
        "announced": drill.announced,
        "organisation_kinds": drill.organisation_kinds,
        "organisations": [org.short_name for org in drill.organisations.order_by("name")],
        "contact_scope": drill.contact_scope,
        "response_minutes": drill.response_minutes,
        "late_minutes": drill.late_minutes,
        "created_at": _iso(drill.created_at),
        "launched_at": _iso(drill.launched_at),
        "closed_at": _iso(drill.closed_at),
    }


def results_document(drill: Drill) -> dict[str, Any]:
    """The drill, its figures and every probe: the JSON export and ``dnscert drill report``."""
    probes = list(probes_of(drill))
    return {
        "tlp": REPORT_TLP.label,
        "drill": drill_summary(drill),
        "figures": figures.figures_of(probes).as_dict(),
        "probes": [probe_row(probe) for probe in probes],
    }


def probes_of(drill: Drill) -> Any:
    return drill.probes.select_related("drill", "message").order_by(
        "organisation_name", "contact_name", "id"
    )


def report_pdf(drill: Drill) -> bytes:
    """The drill report as a PDF a board can read."""
    probes = list(probes_of(drill))
    context = {
        "drill": drill,
        "figures": figures.figures_of(probes),
        "probes": probes,
        "trend": figures.trend(),
        "tlp": REPORT_TLP.label,
    }
    return render_pdf("drills/report_pdf.html", context, tlp=REPORT_TLP)


def filename(drill: Drill, extension: str) -> str:
    """``DRILL-2026-0001-results.csv`` and the like."""
    return f"{drill.reference}-results.{extension}"
