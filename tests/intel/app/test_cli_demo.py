"""``dnscert intel ingest``, ``registrations-import`` and ``demo-intel``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Sum

from dnscert.directory.demo import load_demo_directory
from dnscert.intel.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main
from dnscert.intel.models import DailyAggregate, Event, Feed, Registration
from tests.intel.app import factories

pytestmark = pytest.mark.django_db


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_it_ingests_a_file_and_prints_the_summary() -> None:
    status, output = _run("ingest", str(factories.SAMPLES / "urlhaus.csv"), "--format", "urlhaus")
    assert status == EXIT_OK
    assert "5 accepted, 3 failed, 0 duplicates" in output
    assert Feed.objects.get(name="urlhaus").parser == "urlhaus"
    again, output = _run(
        "ingest", str(factories.SAMPLES / "urlhaus.csv"), "--format", "urlhaus", "--feed", "urlhaus"
    )
    assert again == EXIT_OK and "0 accepted, 3 failed, 5 duplicates" in output


def test_it_explains_usage_errors(tmp_path: Path) -> None:
    assert _run("ingest", str(tmp_path / "missing.csv"), "--format", "urlhaus")[0] == EXIT_USAGE
    sample = str(factories.SAMPLES / "urlhaus.csv")
    assert _run("ingest", sample, "--format", "no-such-parser")[0] == EXIT_USAGE
    _run("ingest", sample, "--format", "urlhaus", "--feed", "mine")
    assert _run("ingest", sample, "--format", "plain", "--feed", "mine")[0] == EXIT_USAGE
    assert _run("ingest", sample)[0] == EXIT_USAGE  # --format is required


def test_it_imports_registrations_from_the_command_line(tmp_path: Path) -> None:
    table = tmp_path / "r.csv"
    table.write_text("domain,registrar,iana_id\na.xa,X,9001\nbad domain,Y,2\n", encoding="utf-8")
    status, output = _run("registrations-import", str(table))
    assert status == EXIT_FAILURE and "1 registrations imported, 1 rows rejected" in output
    assert Registration.objects.get().domain == "a.xa"


def test_the_demo_loads_a_registrar_concentration_once() -> None:
    load_demo_directory()
    call_command("demo-intel", stdout=io.StringIO())
    events = Event.objects.count()
    assert events > 400
    assert Event.objects.filter(registrar_org__isnull=False).count() == events
    call_command("demo-intel", stdout=io.StringIO())
    assert Event.objects.count() == events
    per_registrar = dict(
        DailyAggregate.objects.filter(dimension="registrar")
        .values_list("key")
        .annotate(new=Sum("new_registrations"))
    )
    assert per_registrar["9002"] > 0.8 * sum(per_registrar.values())
