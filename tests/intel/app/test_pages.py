"""The threat-data pages: feeds, runs, the explorer with exports, charts; who sees what."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dnscert.core.jobs import run_pending
from dnscert.core.models import AuditEvent
from dnscert.intel.models import Feed, IngestRun
from tests.intel.app.conftest import World
from tests.personas import login_verified, member, outsider, responder, staff

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    return login_verified(Client(), user)


def test_it_shows_feeds_with_runs_failures_and_samples(world: World) -> None:
    client = _client(responder())
    listing = client.get("/intel/feeds/").content.decode()
    assert "world" in listing
    page = client.get(f"/intel/feeds/{world.feed.pk}/").content.decode()
    assert "shop.xa" in page  # a sample event
    assert "192.0.2.10" in page
    assert client.get(f"/intel/runs/{world.run.pk}/").status_code == 200


def test_it_lets_staff_create_a_feed_and_explains_bad_settings() -> None:
    client = _client(staff())
    form = {"name": "csv-feed", "parser": "csv", "options": "{not json", "source_kind": "upload"}
    form |= {"schedule_minutes": "0", "enabled": "on"}
    refused = client.post("/intel/feeds/new/", form)
    assert refused.status_code == 200 and "Not valid JSON" in refused.content.decode()
    form["options"] = json.dumps({"columns": ["source.fqdn"]})
    form["schedule_minutes"] = "30"
    wrong = client.post("/intel/feeds/new/", form)
    assert "only fetched or watched feeds run on a schedule" in wrong.content.decode()
    form["schedule_minutes"] = "0"
    assert client.post("/intel/feeds/new/", form).status_code == 302
    assert Feed.objects.get(name="csv-feed").options == {"columns": ["source.fqdn"]}
    assert AuditEvent.objects.filter(object_type__icontains="feed", action="create").exists()


def test_it_ingests_an_upload_from_the_feed_page(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    client = _client(staff())
    upload = SimpleUploadedFile("more.txt", b"new.xa\n")
    response = client.post(f"/intel/feeds/{world.feed.pk}/upload/", {"file": upload})
    run = IngestRun.objects.exclude(pk=world.run.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/intel/runs/{run.pk}/"
    run_pending(["intel.ingest_upload"])
    run.refresh_from_db()
    assert run.accepted == 1


def test_it_filters_the_explorer_and_exports_csv_and_json(world: World) -> None:
    client = _client(staff())
    page = client.get("/intel/", {"tld": "xb"}).content.decode()
    assert "bank.xb" in page and "shop.xa" not in page
    exported = client.get("/intel/events/export/", {"registrar": "Names", "format": "csv"})
    text = b"".join(exported.streaming_content).decode()  # type: ignore[attr-defined]
    assert text.splitlines()[0].startswith("id,time_source")
    assert len(text.splitlines()) == 4  # header + three events of registrar 9001
    as_json = client.get("/intel/events/export/", {"format": "json", "domain": "mail.xb"})
    rows = json.loads(b"".join(as_json.streaming_content))  # type: ignore[attr-defined]
    assert [row["source_fqdn"] for row in rows] == ["mail.xb"]
    assert client.get("/intel/events/export/", {"format": "xml"}).status_code == 400
    assert AuditEvent.objects.filter(action="export").count() == 2


def test_it_shows_a_member_their_events_and_refuses_them_the_feeds(world: World) -> None:
    client = _client(member(world.registry_xa))
    page = client.get("/intel/").content.decode()
    assert "plain.xa" in page and "bank.xb" not in page
    foreign = world.run.events.get(source_fqdn="bank.xb")
    assert client.get(f"/intel/events/{foreign.pk}/").status_code == 404
    assert client.get("/intel/feeds/").status_code == 403
    assert client.get(f"/intel/runs/{world.run.pk}/").status_code == 403
    assert client.post(f"/intel/feeds/{world.feed.pk}/run/").status_code == 403


def test_it_refuses_outsiders_and_sends_anonymous_visitors_to_sign_in(world: World) -> None:
    assert _client(outsider()).get("/intel/").status_code == 200  # sees no event
    assert Client().get("/intel/").status_code == 302
    assert Client().get("/intel/charts/data.json").status_code == 302
    assert _client(responder()).post(f"/intel/feeds/{world.feed.pk}/edit/").status_code == 403


def test_it_draws_charts_from_the_aggregates(world: World) -> None:
    client = _client(staff())
    page = client.get("/intel/charts/", {"dimension": "tld", "days": "365"})
    assert page.status_code == 200 and "chart.umd.min.js" in page.content.decode()
    data = client.get("/intel/charts/data.json", {"dimension": "tld", "days": "365"}).json()
    assert {dataset["label"] for dataset in data["datasets"]} == {"xa", "xb"}
    assert len(data["labels"]) == 365
