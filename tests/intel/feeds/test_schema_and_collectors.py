"""The schema validators, the failed-record shape and the file collectors."""

from __future__ import annotations

import csv
import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dnscert.core.exceptions import InvalidInput
from dnscert.intel.feeds.collectors import read_file
from dnscert.intel.feeds.records import split_csv
from dnscert.intel.schema import (
    FIELDS,
    FailedRecord,
    InvalidValue,
    event_problems,
    is_ip,
    normalise_asn,
    normalise_fqdn,
    normalise_ip,
    normalise_network,
    normalise_port,
    normalise_time,
    normalise_url,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("192.0.2.7", True),
        (" 192.0.2.7 ", True),
        ("2001:db8::1", True),
        ("[2001:db8::1]", True),
        ("fe80::1%eth0", True),
        ("::ffff:192.0.2.1", True),
        ("www.example.xa", False),
        ("192.0.2.256", False),
        ("http://192.0.2.7/login", False),
        ("http://[2001:db8::1]/x", False),
        ("192.0.2.7:8080", False),
        ("host.example:443", False),
        ("2001:db8::g", False),
        ("", False),
    ],
)
def test_is_ip_tells_addresses_from_names_urls_and_ports(value: str, expected: bool) -> None:
    assert is_ip(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20 08:15:00", "2026-11-20T08:15:00+00:00"),
        ("2026-11-20T10:15:00+02:00", "2026-11-20T08:15:00+00:00"),
        ("2026-11-20T08:15:00Z", "2026-11-20T08:15:00+00:00"),
        ("2026-11-20 08:15:00 UTC", "2026-11-20T08:15:00+00:00"),
        ("2026-11-20", "2026-11-20T00:00:00+00:00"),
        ("1795080000", "2026-11-19T09:20:00+00:00"),
        (1795080000, "2026-11-19T09:20:00+00:00"),
        (datetime(2026, 11, 20, 8, 15, tzinfo=UTC), "2026-11-20T08:15:00+00:00"),
    ],
)
def test_it_normalises_timestamps_to_utc_iso_8601(value: object, expected: str) -> None:
    assert normalise_time(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["yesterday", "2026-02-30 00:00:00", "1899-01-01", ""])
def test_it_rejects_bad_timestamps_naming_the_field(value: str) -> None:
    with pytest.raises(InvalidValue, match=r"^time\.source: "):
        normalise_time(value)


def test_it_normalises_addresses_and_prefixes() -> None:
    assert normalise_ip(" 2001:0DB8:0:0::1 ") == "2001:db8::1"
    assert normalise_ip("[2001:db8::2]") == "2001:db8::2"
    assert normalise_network("192.0.2.77/24") == "192.0.2.0/24"
    with pytest.raises(InvalidValue, match="not an IP address"):
        normalise_ip("192.0.2.256")
    with pytest.raises(InvalidValue, match="no '/length'"):
        normalise_network("192.0.2.0")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("-bad.example", "invalid label '-bad'"),
        ("a" * 64 + ".example", "label over 63 characters"),
        (("a" * 60 + ".") * 5 + "example", "over 253"),
        ("bad name.example", "characters not allowed"),
        ("192.0.2.1", "is an IP address"),
        ("localhost", "single label"),
    ],
)
def test_it_rejects_bad_dns_names(value: str, problem: str) -> None:
    with pytest.raises(InvalidValue, match=problem):
        normalise_fqdn(value)


def test_it_accepts_underscores_and_unicode_labels_in_dns_names() -> None:
    assert normalise_fqdn("_dmarc.Example.") == "_dmarc.example"
    assert normalise_fqdn("Bücher.xa") == "bücher.xa"


def test_it_splits_urls_and_refangs_them() -> None:
    parsed = normalise_url("hxxp://Bad[.]Example:8080/Path?Q=1")
    assert parsed.url == "http://bad.example:8080/Path?Q=1"
    assert (parsed.host, parsed.host_is_ip, parsed.port) == ("bad.example", False, 8080)
    assert normalise_url("http://[2001:db8::1]/").host == "2001:db8::1"
    with pytest.raises(InvalidValue, match="invalid port"):
        normalise_url("http://bad.example:99999/")


def test_it_checks_ports_and_as_numbers() -> None:
    assert normalise_port("443") == 443
    assert normalise_asn("AS64500") == 64500
    with pytest.raises(InvalidValue, match="outside 1-4294967295"):
        normalise_asn("0")
    with pytest.raises(InvalidValue, match="is not an integer"):
        normalise_port(["443"])  # type: ignore[arg-type]


def test_it_lists_schema_problems_of_an_event() -> None:
    event = {"feed.name": "f", "raw": "x", "source.domain": "a.example", "extra": "text"}
    assert event_problems(event) == [
        "unknown field 'source.domain'",
        "missing field 'time.observation'",
        "missing field 'classification.type'",
        "field 'extra' is not a dict",
    ]


def test_it_documents_every_schema_field_in_the_module_docstring() -> None:
    import dnscert.intel.schema as schema

    assert schema.__doc__ is not None
    for name in FIELDS:
        assert f"``{name}``" in schema.__doc__


def test_it_serialises_a_failed_record() -> None:
    record = FailedRecord("feed", 3, "raw line", "why")
    assert record.as_dict() == {
        "feed": "feed",
        "line": 3,
        "raw": "raw line",
        "reason": "why",
        "stage": "parser",
    }


def test_it_reads_plain_and_gzip_files_line_by_line(tmp_path: Path) -> None:
    plain = tmp_path / "feed.txt"
    plain.write_bytes(b"a.example\nb.example\n")
    packed = tmp_path / "feed.txt.gz"
    packed.write_bytes(gzip.compress(b"a.example\nb.example\n"))
    assert list(read_file(plain)) == list(read_file(packed)) == [b"a.example\n", b"b.example\n"]
    with pytest.raises(InvalidInput, match="is not a readable file"):
        list(read_file(tmp_path / "missing.txt"))


@pytest.mark.parametrize(
    "line",
    [
        '"a","b,c","d"',
        '"a",1,"b"',
        '"a""x","b"',
        '"a"",""b"',
        '"x",",y"',
        '"a","",""',
        "plain,fields,only",
        '"unterminated,x',
    ],
)
def test_it_splits_csv_lines_exactly_as_the_csv_module_does(line: str) -> None:
    assert split_csv(line) == next(csv.reader([line]))
