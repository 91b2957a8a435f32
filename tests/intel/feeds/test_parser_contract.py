"""Every parser against its contract: schema-valid events, raw kept, nothing dropped, no crash."""

from __future__ import annotations

import random
from typing import Any

import pytest

from dnscert.core.exceptions import InvalidInput
from dnscert.intel.feeds.registry import get, parsers, register
from dnscert.intel.schema import FailedRecord, event_problems

from .helpers import OBSERVED, SAMPLES, data_lines, parse_sample

CSV_COLUMNS = {
    "first_seen": "time.source",
    "url": "source.url",
    "ip": "source.ip",
    "asn": "source.asn",
    "note": "extra.note",
}

# parser, sample, options, events, failed, records that are not events nor failures (headers)
CASES: list[tuple[str, str, dict[str, Any], int, int, int]] = [
    ("csv", "generic.csv", {"columns": CSV_COLUMNS, "header": True}, 4, 4, 1),
    ("plain", "plain_list.txt", {}, 9, 4, 0),
    ("urlhaus", "urlhaus.csv", {}, 5, 3, 0),
    ("openphish", "openphish.txt", {}, 5, 3, 0),
    ("phishtank", "phishtank.csv", {}, 3, 2, 1),
    ("phishtank", "phishtank.json", {}, 2, 2, 0),
    ("feodo", "feodo.csv", {}, 3, 3, 1),
    ("sslbl", "sslblacklist.csv", {}, 3, 1, 0),
    ("sslbl", "sslipblacklist.csv", {}, 2, 1, 0),
    ("spamhaus_drop", "spamhaus_drop.txt", {}, 4, 2, 0),
    ("spamhaus_drop", "spamhaus_drop_v4.json", {}, 3, 2, 1),
    ("shadowserver", "shadowserver_scan_dns.csv", {}, 3, 3, 1),
    ("shadowserver", "shadowserver_event4_sinkhole.csv", {}, 3, 2, 1),
    ("shadowserver", "shadowserver_blocklist.csv", {}, 2, 1, 1),
    ("shadowserver", "shadowserver_unknown.csv", {}, 0, 2, 0),
    ("xarf", "xarf_reports.json", {}, 4, 3, 0),
    ("misp_feed", "misp_event.json", {}, 7, 2, 0),
    ("stix", "stix_bundle.json", {}, 5, 4, 0),
]
LINE_FORMATS = {"csv", "plain", "urlhaus", "openphish", "feodo", "sslbl", "spamhaus_drop"}
COMMENTS = {"plain": ("#", ";"), "spamhaus_drop": (";", "#")}


@pytest.mark.parametrize(("parser", "sample", "options", "events", "failed", "skipped"), CASES)
def test_it_parses_each_sample_into_the_expected_events_and_failures(
    parser: str, sample: str, options: dict[str, Any], events: int, failed: int, skipped: int
) -> None:
    outcome = parse_sample(parser, sample, **options)
    assert (len(outcome.events), len(outcome.failed)) == (events, failed), [
        record.reason for record in outcome.failed
    ]
    if parser in LINE_FORMATS or sample.endswith(".csv"):
        assert len(outcome.events) + len(outcome.failed) + skipped == data_lines(
            sample, COMMENTS.get(parser, ("#",))
        )


@pytest.mark.parametrize(("parser", "sample", "options", "events", "failed", "skipped"), CASES)
def test_it_emits_schema_valid_events_that_keep_their_raw_text(
    parser: str, sample: str, options: dict[str, Any], events: int, failed: int, skipped: int
) -> None:
    text = (SAMPLES / sample).read_text(encoding="utf-8")
    for event in parse_sample(parser, sample, **options).events:
        assert event_problems(event) == [], event
        assert event["feed.name"] == f"test-{parser}"
        assert event["time.observation"] == "2026-11-20T12:00:00+00:00"
        assert event["raw"].strip()
        assert isinstance(event["feed.line"], int) and event["feed.line"] >= 1
        if parser in LINE_FORMATS or sample.endswith(".csv"):
            assert event["raw"] in text


@pytest.mark.parametrize(("parser", "sample", "options", "events", "failed", "skipped"), CASES)
def test_it_gives_every_failed_record_its_raw_text_and_a_reason(
    parser: str, sample: str, options: dict[str, Any], events: int, failed: int, skipped: int
) -> None:
    for record in parse_sample(parser, sample, **options).failed:
        assert record.raw.strip()
        assert len(record.reason) > 10
        assert record.feed == f"test-{parser}"
        assert record.line >= 1
        assert record.stage == "parser"


def test_it_registers_every_builtin_parser() -> None:
    assert set(parsers()) == {
        "csv",
        "plain",
        "urlhaus",
        "openphish",
        "phishtank",
        "feodo",
        "sslbl",
        "spamhaus_drop",
        "shadowserver",
        "xarf",
        "misp_feed",
        "stix",
    }


def test_it_names_the_known_parsers_when_one_is_unknown() -> None:
    with pytest.raises(InvalidInput, match=r"no feed parser named 'nope'.*urlhaus"):
        get("nope")


def test_it_refuses_to_register_two_parsers_under_one_name() -> None:
    with pytest.raises(InvalidInput, match="already registered"):
        register("urlhaus")(get("plain"))


@pytest.mark.parametrize("name", sorted(parsers()))
def test_it_rejects_unknown_options_before_reading(name: str) -> None:
    with pytest.raises(InvalidInput, match="does not know colour"):
        get(name)(iter(()), feed_name="x", options={"colour": "blue"})


def _hostile_inputs() -> dict[str, list[bytes]]:
    garbage = random.Random(20261120).randbytes(8192)
    return {
        "binary": garbage.split(b"\n"),
        "nul bytes": [b"bad.example\x00\x01\x02\n", b"\x00" * 64 + b"\n"],
        "long line": [b"a" * 200_000 + b".example\n"],
        "latin-1": ["b\u00fccher.example,192.0.2.1\n".encode("latin-1")],
        "deep json": [b"[" * 100_000],
    }


@pytest.mark.parametrize("name", sorted(parsers()))
@pytest.mark.parametrize("kind", sorted(_hostile_inputs()))
def test_it_survives_hostile_input_with_clear_failures(name: str, kind: str) -> None:
    options: dict[str, Any] = {"observed_at": OBSERVED}
    if name == "csv":
        options["columns"] = ["source.fqdn", "source.ip"]
    items = list(get(name)(_hostile_inputs()[kind], feed_name="hostile", options=options))
    assert items, "hostile input must not vanish"
    for item in items:
        if isinstance(item, FailedRecord):
            assert item.reason
        else:
            assert event_problems(item) == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"encoding": "klingon"}, "unknown text encoding 'klingon'"),
        ({"max_line_length": "long"}, "must be a positive integer, got 'long'"),
        ({"feed_accuracy": 150}, "must be a number from 0 to 100, got 150"),
        ({"observed_at": "soon"}, "observed_at: 'soon' is not a timestamp"),
    ],
)
def test_it_rejects_bad_common_options_before_reading(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        get("plain")(iter(()), feed_name="x", options=options)


def test_it_stamps_provider_url_and_accuracy_on_every_event() -> None:
    options = {
        "feed_provider": "Example CERT",
        "feed_url": "https://feeds.example/list.txt",
        "feed_accuracy": 90,
    }
    event = next(iter(get("plain")(["a.example\n"], feed_name="x", options=options)))
    assert isinstance(event, dict)
    assert (event["feed.provider"], event["feed.url"], event["feed.accuracy"]) == (
        "Example CERT",
        "https://feeds.example/list.txt",
        90.0,
    )
