"""The threat-data API: events, aggregates, feeds, runs, uploads, and who is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dnscert.core.jobs import run_pending
from dnscert.core.models import JobRun
from dnscert.intel.models import Feed, IngestRun
from tests.intel.app import factories
from tests.intel.app.conftest import World
from tests.personas import login_verified, member, outsider, responder, staff

pytestmark = pytest.mark.django_db

API = "/api/intel"


def _client(user: Any) -> Client:
    return login_verified(Client(), user)


def test_it_lists_filters_and_pages_events(world: World) -> None:
    client = _client(staff())
    body = client.get(f"{API}/events/", {"tld": "xa"}).json()
    assert body["count"] == 3 and {row["source_tld"] for row in body["results"]} == {"xa"}
    assert client.get(f"{API}/events/", {"registrar": "9001"}).json()["count"] == 3
    assert client.get(f"{API}/events/", {"domain": "shop.xa"}).json()["count"] == 2
    assert (
        client.get(f"{API}/events/", {"category": "phishing", "page_size": 1}).json()["count"] == 6
    )
    second = client.get(f"{API}/events/", {"page": 2}).status_code
    assert second == 404  # six events fit on the first page
    assert client.get(f"{API}/events/", {"since": "not a time"}).status_code == 400


def test_it_shows_a_member_only_their_events_and_404s_others(world: World) -> None:
    client = _client(member(world.registry_xb))
    body = client.get(f"{API}/events/").json()
    assert {row["source_fqdn"] for row in body["results"]} == {"bank.xb", "mail.xb"}
    foreign = world.run.events.get(source_fqdn="shop.xa")
    assert client.get(f"{API}/events/{foreign.pk}/").status_code == 404


def test_it_lists_aggregates_scoped_to_the_caller(world: World) -> None:
    everything = _client(staff()).get(f"{API}/aggregates/", {"dimension": "tld"}).json()
    assert {row["key"]: row["count"] for row in everything["results"]} == {"xa": 3, "xb": 2}
    own = _client(member(world.registry_xa)).get(f"{API}/aggregates/").json()
    assert [(row["dimension"], row["key"]) for row in own["results"]] == [("tld", "xa")]


def test_it_lets_staff_create_and_change_feeds_with_clear_errors() -> None:
    client = _client(staff())
    created = client.post(
        f"{API}/feeds/",
        {"name": "new-feed", "parser": "csv", "options": {"columns": ["source.fqdn"]}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    bad = client.post(
        f"{API}/feeds/",
        {"name": "bad", "parser": "plain", "source_kind": "url"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "url" in bad.json()
    unknown = client.post(
        f"{API}/feeds/", {"name": "x", "parser": "nope"}, content_type="application/json"
    )
    assert unknown.status_code == 400 and "parser" in unknown.json()
    feed_id = created.json()["id"]
    changed = client.patch(
        f"{API}/feeds/{feed_id}/", {"enabled": False}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["enabled"] is False


def test_it_uploads_a_file_and_lists_the_run_with_its_failures(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    client = _client(responder())
    upload = SimpleUploadedFile("list.txt", b"one.xa\nbad line here\n")
    response = client.post(f"{API}/feeds/{world.feed.pk}/upload/", {"file": upload})
    assert response.status_code == 202, response.content
    run_pending(["intel.ingest_upload"])
    run = IngestRun.objects.get(pk=response.json()["id"])
    assert (run.accepted, run.failed) == (1, 1)
    runs = client.get(f"{API}/runs/", {"feed": "world"}).json()
    assert runs["count"] == 2
    failures = client.get(f"{API}/runs/{run.pk}/failures/").json()
    assert [row["raw"] for row in failures["results"]] == ["bad line here"]
    empty = client.post(
        f"{API}/feeds/{world.feed.pk}/upload/", {"file": SimpleUploadedFile("e.txt", b"")}
    )
    assert empty.status_code == 400 and "file" in empty.json()


def test_it_queues_a_run_now_only_for_fetched_feeds(world: World) -> None:
    client = _client(staff())
    refused = client.post(f"{API}/feeds/{world.feed.pk}/run/")
    assert refused.status_code == 400 and "source_kind" in refused.json()
    fetched = factories.feed(
        "fetched", "openphish", source_kind="url", url="https://feeds.example/openphish.txt"
    )
    queued = client.post(f"{API}/feeds/{fetched.pk}/run/")
    assert queued.status_code == 202
    assert JobRun.objects.filter(name="intel.run_feed", kwargs={"feed_id": fetched.pk}).exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "events/"),
        ("get", "aggregates/"),
        ("get", "feeds/"),
        ("post", "feeds/"),
        ("get", "runs/"),
        ("post", "feeds/{feed}/upload/"),
        ("post", "feeds/{feed}/run/"),
        ("get", "runs/{run}/failures/"),
    ],
)
def test_it_refuses_anonymous_callers(world: World, method: str, path: str) -> None:
    url = f"{API}/" + path.format(feed=world.feed.pk, run=world.run.pk)
    assert getattr(Client(), method)(url).status_code in (401, 403)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "feeds/"),
        ("get", "runs/"),
        ("get", "runs/{run}/failures/"),
        ("post", "feeds/{feed}/upload/"),
        ("post", "feeds/{feed}/run/"),
    ],
)
def test_it_refuses_members_the_team_endpoints(world: World, method: str, path: str) -> None:
    client = _client(member(world.registry_xa))
    url = f"{API}/" + path.format(feed=world.feed.pk, run=world.run.pk)
    assert getattr(client, method)(url).status_code == 403


def test_it_refuses_responders_feed_changes_and_outsiders_any_event(world: World) -> None:
    client = _client(responder())
    assert client.post(f"{API}/feeds/", {"name": "x", "parser": "plain"}).status_code == 403
    patch = client.patch(f"{API}/feeds/{world.feed.pk}/", {}, content_type="application/json")
    assert patch.status_code == 403
    assert Feed.objects.get(pk=world.feed.pk).enabled
    assert _client(outsider()).get(f"{API}/events/").json()["count"] == 0
