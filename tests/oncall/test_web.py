"""The on-call pages: who may open them, the shift editor, the coverage view, pages, CSV."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from dnscert.directory.oncall import services
from dnscert.directory.oncall.models import Rota, Shift
from tests.oncall.factories import person, policy, rota, shift, utc
from tests.personas import login_verified, member, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> dict[str, Any]:
    now = timezone.now()
    main = rota("Main")
    alice = person("alice", "Asia/Tokyo")
    first = shift(main, alice, now - timedelta(hours=1), now + timedelta(hours=5))
    return {"rota": main, "alice": alice, "shift": first, "staff": staff("sam")}


def _urls(setup: dict[str, Any]) -> list[str]:
    main, first = setup["rota"], setup["shift"]
    return [
        "/oncall/",
        f"/oncall/rotas/{main.pk}/",
        "/oncall/coverage/",
        "/oncall/pages/",
        "/oncall/pages/export.csv",
        "/oncall/policies/",
        f"/oncall/shifts/{first.pk}/delete/",
    ]


def test_members_are_refused_and_the_public_sent_to_sign_in(
    setup: dict[str, Any], client: Client
) -> None:
    for url in _urls(setup):
        assert client.get(url).status_code in (302, 405), url
    login_verified(client, member())
    for url in _urls(setup):
        method = client.post if "delete" in url else client.get
        assert method(url).status_code == 403, url


def test_responders_may_read_but_not_edit_rotas(setup: dict[str, Any], client: Client) -> None:
    login_verified(client, setup["alice"])
    for url in _urls(setup)[:-1]:
        assert client.get(url).status_code == 200, url
    assert client.get("/oncall/rotas/new/").status_code == 403
    assert client.get("/oncall/policies/new/").status_code == 403


def test_the_overview_shows_who_is_on_call_with_their_local_time(
    setup: dict[str, Any], client: Client
) -> None:
    login_verified(client, setup["staff"])
    before = timezone.now().astimezone(ZoneInfo("Asia/Tokyo"))
    body = client.get("/oncall/").content.decode()
    after = timezone.now().astimezone(ZoneInfo("Asia/Tokyo"))
    assert 'data-user="alice"' in body
    shown = {f"{moment:%H:%M} (Asia/Tokyo)" for moment in (before, after)}
    assert any(text in body for text in shown)


def test_the_week_calendar_shows_viewer_time_and_the_owners_local_time(
    setup: dict[str, Any], client: Client
) -> None:
    shift(setup["rota"], setup["alice"], utc(2026, 7, 6, 23), utc(2026, 7, 7, 7))
    viewer = staff(time_zone="America/New_York")
    login_verified(client, viewer)
    body = client.get(f"/oncall/rotas/{setup['rota'].pk}/?week=2026-07-08").content.decode()
    assert "Week of 2026-07-06 (times in America/New_York)" in body
    assert "19:00\u201303:00" in body  # New York summer time, the viewer's
    assert "(08:00\u201316:00 Asia/Tokyo)" in body  # the owner's own hours


def test_a_responder_adds_a_shift_for_themselves_in_local_time(
    setup: dict[str, Any], client: Client
) -> None:
    alice, main = setup["alice"], setup["rota"]
    login_verified(client, alice)
    answer = client.post(
        f"/oncall/rotas/{main.pk}/shifts/add/",
        {"responder": alice.pk, "start": "2026-07-01T09:00", "end": "2026-07-01T17:00",
         "time_zone": "Asia/Tokyo", "note": ""},
    )  # fmt: skip
    assert answer.status_code == 302
    added = Shift.objects.get(start__date="2026-07-01")
    assert added.start.isoformat() == "2026-07-01T00:00:00+00:00"

    bob = person("bob", "UTC")
    refused = client.post(
        f"/oncall/rotas/{main.pk}/shifts/add/",
        {"responder": bob.pk, "start": "2026-07-01T09:00", "end": "2026-07-01T17:00",
         "time_zone": "UTC"},
    )  # fmt: skip
    assert refused.status_code == 400 and not Shift.objects.filter(responder=bob).exists()


def test_the_shift_form_names_the_field_of_a_bad_shift(
    setup: dict[str, Any], client: Client
) -> None:
    login_verified(client, setup["staff"])
    answer = client.post(
        f"/oncall/rotas/{setup['rota'].pk}/shifts/add/",
        {"responder": setup["alice"].pk, "start": "2026-07-01T17:00", "end": "2026-07-01T09:00",
         "time_zone": "UTC"},
    )  # fmt: skip
    assert answer.status_code == 400
    assert "must be after the start" in answer.content.decode()


def test_a_weekly_pattern_is_added_from_the_rota_page(
    setup: dict[str, Any], client: Client
) -> None:
    login_verified(client, setup["staff"])
    answer = client.post(
        f"/oncall/rotas/{setup['rota'].pk}/patterns/add/",
        {"responder": setup["alice"].pk, "weekdays": ["0", "1", "2", "3", "4"],
         "start_time": "08:00", "end_time": "16:00", "time_zone": "Europe/Paris", "weeks": "2"},
    )  # fmt: skip
    assert answer.status_code == 302
    pattern = setup["rota"].patterns.get()
    assert pattern.time_zone == "Europe/Paris" and pattern.shifts.count() >= 9
    page = client.get(f"/oncall/rotas/{setup['rota'].pk}/").content.decode()
    assert "Mon,Tue,Wed,Thu,Fri" in page


def test_the_responder_removes_their_own_shift_but_not_anothers(
    setup: dict[str, Any], client: Client
) -> None:
    other = shift(
        setup["rota"], person("bob", "UTC"), timezone.now(), timezone.now() + timedelta(hours=1)
    )
    login_verified(client, setup["alice"])
    assert client.post(f"/oncall/shifts/{other.pk}/delete/").status_code == 403
    assert client.post(f"/oncall/shifts/{setup['shift'].pk}/delete/").status_code == 302
    assert list(Shift.objects.all()) == [other]


def test_the_coverage_view_highlights_the_gap(setup: dict[str, Any], client: Client) -> None:
    login_verified(client, setup["staff"])
    body = client.get("/oncall/coverage/?weeks=1").content.decode()
    assert 'data-state="gap"' in body and 'class="gap-row"' in body
    assert "1 gap," in body or "gaps," in body
    assert client.get("/oncall/coverage/?weeks=99").status_code == 200  # falls back, says why


def test_staff_create_a_policy_and_a_rota_from_the_forms(client: Client) -> None:
    login_verified(client, staff())
    answer = client.post(
        "/oncall/policies/new/",
        {"name": "Night", "on_call_minutes": "10", "backup_minutes": "5", "expire_hours": "12",
         "max_shift_hours": "12"},
    )  # fmt: skip
    assert answer.status_code == 302
    bad = client.post(
        "/oncall/rotas/new/",
        {"name": "Asia", "kind": "primary", "time_zone": "Asia/Atlantis", "policy": "1"},
    )
    assert bad.status_code == 200 and "Asia/Atlantis" in bad.content.decode()
    created = client.post(
        "/oncall/rotas/new/",
        {"name": "Asia", "kind": "primary", "time_zone": "Asia/Tokyo",
         "policy": str(policy(name="Other").pk), "active": "on"},
    )  # fmt: skip
    assert created.status_code == 302 and Rota.objects.filter(name="Asia").exists()


def test_pages_list_filters_exports_and_acknowledges(setup: dict[str, Any], client: Client) -> None:
    first = services.page(subject="First", body="", url="", severity="high")
    services.page(subject="Second", body="", url="", severity="critical")
    login_verified(client, setup["alice"])
    listing = client.get("/oncall/pages/?severity=high").content.decode()
    assert "First" in listing and "Second" not in listing
    csv_text = client.get("/oncall/pages/export.csv").content.decode()
    assert csv_text.splitlines()[0].startswith("id,created_at,subject")
    assert len(csv_text.splitlines()) == 3

    assert client.post(f"/oncall/pages/{first.pk}/acknowledge/").status_code == 302
    first.refresh_from_db()
    assert first.acknowledged_by == setup["alice"] and first.acknowledged_via == "web"
    detail = client.get(f"/oncall/pages/{first.pk}/").content.decode()
    assert "Acknowledged" in detail and "alice@example.org" in detail


def test_a_responder_does_not_see_pages_sent_to_others(
    setup: dict[str, Any], client: Client
) -> None:
    page = services.page(subject="For alice", body="", url="", severity="high")
    login_verified(client, person("bob", "UTC"))
    assert client.get(f"/oncall/pages/{page.pk}/").status_code == 404
    assert "For alice" not in client.get("/oncall/pages/").content.decode()


def test_the_pages_render_in_french(setup: dict[str, Any], client: Client) -> None:
    login_verified(client, setup["staff"])
    body = client.get("/oncall/coverage/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Couverture de l&#x27;astreinte" in body or "Couverture de l'astreinte" in body
    assert "personne d&#x27;astreinte" in body or "personne d'astreinte" in body


def test_editing_a_rota_without_a_secret_keeps_the_stored_one(client: Client) -> None:
    hooked = rota("Hooked", webhook_url="https://chat.example/h", webhook_secret="kept-secret")
    login_verified(client, staff())
    form = client.get(f"/oncall/rotas/{hooked.pk}/edit/").content.decode()
    assert "kept-secret" not in form
    answer = client.post(
        f"/oncall/rotas/{hooked.pk}/edit/",
        {"name": "Hooked", "kind": "primary", "time_zone": "UTC", "policy": hooked.policy.pk,
         "active": "on", "webhook_url": "https://chat.example/h2", "webhook_secret": ""},
    )  # fmt: skip
    assert answer.status_code == 302
    hooked.refresh_from_db()
    assert hooked.webhook_secret == "kept-secret" and hooked.webhook_url.endswith("/h2")


def test_the_lists_use_a_bounded_number_of_queries(
    setup: dict[str, Any], client: Client, django_assert_max_num_queries: Any
) -> None:
    for number in range(15):
        services.page(subject=f"Page {number}", body="", url="", severity="high")
    login_verified(client, setup["staff"])
    with django_assert_max_num_queries(12):
        assert client.get("/oncall/pages/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/oncall/coverage/").status_code == 200
