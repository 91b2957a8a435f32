"""The after-action report as Markdown, CSV, JSON and PDF (for pages, API and the CLI)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.template.loader import render_to_string

from dnscert.core.choices import TLP
from dnscert.core.pdf import render_pdf
from dnscert.exercises.report import Report, Summary

FORMATS = ("md", "csv", "json", "pdf")
CSV_HEADER = [
    "inject",
    "organisation",
    "delivered_at_utc",
    "first_answer_at_utc",
    "minutes_to_answer",
    "answers",
    "response_required",
    "missed",
]


def _context(report: Report) -> dict[str, Any]:
    return {
        "report": report,
        "exercise": report.exercise,
        "tlp_label": TLP(report.exercise.tlp).label_text,
    }


def to_markdown(report: Report) -> str:
    """The report in Markdown, headed and footed by its TLP label."""
    return render_to_string("exercises/report.md", _context(report))


def _cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(report: Report) -> str:
    """One line per inject delivered to one participant."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in report.rows:
        writer.writerow(
            [
                _cell(row.inject),
                _cell(row.organisation),
                row.delivered_at.isoformat(),
                row.first_response_at.isoformat() if row.first_response_at else "",
                "" if row.minutes is None else row.minutes,
                row.answers,
                "yes" if row.response_required else "no",
                "yes" if row.missed else "no",
            ]
        )
    return buffer.getvalue()


def _summary(summary: Summary) -> dict[str, Any]:
    return {
        "label": summary.label,
        "delivered": summary.delivered,
        "answered": summary.answered,
        "missed": summary.missed,
        "median_minutes": summary.median_minutes,
        "slowest_minutes": summary.slowest_minutes,
    }


def to_dict(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data."""
    exercise = report.exercise
    return {
        "reference": exercise.reference,
        "title": exercise.title,
        "tlp": exercise.tlp,
        "status": exercise.status,
        "started_at": exercise.started_at.isoformat() if exercise.started_at else None,
        "ended_at": exercise.ended_at.isoformat() if exercise.ended_at else None,
        "per_inject": [_summary(s) for s in report.per_inject],
        "per_participant": [_summary(s) for s in report.per_participant],
        "rows": [dict(zip(CSV_HEADER, _row(row), strict=True)) for row in report.rows],
        "objectives": [
            {"text": o.text, "result": o.result, "comment": o.comment} for o in report.objectives
        ],
        "observer_notes": [{"at": n.created_at.isoformat(), "body": n.body} for n in report.notes],
        "lessons_learned": exercise.lessons_learned,
        "generated_at": report.generated_at.isoformat(),
    }


def _row(row: Any) -> list[Any]:
    return [
        row.inject,
        row.organisation,
        row.delivered_at.isoformat(),
        row.first_response_at.isoformat() if row.first_response_at else None,
        row.minutes,
        row.answers,
        row.response_required,
        row.missed,
    ]


def to_json(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False)


def to_pdf(report: Report) -> bytes:
    """The printable report, TLP label on every page."""
    return render_pdf("exercises/report_pdf.html", _context(report), tlp=report.exercise.tlp)


def filename(report: Report, extension: str) -> str:
    return f"{report.exercise.reference}-after-action.{extension}"
