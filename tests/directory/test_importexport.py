"""Import and export of the directory: formats, all-or-nothing, every error listed."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from dnscert.core.models import AuditEvent
from dnscert.directory import importexport, services
from dnscert.directory.importexport import DirectoryImportError, import_directory
from dnscert.directory.models import Contact, NameserverHost, Organisation, Product, Zone
from tests.personas import make_org, member, responder, staff

from .conftest import Keys

pytestmark = pytest.mark.django_db

ORGANISATIONS_CSV = "\n".join(
    [
        "short_name,name,kind,country,languages,time_zone,"
        "zones,nameservers,prefixes,asns,products,clients",
        "registry-xa,Registre XA,cctld_registry,fr,fr; en,Europe/Paris,"
        "xa.,a.nic.xa. 192.0.2.1 2001:db8::1; b.nic.xa.,192.0.2.0/24,64496,,",
        "vendor-r,Resolvd Project,vendor,NL,en,Europe/Amsterdam,,,,,Resolvd (resolver),",
        "cert-xa,CERT-XA,national_cert,FR,fr,Europe/Paris,,,,,,registry-xa; vendor-r",
        "",
    ]
)

CONTACTS_CSV = "\n".join(
    [
        "organisation,name,email,is_role_mailbox,phone,languages,time_zone,is_24x7,last_verified",
        "registry-xa,noc,NOC@registre-xa.example,yes,+33 1 99 00 10 01,fr en,Europe/Paris,yes,"
        "2026-01-15",
        "registry-xa,Camille,camille@registre-xa.example,no,,fr,Europe/Paris,no,",
        "",
    ]
)


def run_import(
    text: str, file_format: str = "csv", **options: object
) -> importexport.ImportSummary:
    return import_directory(None, text.encode("utf-8"), file_format=file_format, **options)  # type: ignore[arg-type]


def errors_of(text: str, file_format: str = "csv") -> list[str]:
    with pytest.raises(DirectoryImportError) as error:
        run_import(text, file_format)
    return error.value.errors


def test_it_imports_organisations_and_contacts_from_csv() -> None:
    summary = run_import(ORGANISATIONS_CSV)
    assert summary.created == {
        "organisations": 3,
        "zones": 1,
        "nameservers": 2,
        "prefixes": 1,
        "asns": 1,
        "products": 1,
    }
    registry = Organisation.objects.get(short_name="registry-xa")
    assert (registry.country, registry.languages) == ("FR", ["fr", "en"])
    assert NameserverHost.objects.get(hostname="a.nic.xa.").addresses == [
        "192.0.2.1",
        "2001:db8::1",
    ]
    cert = Organisation.objects.get(short_name="cert-xa")
    assert sorted(cert.clients.values_list("short_name", flat=True)) == ["registry-xa", "vendor-r"]
    run_import(CONTACTS_CSV)
    noc = Contact.objects.get(email="noc@registre-xa.example")
    assert (noc.is_role_mailbox, noc.is_24x7, noc.phone) == (True, True, "+33199001001")
    assert str(noc.last_verified) == "2026-01-15"


def test_it_upserts_by_short_name_and_email() -> None:
    run_import(ORGANISATIONS_CSV)
    run_import(CONTACTS_CSV)
    again = run_import(ORGANISATIONS_CSV.replace("Registre XA", "Registre XA (new name)"))
    assert again.updated == {"organisations": 1}
    assert again.unchanged["organisations"] == 2
    assert not again.created
    contacts = run_import(CONTACTS_CSV.replace("Camille,", "Camille Exemple,"))
    assert (contacts.updated, contacts.unchanged) == ({"contacts": 1}, {"contacts": 1})
    assert Organisation.objects.get(short_name="registry-xa").name == "Registre XA (new name)"
    assert Contact.objects.count() == 2


def test_it_lists_every_error_and_writes_nothing() -> None:
    existing = make_org()
    services.create_zone(None, existing, name="xb.")
    bad = (
        "short_name,name,kind,country,zones,asns\n"
        "good,Good Org,isp,FR,good.xa.,64496\n"
        "bad,Bad Org,spaceship,ZZ,xb.,0\n"
        "good,Duplicate,isp,FR,,\n"
    )
    errors = errors_of(bad)
    assert "row 3, field kind: Value 'spaceship' is not a valid choice." in errors
    assert "row 3, field country: 'ZZ' is not an ISO 3166-1 alpha-2 country code." in errors
    assert f"row 3, field zones: xb. is registered to {existing.short_name}." in errors
    assert any(e.startswith("row 3, field asns:") for e in errors)
    assert "row 4, field short_name: good also appears at row 2." in errors
    assert not Organisation.objects.filter(short_name__in=["good", "bad"]).exists()
    assert not Zone.objects.filter(name="good.xa.").exists()


def test_it_reports_contact_errors_by_row_and_field() -> None:
    run_import(ORGANISATIONS_CSV)
    bad = (
        "organisation,name,email,phone,time_zone,is_24x7,last_verified\n"
        "registry-xa,A,not-an-email,+33 CALL,Mars/Base,maybe,yesterday\n"
        "nowhere,B,b@x.example,,UTC,no,\n"
        "registry-xa,C,c@x.example,,UTC,no,\n"
        "registry-xa,C again,C@x.example,,UTC,no,\n"
    )
    errors = errors_of(bad)
    assert any(e.startswith("row 2, field email:") for e in errors)
    assert any(e.startswith("row 2, field phone:") and "letters" in e for e in errors)
    assert any(e.startswith("row 2, field time_zone:") for e in errors)
    assert any(e.startswith("row 2, field is_24x7:") for e in errors)
    assert any(e.startswith("row 2, field last_verified:") for e in errors)
    assert "row 3, field organisation: no organisation 'nowhere'." in errors
    assert "row 5, field email: c@x.example also appears at row 4." in errors
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("short_name,name,kind,colour\nx,X,isp,red\n", "header: unknown column 'colour'."),
        ("short_name,name\nx,X\n", "header: required column 'kind' is missing."),
        (
            "short_name,name,kind,kind\nx,X,isp,isp\n",
            "header: column 'kind' appears more than once.",
        ),
        ("", "file: the CSV file is empty; a header row is required."),
        ("just some text\nmore text\n", "header: not a directory CSV file"),
        ("short_name,name,kind\nx,X\n", "row 2: has 2 cells, the header 3."),
    ],
)
def test_it_refuses_malformed_csv(text: str, expected: str) -> None:
    errors = errors_of(text)
    assert any(error.startswith(expected) for error in errors), errors


def test_it_refuses_binary_wrong_encoding_and_huge_files() -> None:
    with pytest.raises(DirectoryImportError, match="binary"):
        import_directory(None, b"\x89PNG\r\n\x1a\n\x00\x00", file_format="csv")
    with pytest.raises(DirectoryImportError, match="not UTF-8"):
        import_directory(None, "short_name,name\né,É\n".encode("latin-1"), file_format="csv")
    huge = b"short_name,name,kind\n" + b"x" * importexport.MAX_IMPORT_BYTES
    with pytest.raises(DirectoryImportError, match="import limit"):
        import_directory(None, huge, file_format="csv")


def test_it_imports_json_with_nested_items(pgp_keys: Keys) -> None:
    document = {
        "format": "dnscert-directory",
        "version": 1,
        "organisations": [
            {
                "short_name": "vendor-a",
                "name": "AuthNS Software",
                "kind": "vendor",
                "products": [
                    {"name": "AuthNS", "kind": "authoritative", "cpe": "cpe:2.3:a:x:y", "purl": ""}
                ],
                "contacts": [
                    {
                        "name": "security",
                        "email": "security@authns.example",
                        "is_role_mailbox": True,
                        "is_24x7": True,
                        "pgp_key": pgp_keys.valid.armoured,
                        "last_verified": None,
                    }
                ],
            }
        ],
    }
    summary = run_import(json.dumps(document), "json")
    assert summary.created == {"organisations": 1, "products": 1, "contacts": 1}
    contact = Contact.objects.get()
    assert contact.pgp_fingerprint == pgp_keys.valid.fingerprint
    assert Product.objects.get().cpe == "cpe:2.3:a:x:y"


def test_it_names_json_paths_in_errors(pgp_keys: Keys) -> None:
    document = {
        "organisations": [
            {"short_name": "ok", "name": "OK", "kind": "isp"},
            {"short_name": "x", "name": "X", "kind": "isp", "iana_id": "nine"},
            {
                "short_name": "y",
                "name": "Y",
                "kind": "isp",
                "zones": [{"name": "fine.xa."}, {"name": 5}],
                "contacts": [
                    {"name": "A", "email": "a@y.example"},
                    {"name": "B", "email": "bad", "is_24x7": "yes"},
                    {"name": "C", "email": "c@y.example", "pgp_key": pgp_keys.expired.armoured},
                ],
            },
            "not an object",
        ],
        "extra": True,
    }
    errors = errors_of(json.dumps(document), "json")
    assert "extra: unknown top-level field." in errors
    assert "organisations[1].iana_id: expected a number or null, got str." in errors
    assert "organisations[2].zones[1].name: expected a string, got int." in errors
    assert "organisations[2].contacts[1].is_24x7: expected true or false, got str." in errors
    assert "organisations[3]: expected an object." in errors
    assert not Organisation.objects.exists()
    # Once the types are right, values are checked with the same paths.
    document = {
        "organisations": [
            {
                "short_name": "y",
                "name": "Y",
                "kind": "isp",
                "prefixes": ["192.0.2.1/24"],
                "contacts": [
                    {"name": "B", "email": "bad"},
                    {"name": "C", "email": "c@y.example", "pgp_key": pgp_keys.expired.armoured},
                ],
            }
        ]
    }
    errors = errors_of(json.dumps(document), "json")
    assert any(e.startswith("organisations[0].prefixes[0]: ") and "host bits" in e for e in errors)
    assert any(e.startswith("organisations[0].contacts[0].email: ") for e in errors)
    assert "organisations[0].contacts[1].pgp_key: the key has expired." in errors
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "file: not valid JSON"),
        ("[1, 2]", "file: expected an object with an 'organisations' list."),
        ('{"organisations": {}}', "file: expected an object with an 'organisations' list."),
    ],
)
def test_it_refuses_malformed_json(text: str, expected: str) -> None:
    assert errors_of(text, "json")[0].startswith(expected)


def test_it_rolls_back_a_dry_run() -> None:
    summary = run_import(ORGANISATIONS_CSV, dry_run=True)
    assert summary.dry_run and summary.created["organisations"] == 3
    assert "dry run" in str(summary)
    assert not Organisation.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()


def test_it_records_the_import_in_the_audit_log() -> None:
    analyst = staff()
    import_directory(analyst, ORGANISATIONS_CSV.encode(), filename="orgs.csv")
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.actor == analyst
    assert event.changes["created"]["organisations"] == 3
    assert "orgs.csv" in event.object_repr


def test_it_lets_only_staff_import() -> None:
    for user in (responder(), member()):
        with pytest.raises(PermissionDenied):
            import_directory(user, ORGANISATIONS_CSV.encode(), file_format="csv")
    assert not Organisation.objects.filter(short_name="registry-xa").exists()


def test_it_round_trips_json_and_csv_exports() -> None:
    run_import(ORGANISATIONS_CSV)
    run_import(CONTACTS_CSV)
    organisations = Organisation.objects.all()
    document = importexport.export_json(None, organisations)
    assert [org["short_name"] for org in document["organisations"]] == [
        "cert-xa",
        "registry-xa",
        "vendor-r",
    ]
    registry = document["organisations"][1]
    assert registry["zones"] == [{"name": "xa.", "kind": "tld", "monitored": True}]
    assert registry["contacts"][0]["email"] in {
        "noc@registre-xa.example",
        "camille@registre-xa.example",
    }
    assert not run_import(json.dumps(document), "json").created
    assert not run_import(json.dumps(document), "json").updated
    organisations_csv = importexport.export_csv(None, organisations, "organisations")
    contacts_csv = importexport.export_csv(None, organisations, "contacts")
    assert "a.nic.xa. 192.0.2.1 2001:db8::1; b.nic.xa." in organisations_csv
    assert "Resolvd (resolver)" in organisations_csv
    assert not run_import(organisations_csv).updated
    assert not run_import(contacts_csv).updated
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 3


def test_it_refuses_an_unknown_csv_kind() -> None:
    with pytest.raises(ValueError, match="unknown CSV file kind"):
        importexport.export_csv(None, Organisation.objects.all(), "zones")


def test_it_imports_and_exports_from_the_command_line(tmp_path: Path) -> None:
    source = tmp_path / "organisations.csv"
    source.write_text(ORGANISATIONS_CSV, encoding="utf-8")
    out = StringIO()
    call_command("directory-import", str(source), "--dry-run", stdout=out)
    assert "dry run" in out.getvalue()
    assert not Organisation.objects.exists()
    call_command("directory-import", str(source), stdout=out)
    assert Organisation.objects.count() == 3
    target = tmp_path / "directory.json"
    call_command("directory-export", "--format", "json", "-o", str(target))
    assert len(json.loads(target.read_text())["organisations"]) == 3
    out = StringIO()
    call_command("directory-export", "--format", "csv", "--entity", "organisations", stdout=out)
    assert out.getvalue().startswith("short_name,name,kind")


def test_it_fails_the_command_with_every_error(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("short_name,name,kind\nx,X,nope\ny,Y,nope\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="2 error"):
        call_command("directory-import", str(source), stderr=err)
    assert "row 2, field kind" in err.getvalue() and "row 3, field kind" in err.getvalue()
    with pytest.raises(CommandError, match="No such file"):
        call_command("directory-import", str(tmp_path / "missing.csv"))
