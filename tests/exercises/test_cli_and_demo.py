"""``dnscert exercise tick|report``, the report exports (Markdown, CSV, JSON, PDF) and the
demo exercises."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from dnscert.exercises import services
from dnscert.exercises.demo import DGA_TITLE, HIJACK_TITLE
from dnscert.exercises.models import Exercise, InjectDelivery, Response
from tests.exercises.factories import Cast
from tests.personas import login_verified

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _answered(cast: Cast) -> Cast:
    t0 = timezone.now() - timedelta(hours=1)
    services.start(cast.exercise, by=cast.control, now=t0)
    services.deliver(cast.first, now=t0)
    delivery = InjectDelivery.objects.get(inject=cast.first, participant__organisation=cast.xa)
    services.respond(delivery, by=None, body="ok", now=t0 + timedelta(minutes=7))
    services.add_note(cast.exercise, by=cast.control, body="XB slow to answer")
    services.set_lessons(cast.exercise, by=cast.control, text="Check the XB mailbox.")
    return cast


def test_tick_delivers_due_injects_now(cast: Cast) -> None:
    services.start(cast.exercise, by=cast.control, now=timezone.now() - timedelta(minutes=1))
    output = _run("exercise", "tick")
    assert f"{cast.exercise.reference}\tUnexpected NS change" in output
    assert "1 inject(s) delivered." in output
    assert "0 inject(s) delivered." in _run("exercise", "tick")


def test_report_prints_markdown_csv_and_json(cast: Cast) -> None:
    ref = _answered(cast).exercise.reference
    markdown = _run("exercise", "report", ref)
    assert markdown.startswith("TLP:AMBER") and f"# After-action report: {ref}" in markdown
    assert "| Registre XA | 1 | 1 | 0 | 7.0 | 7.0 |" in markdown
    assert "XB slow to answer" in markdown and "Check the XB mailbox." in markdown
    rows = list(csv.DictReader(io.StringIO(_run("exercise", "report", ref, "--format", "csv"))))
    assert {(r["organisation"], r["minutes_to_answer"]) for r in rows} == {
        ("Registre XA", "7.0"),
        ("XB Registry", ""),
    }
    figures = json.loads(_run("exercise", "report", ref.lower(), "--format", "json"))
    assert figures["reference"] == ref and figures["per_inject"][0]["answered"] == 1
    french = _run("exercise", "report", ref, "--language", "fr")
    assert f"# Rapport post-incident: {ref}" in french
    with pytest.raises(CommandError, match="no exercise"):
        _run("exercise", "report", "EXR-1999-0001")


def test_the_report_page_exports_pdf_and_markdown(cast: Cast) -> None:
    ref = _answered(cast).exercise.reference
    client = login_verified(Client(), cast.control)
    page = client.get(f"/exercises/{ref}/report/").content.decode()
    assert 'id="exercise-chart"' in page and "Registre XA" in page
    pdf = client.get(f"/exercises/{ref}/report/?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert f"{ref}-after-action.pdf" in pdf["Content-Disposition"]
    markdown = client.get(f"/exercises/{ref}/report/?format=md")
    assert markdown["Content-Type"].startswith("text/markdown")
    objective = cast.exercise.objectives.first()
    assert objective is not None
    client.post(f"/exercises/{ref}/report/objectives/{objective.pk}/", {"result": "met"})
    objective.refresh_from_db()
    assert objective.result == "met"


def test_demo_exercises_load_once_with_realistic_answers() -> None:
    with pytest.raises(CommandError, match="demo-directory"):
        _run("demo-exercises")
    call_command("demo-directory", stdout=io.StringIO())
    assert "Demo exercises loaded" in _run("demo-exercises")
    ended = Exercise.objects.get(title=HIJACK_TITLE)
    assert ended.status == "ended" and ended.injects.count() == 6
    assert not ended.injects.filter(delivered_at=None).exists()
    delays = {d.time_to_respond for d in InjectDelivery.objects.filter(inject__exercise=ended)} - {
        None
    }
    assert min(delays) >= timedelta(minutes=6) and max(delays) <= timedelta(minutes=55)
    assert Response.objects.filter(delivery__inject__exercise=ended).count() == 13
    assert ended.objectives.exclude(result="").count() == 3 and ended.lessons_learned
    planned = Exercise.objects.get(title=DGA_TITLE)
    assert planned.status == "planned" and planned.participants.count() == 3
    assert "already present" in _run("demo-exercises")
    markdown = _run("exercise", "report", ended.reference)
    assert "Registre XA" in markdown and "Restoration and lessons" in markdown
