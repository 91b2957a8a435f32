"""Collectors on the Django side: uploads, HTTP(S) feeds, directory watches, MISP feeds, STIX.

Every fetch goes through the platform's one outbound HTTP wrapper (:mod:`dnscert.core.http`).
A MISP feed URL ending in ``manifest.json`` is read as a MISP feed directory: each event
listed in the manifest is fetched once per event timestamp (the run's ``source`` records
``<event url>#<timestamp>``, so a changed event is read again and an unchanged one never).
A directory watch ingests each new file once, then moves it to ``done/`` (or ``failed/`` when
the run failed); hidden files and names ending in ``.part`` or ``.tmp`` are still being
written and wait for the next pass. Watched folders must lie below
``DNSCERT_INTEL_WATCH_ROOT``, since the watch moves files out of them.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import timezone

from dnscert.core import http
from dnscert.core.exceptions import InvalidInput
from dnscert.intel import conf, storage
from dnscert.intel.choices import RunStatus, SourceKind
from dnscert.intel.feed_admin import SCHEDULED_KINDS
from dnscert.intel.models import Feed, IngestRun
from dnscert.intel.sources import file_lines, stream_lines

DONE_DIR = "done"
FAILED_DIR = "failed"
_IN_PROGRESS_SUFFIXES = (".part", ".tmp")
MANIFEST_NAME = "manifest.json"
MAX_MANIFEST_BYTES = 20 * 1024 * 1024


def run_feed(feed: Feed, *, by: Any = None) -> list[IngestRun]:
    """Fetch and ingest ``feed`` now, whatever its schedule; the runs made."""
    if feed.source_kind == SourceKind.DIRECTORY:
        return watch_directory(feed, by=by)
    if feed.source_kind == SourceKind.MISP and feed.url.rstrip("/").endswith(MANIFEST_NAME):
        return fetch_misp_feed(feed, by=by)
    if feed.source_kind in (SourceKind.URL, SourceKind.MISP, SourceKind.STIX):
        return [fetch_url(feed, feed.url, by=by)]
    raise InvalidInput("source_kind", f"feed {feed.name} gets its data by upload only")


def fetch_url(feed: Feed, url: str, *, by: Any = None, source: str = "") -> IngestRun:
    """Stream ``url`` through the pipeline as one run of ``feed``."""
    return storage.ingest(feed, _http_lines(url), source=source or url, by=by)


def _http_lines(url: str) -> Iterator[bytes]:
    yield from http.stream_lines(url)


def fetch_misp_feed(feed: Feed, *, by: Any = None) -> list[IngestRun]:
    """Ingest every event of a MISP feed manifest not yet read at its current timestamp."""
    manifest_url = feed.url
    try:
        manifest = _manifest(manifest_url)
    except (http.OutboundHTTPError, InvalidInput) as exc:
        run = storage.start_run(feed, source=manifest_url, by=by)
        return [storage.fail_run(run, str(exc))]
    base = manifest_url.rstrip("/").removesuffix(MANIFEST_NAME)
    runs = []
    for event_uuid, timestamp in manifest:
        event_url = f"{base}{event_uuid}.json"
        label = f"{event_url}#{timestamp}"
        done = IngestRun.objects.filter(feed=feed, source=label, status=RunStatus.SUCCEEDED)
        if not done.exists():
            runs.append(fetch_url(feed, event_url, by=by, source=label))
    return runs


def _manifest(url: str) -> list[tuple[str, str]]:
    response = http.request("GET", url, max_bytes=MAX_MANIFEST_BYTES)
    if not response.ok:
        raise InvalidInput("url", f"{url} answered HTTP status {response.status}")
    try:
        document = json.loads(response.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput("url", f"{url} is not a MISP manifest: {exc}") from None
    if not isinstance(document, dict):
        raise InvalidInput("url", f"{url} is not a MISP manifest: expected a JSON object")
    events = []
    for event_uuid, info in document.items():
        if not _is_uuid(event_uuid):
            raise InvalidInput("url", f"{url}: manifest key {event_uuid[:60]!r} is not a UUID")
        stamp = str(info.get("timestamp", "")) if isinstance(info, dict) else ""
        events.append((stamp, event_uuid))
    return [(event_uuid, stamp) for stamp, event_uuid in sorted(events)]


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def watch_directory(feed: Feed, *, by: Any = None) -> list[IngestRun]:
    """Ingest each finished file in the feed's directory once, then move it aside."""
    folder = Path(feed.path).resolve()
    if not folder.is_relative_to(conf.watch_root()):
        run = storage.start_run(feed, source=str(folder), by=by)
        return [storage.fail_run(run, f"path: {folder} is outside {conf.watch_root()}")]
    if not folder.is_dir():
        run = storage.start_run(feed, source=str(folder), by=by)
        return [storage.fail_run(run, f"path: {folder} is not a directory")]
    runs = []
    for path in sorted(folder.iterdir()):
        if not _ready(path):
            continue
        run = storage.ingest(feed, file_lines(path), source=str(path), by=by)
        _move(path, folder / (FAILED_DIR if run.status == RunStatus.FAILED else DONE_DIR))
        runs.append(run)
    return runs


def _ready(path: Path) -> bool:
    name = path.name
    return path.is_file() and not name.startswith(".") and not name.endswith(_IN_PROGRESS_SUFFIXES)


def _move(path: Path, target_dir: Path) -> Path:
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    if target.exists():
        target = target_dir / f"{path.stem}-{timezone.now():%Y%m%dT%H%M%S%f}{path.suffix}"
    return Path(shutil.move(str(path), target))


def upload_dir() -> Path:
    """Where uploads wait for their ingest job."""
    folder = Path(settings.MEDIA_ROOT) / "intel-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def accept_upload(feed: Feed, upload: UploadedFile, *, by: Any) -> IngestRun:
    """Keep an uploaded file and queue its ingestion; the (running) run."""
    from dnscert.core.jobs import enqueue

    if upload.size is not None and upload.size == 0:
        raise InvalidInput("file", "the uploaded file is empty")
    run = storage.start_run(feed, source=upload.name or "upload", by=by)
    path = upload_dir() / f"run-{run.pk}-{uuid.uuid4().hex}"
    with path.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    enqueue("intel.ingest_upload", run_id=run.pk, path=str(path))
    return run


def ingest_saved_upload(run: IngestRun, path: Path) -> IngestRun:
    """Ingest a kept upload into ``run`` and delete the file."""
    try:
        with path.open("rb") as stream:
            return storage.ingest_into(run, stream_lines(stream))
    except OSError as exc:
        return storage.fail_run(run, f"file: {exc}")
    finally:
        path.unlink(missing_ok=True)


def due_feeds(now: datetime | None = None) -> list[Feed]:
    """Enabled scheduled feeds whose last run is at least their schedule ago."""
    moment = now or timezone.now()
    candidates = Feed.objects.filter(
        enabled=True, schedule_minutes__gt=0, source_kind__in=list(SCHEDULED_KINDS)
    )
    return [
        feed
        for feed in candidates
        if feed.last_run_at is None
        or feed.last_run_at <= moment - timedelta(minutes=feed.schedule_minutes)
    ]


def claim_due(feed: Feed, now: datetime | None = None) -> bool:
    """Mark ``feed`` as started now unless another planner did first; True if claimed."""
    moment = now or timezone.now()
    previous = (
        Q(last_run_at__isnull=True) if feed.last_run_at is None else Q(last_run_at=feed.last_run_at)
    )
    return bool(Feed.objects.filter(previous, pk=feed.pk).update(last_run_at=moment))
