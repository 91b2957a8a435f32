"""Registration data: the importable table and RDAP lookups through the HTTP wrapper."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from dnscert.intel import rdap, registrations
from dnscert.intel.choices import Dimension, RegistrationSource
from dnscert.intel.models import DailyAggregate, Event, Registration
from tests.intel.app import factories
from tests.intel.app.conftest import WebServer, World

pytestmark = pytest.mark.django_db

RDAP_ANSWER = {
    "objectClassName": "domain",
    "ldhName": "plain.xa",
    "events": [{"eventAction": "registration", "eventDate": "2026-11-18T10:00:00Z"}],
    "entities": [
        {
            "objectClassName": "entity",
            "roles": ["registrar"],
            "publicIds": [{"type": "IANA Registrar ID", "identifier": "9002"}],
            "vcardArray": [
                "vcard",
                [["version", {}, "text", "4.0"], ["fn", {}, "text", "Registrador Ejemplo"]],
            ],
        }
    ],
}


def test_it_imports_csv_and_reports_bad_rows_by_line(tmp_path: Path) -> None:
    table = tmp_path / "registrations.csv"
    table.write_text(
        "Domain,Registrar_Name,IANA_ID,Creation_Date\n"
        "Bücher.XA,Domaines Exemple,9003,2026-01-02\n"
        "bad name.xa,X,1,2026-01-01\n"
        "ok.xb,Y,abc,2026-01-01\n"
        "late.xc,Z,9001,yesterday\n",
        encoding="utf-8",
    )
    result = registrations.import_file(table)
    assert result.imported == 1 and result.error_count == 3
    assert result.errors[0].startswith("row 3: domain:")
    assert "iana_id" in result.errors[1] and "created" in result.errors[2]
    stored = Registration.objects.get()
    assert (stored.domain, stored.tld, stored.iana_id) == ("xn--bcher-kva.xa", "xa", 9003)


def test_it_imports_json_and_updates_existing_domains() -> None:
    first = [{"domain": "a.xa", "registrar": "Old", "iana_id": 9001}]
    registrations.import_text(json.dumps(first))
    second = [{"domain": "a.xa", "registrar": "New", "iana_id": 9002, "created": "2026-05-01"}, 7]
    result = registrations.import_text(json.dumps(second))
    assert (result.imported, result.error_count) == (1, 1)
    assert Registration.objects.get(domain="a.xa").registrar_name == "New"


def test_it_refuses_a_table_without_a_domain_column() -> None:
    with pytest.raises(registrations.InvalidInput, match="domain"):
        registrations.import_text("name,registrar\na.xa,X\n")


def test_it_attributes_pending_domains_over_rdap(
    world: World, web_server: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DNSCERT_INTEL_RDAP_URL", web_server.url("/rdap/"))
    web_server.pages["/rdap/domain/plain.xa"] = (200, json.dumps(RDAP_ANSWER).encode())
    Event.objects.update(time_observation=timezone.now())
    result = rdap.attribute_pending()
    assert result == {"looked_up": 1, "errors": 0, "events": 1}
    event = Event.objects.get(source_fqdn="plain.xa")
    assert (event.registrar_iana_id, event.registrar_org_id) == (9002, world.registrar_other.pk)
    cached = Registration.objects.get(domain="plain.xa")
    assert cached.source == RegistrationSource.RDAP
    assert rdap.attribute_pending()["looked_up"] == 0  # cached: not asked again
    assert web_server.requested == ["/rdap/domain/plain.xa"]
    other = DailyAggregate.objects.get(dimension=Dimension.REGISTRAR, key="9002")
    assert other.count == 2  # mail.xb plus plain.xa after the rebuild


def test_it_caches_unknown_domains_and_counts_server_errors(
    web_server: WebServer, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.setenv("DNSCERT_INTEL_RDAP_URL", web_server.url("/rdap"))
    unknown = rdap.lookup("nobody.xa")
    assert unknown.registrar_name == "" and unknown.iana_id is None
    web_server.pages["/rdap/domain/broken.xa"] = (200, b"<html>")
    with pytest.raises(rdap.http.OutboundHTTPError, match="not JSON"):
        rdap.lookup("broken.xa")


def test_it_does_nothing_without_an_rdap_server(world: World) -> None:
    assert rdap.attribute_pending() == {"looked_up": 0, "errors": 0, "events": 0}
    with pytest.raises(registrations.InvalidInput, match="DNSCERT_INTEL_RDAP_URL"):
        rdap.ask("plain.xa")


def test_it_reads_registrar_data_from_an_rdap_answer() -> None:
    answer = rdap.parse_answer(RDAP_ANSWER)
    assert (answer.registrar_name, answer.iana_id) == ("Registrador Ejemplo", 9002)
    assert answer.created_at is not None and answer.created_at.day == 18
    assert rdap.parse_answer({"entities": "nonsense"}) == rdap.RdapAnswer("", None, None)
    factories.registration("x.xa", "A", None, answer.created_at)
