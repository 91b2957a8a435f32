"""``dnscert drill launch|close|report`` and ``dnscert demo-drills``."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dnscert.directory.demo import load_demo_directory
from dnscert.directory.drills import demo
from dnscert.directory.drills.choices import DrillStatus, Outcome
from dnscert.directory.drills.models import Drill
from tests.drills import factories

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("drill", *args, stdout=out)
    return out.getvalue()


def test_it_launches_reports_and_closes_by_id_or_reference() -> None:
    factories.registry("xa")
    drill = factories.drill()
    assert _run("launch", str(drill.pk)) == f"{drill.reference}: running, 1 probe(s)\n"
    text = _run("report", drill.reference.lower())
    assert "probes 1, answered 0, response rate 0 %" in text
    assert "noc@nic.xa.example\tpending" in text
    assert _run("close", drill.reference).startswith(f"{drill.reference}: closed")
    document = json.loads(_run("report", str(drill.pk), "--json"))
    assert document["drill"]["status"] == "closed"
    assert document["probes"][0]["outcome"] == Outcome.NO_ANSWER


def test_it_names_what_is_wrong() -> None:
    factories.registry("xa")
    with pytest.raises(CommandError, match="no drill with id or reference 'DRILL-1999-0001'"):
        _run("report", "DRILL-1999-0001")
    drill = factories.drill()
    with pytest.raises(CommandError, match=r"^status: only a running drill can be closed"):
        _run("close", str(drill.pk))


def test_the_demo_drill_is_closed_with_realistic_outcomes_and_loads_once() -> None:
    load_demo_directory()
    out = StringIO()
    call_command("demo-drills", stdout=out)
    drill = Drill.objects.get(title=demo.TITLE)
    assert drill.status == DrillStatus.CLOSED
    counts = demo.outcome_counts(drill)
    assert counts.get(Outcome.IN_TIME, 0) >= 2
    assert {Outcome.LATE, Outcome.BOUNCED, Outcome.NO_ANSWER} <= set(counts)
    assert out.getvalue().startswith(f"Demo drill {drill.reference} (closed):")
    call_command("demo-drills", stdout=StringIO())
    assert Drill.objects.count() == 1


def test_the_demo_drill_needs_the_demo_directory() -> None:
    out = StringIO()
    call_command("demo-drills", stdout=out)
    assert "no 24x7 contact" in out.getvalue() and not Drill.objects.exists()
