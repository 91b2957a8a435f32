"""Exports: an after-action report as Markdown or PDF, and the quarterly board report as PDF.

Markdown and PDF render the same context as the web page
(:func:`dnscert.insight.display.report_context`), so they never disagree.
"""

from __future__ import annotations

import re
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from dnscert.core.pdf import render_pdf
from dnscert.insight import kpis
from dnscert.insight.display import report_context
from dnscert.insight.models import AfterActionReport

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")


def md_text(value: Any) -> str:
    """``value`` with Markdown and HTML specials escaped, so report text stays text."""
    return _MD_SPECIAL.sub(r"\\\1", str(value or ""))


def md_cell(value: Any) -> str:
    """``value`` escaped for one Markdown table cell (one line, pipes escaped)."""
    return " ".join(md_text(value).split())


def report_markdown(report: AfterActionReport) -> str:
    """The report as a Markdown document."""
    return render_to_string("insight/aar.md", report_context(report))


def report_pdf(report: AfterActionReport) -> bytes:
    """The report as a PDF document labelled with its TLP."""
    return render_pdf("insight/aar_pdf.html", report_context(report), tlp=report.tlp)


def report_filename(report: AfterActionReport, extension: str) -> str:
    return f"{report.incident.reference}-after-action.{extension}"


def quarterly_pdf(user: Any, year: int | str, number: int | str) -> bytes:
    """The quarterly report a board can read: aggregate KPIs of the quarter, TLP:CLEAR.

    It counts what ``user`` may see and names no incident and no organisation, so it can be
    shared with anyone.
    """
    period = kpis.quarter(year, number)
    figures = kpis.compute(user, period)
    figures["participant_acknowledgement"].pop("organisations", None)
    context = {
        "figures": figures,
        "year": period.start.year,
        "quarter": (period.start.month - 1) // 3 + 1,
        "period": period,
        "made_at": timezone.now(),
    }
    return render_pdf("insight/quarterly_pdf.html", context, tlp="CLEAR")
