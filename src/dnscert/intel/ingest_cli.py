"""``dnscert intel ingest`` and ``dnscert intel registrations-import``: database commands.

    dnscert intel ingest FILE --format NAME [--feed NAME]
    dnscert intel registrations-import FILE

``ingest`` streams FILE (gzip or plain) through the pipeline into the database as one run of
the feed (named after the format unless ``--feed`` is given; created as an upload feed if
new) with a progress bar on standard error, then prints the accepted, failed and duplicate
counts. Large plain files are parsed on several processes. ``registrations-import`` loads
a CSV or JSON table of domain -> registrar, IANA id and creation date.
Exit status: 0 success, 1 the run or import failed, 2 usage error.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
#: Files at least this large are parsed on several processes.
PARALLEL_BYTES = 16 * 1024 * 1024
MAX_WORKERS = 4


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dnscert.settings")
    import django

    django.setup()


def _progress_bar(path: Path, show: bool) -> tqdm[Any]:
    return tqdm(
        total=path.stat().st_size,
        unit="B",
        unit_scale=True,
        desc=path.name,
        disable=not show,
        file=sys.stderr,
    )


def _add(bar: tqdm[Any], count: int) -> None:
    bar.update(count)


def _with_progress(path: Path, lines: Iterator[bytes], show: bool) -> Iterator[bytes]:
    with _progress_bar(path, show) as bar:
        for line in lines:
            bar.update(len(line))
            yield line


def ingest(path_text: str, parser: str, feed_name: str | None, out: TextIO) -> int:
    """Ingest one file; returns the exit status."""
    _setup_django()
    from dnscert.core.exceptions import InvalidInput
    from dnscert.intel import feed_admin, storage
    from dnscert.intel.choices import RunStatus
    from dnscert.intel.models import Feed
    from dnscert.intel.sources import file_lines

    path = Path(path_text)
    if not path.is_file():
        sys.stderr.write(f"dnscert intel ingest: {path} is not a readable file\n")
        return EXIT_USAGE
    name = feed_name or parser.replace("_", "-")
    try:
        feed = Feed.objects.filter(name=name).first() or feed_admin.create_feed(
            by=None, name=name, parser=parser
        )
    except InvalidInput as exc:
        sys.stderr.write(f"dnscert intel ingest: {exc}\n")
        return EXIT_USAGE
    if feed.parser != parser:
        sys.stderr.write(
            f"dnscert intel ingest: feed {name} uses parser {feed.parser}, not {parser}\n"
        )
        return EXIT_USAGE
    started = time.perf_counter()
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if path.stat().st_size >= PARALLEL_BYTES and workers > 1:
        with _progress_bar(path, sys.stderr.isatty()) as bar:
            run = storage.ingest_file(
                feed, path, workers=workers, source=str(path), on_progress=lambda n: _add(bar, n)
            )
    else:
        lines = _with_progress(path, file_lines(path), sys.stderr.isatty())
        run = storage.ingest(feed, lines, source=str(path))
    seconds = time.perf_counter() - started
    out.write(
        f"{path.name}: {run.records} records, {run.accepted} accepted, {run.failed} failed, "
        f"{run.duplicates} duplicates in {seconds:.1f} s (feed {feed.name}, run {run.pk})\n"
    )
    if run.status == RunStatus.FAILED:
        sys.stderr.write(f"dnscert intel ingest: run failed: {run.error}\n")
        return EXIT_FAILURE
    return EXIT_OK


def import_registrations(path_text: str, out: TextIO) -> int:
    """Import a registration table; returns the exit status."""
    _setup_django()
    from dnscert.core.exceptions import InvalidInput
    from dnscert.intel import registrations

    try:
        result = registrations.import_file(path_text)
    except InvalidInput as exc:
        sys.stderr.write(f"dnscert intel registrations-import: {exc}\n")
        return EXIT_FAILURE
    for problem in result.errors:
        sys.stderr.write(f"{problem}\n")
    out.write(f"{result.imported} registrations imported, {result.error_count} rows rejected\n")
    return EXIT_OK if result.error_count == 0 else EXIT_FAILURE
