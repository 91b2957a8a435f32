"""End to end: collector -> parser -> experts -> output, with counters that add up."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from dnscert.core.exceptions import InvalidInput
from dnscert.intel.experts.dedupe import DedupeExpert
from dnscert.intel.feeds.collectors import read_file
from dnscert.intel.feeds.parsers import plain
from dnscert.intel.pipeline import PipelineStats, default_experts, run, write_jsonl
from dnscert.intel.schema import FailedRecord, event_problems

from .helpers import OBSERVED, SAMPLES, data_lines


def _run_mixed(stats: PipelineStats, timing: bool = False) -> list[object]:
    lines = read_file(SAMPLES / "mixed_feed.txt")
    options = {"observed_at": OBSERVED, "classification_type": "phishing"}
    return list(
        run(
            "plain",
            lines,
            default_experts(),
            feed_name="mixed",
            options=options,
            stats=stats,
            timing=timing,
        )
    )


def test_it_enriches_a_mixed_feed_end_to_end() -> None:
    stats = PipelineStats()
    items = _run_mixed(stats)
    events = [item for item in items if isinstance(item, dict)]
    assert all(event_problems(event) == [] for event in events)
    url = next(event for event in events if event.get("source.url"))
    assert url["source.fqdn"] == "login.registrar-renewal.xa"
    assert url["source.registered_domain"] == "registrar-renewal.xa"
    assert url["source.tld"] == "xa"
    assert (url["classification.taxonomy"], url["classification.type"]) == ("fraud", "phishing")
    idn = next(event for event in events if event.get("source.tld") == "xb")
    assert idn["source.fqdn"] == "xn--bcher-shop-9db.xb"
    assert idn["source.fqdn_unicode"] == "bücher-shop.xb"
    assert idn["source.registered_domain"] == "xn--bcher-shop-9db.xb"
    assert any(event.get("source.ip") == "2001:db8::50" for event in events)


def test_it_accounts_for_every_record_of_the_mixed_feed() -> None:
    stats = PipelineStats()
    items = _run_mixed(stats)
    assert stats.records == data_lines("mixed_feed.txt") == 13
    assert (stats.accepted, stats.failed, stats.duplicates) == (9, 2, 2)
    assert stats.accepted + stats.failed + stats.duplicates == stats.records
    assert len(items) == stats.accepted + stats.failed
    assert dict(stats.failed_by_stage) == {"idn": 1, "parser": 1}
    idn_failure = next(
        item for item in items if isinstance(item, FailedRecord) and item.stage == "idn"
    )
    assert (idn_failure.line, idn_failure.raw) == (12, "xn--zz-bad.xd")


def test_it_times_each_stage_when_asked() -> None:
    stats = PipelineStats()
    _run_mixed(stats, timing=True)
    assert set(stats.seconds) == {"parser", "ip", "idn", "psl", "taxonomy", "dedupe"}
    assert stats.as_dict()["accepted"] == 9


def test_it_writes_json_lines_output() -> None:
    stream = io.StringIO()
    written = write_jsonl(run(plain.parse, ["a.example\n", "bad name\n"], feed_name="f"), stream)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert written == 2
    assert lines[0]["source.fqdn"] == "a.example"
    assert lines[1]["failed"]["reason"] == "line: expected one indicator, found 2 words"


def test_it_streams_without_reading_ahead() -> None:
    consumed: list[int] = []

    def endless() -> Iterator[str]:
        number = 0
        while True:
            number += 1
            consumed.append(number)
            yield f"host{number}.example\n"

    items = run("plain", endless(), [DedupeExpert()], feed_name="endless")
    first = [next(items) for _ in range(5)]
    assert len(first) == 5
    assert len(consumed) == 5


def test_it_raises_option_errors_before_reading() -> None:
    with pytest.raises(InvalidInput, match="does not know"):
        run("urlhaus", iter(()), options={"delimiter": ","})


def test_it_runs_without_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import dnscert.intel.pipeline\n"
        "import dnscert.intel.feeds.parsers\n"
        "import dnscert.intel.feeds.collectors\n"
        "frameworks = ('django', 'rest_framework', 'celery')\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in frameworks)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
