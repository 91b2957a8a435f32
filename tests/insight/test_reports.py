"""After-action reports: generated from a real incident, edited, regenerated, exported."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from dnscert.core.models import AuditEvent
from dnscert.insight import export, services
from dnscert.insight.models import ReportRevision
from tests.insight.conftest import Story, close
from tests.personas import login_verified, member, outsider

pytestmark = pytest.mark.django_db


def _participant_rows(report: Any) -> dict[str, dict[str, Any]]:
    return {row["organisation"]: row for row in report.content["participants"]}


def test_it_generates_the_report_from_the_timeline(story: Story) -> None:
    incident = close(story)
    report = services.generate_report(incident, by=story.analyst)

    rows = _participant_rows(report)
    assert rows[story.registry.name]["seconds_to_acknowledge"] == 25 * 60
    assert rows[story.operator.name]["seconds_to_acknowledge"] == 125 * 60
    sla = {row["measure"]: row for row in report.content["sla"]}
    assert sla["acknowledge"]["seconds"] == 15 * 60
    assert sla["first_action"]["seconds"] == 30 * 60
    assert sla["resolve"]["seconds"] == 300 * 60
    assert all(row["target_seconds"] for row in sla.values())
    texts = [row["text"] for row in report.content["timeline"]]
    assert any("evil.example" in text for text in texts)
    assert not any("insider" in text for text in texts)  # RED entry above the AMBER report
    assert report.content["entries_left_out"] == 1
    assert any(row["kind"] == "status_change" for row in report.content["timeline"])
    assert report.content["tasks"][0]["title"] == "Restore NS"
    assert report.content["tasks"][0]["late"] is False
    actors = {row["who"]: row for row in report.content["actors"]}
    assert actors["analyst"]["organisation"] == "" and actors["analyst"]["entries"] >= 6
    assert actors["regops"]["organisation"] == story.registry.name
    assert actors["regops"]["kinds"] == {"participant_update": 1}
    assert "DNSCERT-" in report.summary and "Hijack of shop.xa" in report.summary
    assert report.revisions.count() == 1
    assert AuditEvent.objects.filter(object_type="insight.afteractionreport").exists()


def test_it_regenerates_keeping_the_edited_fields(story: Story) -> None:
    report = services.generate_report(story.incident, by=story.analyst)
    services.update_lessons(
        report, by=story.analyst, summary="Our own summary.", went_well="Fast registry.",
        actions="Write a runbook\n\nDrill quarterly",
    )  # fmt: skip
    close(story)
    again = services.generate_report(story.incident, by=story.analyst)

    assert again.pk == report.pk and again.revision == 3
    assert again.summary == "Our own summary."
    assert again.went_well == "Fast registry."
    assert again.action_lines == ["Write a runbook", "Drill quarterly"]
    assert again.content["incident"]["status"] == "closed"
    assert [r.reason for r in ReportRevision.objects.filter(report=report)] == [
        "regenerated", "edited", "generated",
    ]  # fmt: skip


def test_it_refreshes_an_untouched_summary_on_regeneration(story: Story) -> None:
    report = services.generate_report(story.incident, by=story.analyst)
    assert "Closed" not in report.summary and ", closed" not in report.summary
    close(story)
    again = services.generate_report(story.incident, by=story.analyst)
    assert ", closed 2026-03-02 15:00 UTC." in again.summary


def test_it_refuses_bad_lessons(story: Story) -> None:
    report = services.generate_report(story.incident, by=story.analyst)
    with pytest.raises(ValueError, match="went_well: is 20001 characters long"):
        services.update_lessons(report, by=story.analyst, went_well="x" * 20_001)
    with pytest.raises(ValueError, match="content: cannot be edited"):
        services.update_lessons(report, by=story.analyst, content="{}")
    with pytest.raises(PermissionError):
        services.update_lessons(report, by=member(story.registry), went_well="mine")


def test_it_exports_markdown_with_escaped_text(story: Story) -> None:
    close(story)
    report = services.generate_report(story.incident, by=story.analyst)
    services.update_lessons(report, by=story.analyst, to_improve="Reach | ops <faster>")
    text = export.report_markdown(report)

    assert text.startswith("TLP:AMBER")
    assert f"# After-action report: {story.incident.reference}" in text
    assert f"| {story.registry.name} | Affected | Acting |" in text
    assert "| 25 min |" in text and "| 2 h 05 min |" in text
    assert "NS of shop.xa \\| moved to evil.example \\<b\\>now\\</b\\>" in text
    assert "> Reach \\| ops \\<faster\\>" in text
    assert "insider" not in text
    assert "1 entry above the report's TLP is not shown." in text


def test_it_exports_a_pdf_with_the_report_content(story: Story) -> None:
    close(story)
    report = services.generate_report(story.incident, by=story.analyst)
    services.update_lessons(
        report, by=story.analyst, went_well="Registry answered within 25 minutes"
    )
    data = export.report_pdf(report)

    assert data.startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    text = " ".join(text.split())
    assert story.incident.reference in text
    assert "TLP:AMBER" in text
    assert story.registry.name in text
    assert "2 h 05 min" in text
    assert "Registry answered within 25 minutes" in text
    assert "insider" not in text


def test_it_exports_in_french(story: Story, client: Client) -> None:
    report = services.generate_report(story.incident, by=story.analyst)
    from django.utils import translation

    with translation.override("fr"):
        text = export.report_markdown(report)
    assert "Rapport post-incident" in text


def test_staff_edit_regenerate_and_download_on_the_page(story: Story, client: Client) -> None:
    login_verified(client, story.analyst)
    reference = story.incident.reference
    page = client.get(f"/insight/reports/{reference}/")
    assert page.status_code == 200 and b"Generate the after-action report" in page.content

    assert client.post(f"/insight/reports/{reference}/generate/").status_code == 302
    saved = client.post(
        f"/insight/reports/{reference}/edit/",
        {"summary": "S", "went_well": "Good", "to_improve": "", "actions": "A1"},
    )
    assert saved.status_code == 302
    page = client.get(f"/insight/reports/{reference}/")
    assert b"Good" in page.content and b"2 h 05 min" in page.content
    too_long = client.post(f"/insight/reports/{reference}/edit/", {"went_well": "x" * 20_001})
    assert too_long.status_code == 400 and b"went_well" in too_long.content

    markdown = client.get(f"/insight/reports/{reference}/after-action.md")
    assert markdown.status_code == 200 and b"Good" in markdown.content
    pdf = client.get(f"/insight/reports/{reference}/after-action.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert client.get(f"/insight/reports/{reference}/after-action.exe").status_code == 404


def test_a_member_of_another_organisation_cannot_see_the_report(
    story: Story, client: Client
) -> None:
    services.generate_report(story.incident, by=story.analyst)
    reference = story.incident.reference
    client.force_login(outsider())
    assert client.get(f"/insight/reports/{reference}/").status_code == 404
    assert client.get(f"/insight/reports/{reference}/after-action.pdf").status_code == 404
    assert client.get(f"/api/insight/after-action-reports/{reference}/").status_code == 404
    assert b"DNSCERT" not in client.get("/insight/reports/").content


def test_a_participant_member_reads_but_cannot_edit(story: Story, client: Client) -> None:
    services.generate_report(story.incident, by=story.analyst)
    reference = story.incident.reference
    client.force_login(member(story.registry))
    page = client.get(f"/insight/reports/{reference}/")
    assert page.status_code == 200
    assert b"Edit the summary" not in page.content and b"insider" not in page.content
    assert client.post(f"/insight/reports/{reference}/generate/").status_code == 403
    assert client.post(f"/insight/reports/{reference}/edit/", {"summary": "x"}).status_code == 403
    assert AuditEvent.objects.filter(
        action="read", object_type="insight.afteractionreport"
    ).exists()
