"""Collectors: an HTTP feed on a schedule, a MISP feed manifest, a directory watch, uploads."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dnscert.core.jobs import run_pending
from dnscert.intel import collect
from dnscert.intel.choices import RunStatus, SourceKind
from dnscert.intel.models import Event, FailedRecord, Feed, IngestRun
from tests.intel.app import factories
from tests.intel.app.conftest import WebServer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _watch_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DNSCERT_INTEL_WATCH_ROOT", str(tmp_path))


OPENPHISH = b"https://secure-login.bank-verify.xa/signin/\nhttp://198.51.100.77/owa/\nnot a url\n"


def test_it_fetches_an_http_feed_when_it_is_due(web_server: WebServer) -> None:
    web_server.pages["/feed.txt"] = (200, OPENPHISH)
    feed = factories.feed(
        "openphish-http",
        "openphish",
        source_kind=SourceKind.URL,
        url=web_server.url("/feed.txt"),
        schedule_minutes=60,
    )
    run_pending()  # nothing queued yet
    from dnscert.intel.jobs import run_due_feeds

    assert run_due_feeds()["queued"] == ["openphish-http"]
    assert run_due_feeds()["queued"] == []  # claimed: not queued twice
    run_pending(["intel.run_feed"])
    run = IngestRun.objects.get(feed=feed)
    assert (run.status, run.accepted, run.failed) == (RunStatus.SUCCEEDED, 2, 1)
    assert run.source == web_server.url("/feed.txt")
    assert web_server.requested == ["/feed.txt"]
    Feed.objects.filter(pk=feed.pk).update(last_run_at=timezone.now() - timedelta(hours=2))
    assert [due.name for due in collect.due_feeds()] == ["openphish-http"]


def test_it_reads_a_gzip_feed_and_records_http_errors(web_server: WebServer) -> None:
    web_server.pages["/feed.txt.gz"] = (200, gzip.compress(OPENPHISH))
    feed = factories.feed(
        "gz", "openphish", source_kind=SourceKind.URL, url=web_server.url("/feed.txt.gz")
    )
    (run,) = collect.run_feed(feed)
    assert run.accepted == 2
    feed.url = web_server.url("/missing.txt")
    feed.save()
    (failed,) = collect.run_feed(feed)
    assert failed.status == RunStatus.FAILED and "404" in failed.error
    feed.refresh_from_db()
    assert feed.error_count == 1 and "404" in feed.last_error


def test_it_reads_each_misp_event_of_a_manifest_once(web_server: WebServer) -> None:
    event_uuid = "5f1c7e9a-0000-4000-8000-000000000001"
    event = (factories.SAMPLES / "misp_event.json").read_bytes()
    web_server.pages["/misp/manifest.json"] = (
        200,
        json.dumps({event_uuid: {"timestamp": "1700000000"}}).encode(),
    )
    web_server.pages[f"/misp/{event_uuid}.json"] = (200, event)
    feed = factories.feed(
        "misp", "misp_feed", source_kind=SourceKind.MISP, url=web_server.url("/misp/manifest.json")
    )
    (run,) = collect.run_feed(feed)
    assert run.status == RunStatus.SUCCEEDED and run.accepted > 0
    assert collect.run_feed(feed) == []  # same timestamp: not read again
    web_server.pages["/misp/manifest.json"] = (200, b"[1, 2]")
    (bad,) = collect.run_feed(feed)
    assert bad.status == RunStatus.FAILED and "manifest" in bad.error


def test_it_imports_a_stix_bundle_from_a_url(web_server: WebServer) -> None:
    web_server.pages["/bundle.json"] = (200, (factories.SAMPLES / "stix_bundle.json").read_bytes())
    feed = factories.feed(
        "stix", "stix", source_kind=SourceKind.STIX, url=web_server.url("/bundle.json")
    )
    (run,) = collect.run_feed(feed)
    assert run.accepted > 0 and run.records == run.accepted + run.failed + run.duplicates


def test_it_ingests_new_files_of_a_watched_directory_once(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_bytes(OPENPHISH)
    (tmp_path / "two.txt.part").write_bytes(OPENPHISH)  # still being written
    feed = factories.feed(
        "watch", "openphish", source_kind=SourceKind.DIRECTORY, path=str(tmp_path)
    )
    (run,) = collect.run_feed(feed)
    assert run.accepted == 2
    assert (tmp_path / "done" / "one.txt").exists() and not (tmp_path / "one.txt").exists()
    assert collect.run_feed(feed) == []  # nothing new
    (tmp_path / "two.txt.part").rename(tmp_path / "two.txt")
    (second,) = collect.run_feed(feed)
    assert second.duplicates == 2 and Event.objects.count() == 2


def test_it_moves_an_unreadable_file_to_failed(tmp_path: Path) -> None:
    (tmp_path / "broken.gz").write_bytes(b"\x1f\x8b\x08\x00garbage-not-gzip")
    feed = factories.feed(
        "watch", "openphish", source_kind=SourceKind.DIRECTORY, path=str(tmp_path)
    )
    (run,) = collect.run_feed(feed)
    assert run.status == RunStatus.FAILED
    assert (tmp_path / "failed" / "broken.gz").exists()


def test_it_refuses_to_watch_a_folder_outside_the_watch_root(tmp_path: Path) -> None:
    with pytest.raises(collect.InvalidInput, match="inside"):
        factories.feed("etc", "plain", source_kind=SourceKind.DIRECTORY, path="/etc")
    feed = factories.feed("moved", "plain", source_kind=SourceKind.DIRECTORY, path=str(tmp_path))
    Feed.objects.filter(pk=feed.pk).update(path=str(tmp_path / ".." / ".."))
    feed.refresh_from_db()
    (run,) = collect.run_feed(feed)
    assert run.status == RunStatus.FAILED and "outside" in run.error


def test_it_fails_a_directory_feed_whose_folder_is_missing(tmp_path: Path) -> None:
    feed = factories.feed(
        "watch", "openphish", source_kind=SourceKind.DIRECTORY, path=str(tmp_path / "nope")
    )
    (run,) = collect.run_feed(feed)
    assert run.status == RunStatus.FAILED and "not a directory" in run.error


def test_it_ingests_an_upload_in_a_job(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    feed = factories.feed("uploads", "openphish")
    upload = SimpleUploadedFile("list.txt", OPENPHISH)
    run = collect.accept_upload(feed, upload, by=None)
    assert run.status == RunStatus.RUNNING
    run_pending(["intel.ingest_upload"])
    run.refresh_from_db()
    assert (run.status, run.accepted, run.failed) == (RunStatus.SUCCEEDED, 2, 1)
    assert FailedRecord.objects.get(run=run).raw == "not a url"
    assert list((tmp_path / "intel-uploads").iterdir()) == []
