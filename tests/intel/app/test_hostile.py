"""Hostile input: binary garbage, huge lines, NUL bytes, the wrong format, bad options."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from dnscert.intel import storage
from dnscert.intel.choices import RunStatus
from dnscert.intel.models import Event, FailedRecord
from dnscert.intel.sources import MAX_LINE_BYTES, file_lines
from tests.intel.app import factories

pytestmark = pytest.mark.django_db


def test_it_keeps_binary_garbage_as_failed_lines(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(os.urandom(64 * 1024) + b"\nok.xa\n\x00\x01\x02nul line\n")
    run = storage.ingest(factories.feed(), file_lines(garbage))
    assert run.status == RunStatus.SUCCEEDED
    assert run.records == run.accepted + run.failed + run.duplicates
    assert Event.objects.filter(source_fqdn="ok.xa").exists()
    failures = FailedRecord.objects.filter(run=run)
    assert failures.count() == run.failed >= 2
    assert all("\x00" not in failure.raw for failure in failures)  # NULs escaped, not lost
    assert failures.filter(raw__contains="\\x00").exists()


def test_it_cuts_a_huge_line_without_reading_it_whole(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as out:
        out.write(b"first.xa\n")
        out.write(b"a" * (MAX_LINE_BYTES * 3))
        out.write(b"\nlast.xa\n")
    lines = list(file_lines(huge))
    assert [len(line) for line in lines][1] == MAX_LINE_BYTES + 1
    run = storage.ingest(factories.feed(), iter(lines))
    assert (run.accepted, run.failed) == (2, 1)
    failure = FailedRecord.objects.get(run=run)
    assert "over the limit" in failure.reason and len(failure.raw) <= storage.MAX_FAILED_RAW


def test_it_reports_every_line_of_the_wrong_format() -> None:
    feed = factories.feed("urlhaus-wrong", "urlhaus")
    run = storage.ingest(feed, factories.lines("just.a.domain.xa", "another.xb"))
    assert (run.accepted, run.failed) == (0, 2)
    reasons = set(FailedRecord.objects.filter(run=run).values_list("reason", flat=True))
    assert all("fields" in reason for reason in reasons)


def test_it_fails_a_run_with_unknown_parser_options_naming_them() -> None:
    feed = factories.feed()
    feed.options = {"colums": ["url"]}  # a typo an operator could make in the admin
    feed.save()
    run = storage.ingest(feed, factories.lines("a.xa"))
    assert run.status == RunStatus.FAILED and "colums" in run.error
    feed.refresh_from_db()
    assert feed.error_count == 1


def test_it_fails_a_truncated_gzip_file_and_keeps_what_was_read(tmp_path: Path) -> None:
    packed = gzip.compress(b"".join(f"host{number}.xa\n".encode() for number in range(5000)))
    broken = tmp_path / "cut.txt.gz"
    broken.write_bytes(packed[: len(packed) // 2])
    run = storage.ingest(factories.feed(), file_lines(broken))
    assert run.status == RunStatus.FAILED and "cannot read" in run.error
    assert run.accepted == Event.objects.count() > 0
