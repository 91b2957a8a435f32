"""Parsing on several processes gives the same result as one, with the file's line numbers."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from dnscert.intel import parallel, storage
from dnscert.intel.models import Event, FailedRecord
from tests.intel.app import factories

pytestmark = pytest.mark.django_db


def _csv_file(tmp_path: Path) -> Path:
    lines = [
        "phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target"
    ]
    for number in range(1, 400):
        url = "broken url" if number % 50 == 0 else f"http://host{number % 120}.xa/p{number}"
        lines.append(f"{number},{url},http://d/{number},2026-11-20T09:00:00+00:00,yes,,yes,X")
    path = tmp_path / "phishtank.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_it_splits_files_on_line_boundaries(tmp_path: Path) -> None:
    path = _csv_file(tmp_path)
    pieces = list(parallel.chunks(str(path), "phishtank", "p", chunk_bytes=2048))
    assert len(pieces) > 5
    assert pieces[0].start == 0 and pieces[-1].end == path.stat().st_size
    assert all(a.end == b.start for a, b in itertools.pairwise(pieces))
    data = path.read_bytes()
    assert all(data[piece.start - 1 : piece.start] == b"\n" for piece in pieces[1:])


def test_a_file_of_short_lines_is_cut_into_chunks_of_about_chunk_lines_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "CHUNK_LINES", 1000)
    short = tmp_path / "addresses.txt"
    short.write_text("".join(f"192.0.2.{n % 250}\n" for n in range(20_000)), encoding="utf-8")
    long = tmp_path / "urls.txt"
    long.write_text(f"http://{'x' * 9000}.xa/\n" * 20, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")

    size = parallel.chunk_bytes_for(str(short))
    assert size < short.stat().st_size // 10
    pieces = list(parallel.chunks(str(short), "plain", "p"))
    data = short.read_bytes()
    counts = [data[piece.start : piece.end].count(b"\n") for piece in pieces]
    assert sum(counts) == 20_000 and max(counts) <= 1100 and len(pieces) >= 18
    assert parallel.chunk_bytes_for(str(long)) == parallel.DEFAULT_CHUNK_BYTES
    assert parallel.chunk_bytes_for(str(empty)) == parallel.DEFAULT_CHUNK_BYTES


def test_it_stores_the_same_events_as_the_single_process_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _csv_file(tmp_path)
    monkeypatch.setattr(parallel, "DEFAULT_CHUNK_BYTES", 4096)
    assert len(list(parallel.chunks(str(path), "phishtank", "p"))) > 5
    parallel_run = storage.ingest_file(factories.feed("p", "phishtank"), path, workers=2)
    serial_run = storage.ingest(factories.feed("s", "phishtank"), path.open("rb"))
    assert (parallel_run.accepted, parallel_run.failed) == (serial_run.accepted, serial_run.failed)
    assert parallel_run.accepted == 392 and parallel_run.failed == 7
    assert list(
        FailedRecord.objects.filter(run=parallel_run).values_list("line_number", flat=True)
    ) == list(FailedRecord.objects.filter(run=serial_run).values_list("line_number", flat=True))
    assert Event.objects.filter(run=parallel_run).count() == 392
    assert FailedRecord.objects.filter(run=parallel_run).first().raw.startswith("50,broken url")  # type: ignore[union-attr]


def test_it_fails_a_parallel_run_with_an_unknown_parser(tmp_path: Path) -> None:
    path = _csv_file(tmp_path)
    feed = factories.feed("p", "phishtank")
    feed.parser = "nope"
    run = storage.ingest_file(feed, path, workers=2)
    assert run.status == "failed" and "nope" in run.error


@pytest.mark.parametrize(
    ("parser", "first_line"),
    [
        ("openphish", "http://host0.xa/p0"),
        ("urlhaus", '"0","2026-11-20 09:00:00","http://host0.xa/p0","online","","x","","",""'),
    ],
)
def test_a_first_line_that_is_a_record_is_counted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parser: str, first_line: str
) -> None:
    monkeypatch.setattr(parallel, "DEFAULT_CHUNK_BYTES", 1024)
    lines = [first_line] + [
        first_line.replace("p0", f"p{number}").replace('"0"', f'"{number}"')
        for number in range(1, 300)
    ]
    path = tmp_path / "feed.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert parallel.column_header(str(path), parser, "f", {}) == b""
    assert len(list(parallel.chunks(str(path), parser, "f"))) > 5
    run = storage.ingest_file(factories.feed("f", parser), path, workers=2)
    assert (run.records, run.accepted, run.duplicates, run.failed) == (300, 300, 0, 0)


def test_a_column_header_is_repeated_for_every_range(tmp_path: Path) -> None:
    path = _csv_file(tmp_path)
    header = parallel.column_header(str(path), "phishtank", "p", {})
    assert header.startswith(b"phish_id,url,")
    pieces = list(parallel.chunks(str(path), "phishtank", "p", chunk_bytes=2048))
    assert {piece.header for piece in pieces} == {header}
