"""Constituents see only the events about their own TLDs and registrations."""

from __future__ import annotations

import pytest

from dnscert.intel import queries
from dnscert.intel.models import DailyAggregate, Event
from dnscert.intel.scope import scope_events
from tests.intel.app.conftest import World
from tests.personas import member, outsider, responder, staff

pytestmark = pytest.mark.django_db


def _names(user: object) -> set[str]:
    return set(scope_events(user).values_list("source_fqdn", flat=True))


def test_it_shows_the_team_every_event(world: World) -> None:
    assert (
        scope_events(staff()).count()
        == scope_events(responder()).count()
        == Event.objects.count()
        == 6
    )


def test_it_shows_a_registry_the_events_under_its_tlds(world: World) -> None:
    assert _names(member(world.registry_xa)) == {"shop.xa", "login.shop.xa", "plain.xa"}
    assert _names(member(world.registry_xb)) == {"bank.xb", "mail.xb"}


def test_it_shows_a_registrar_the_domains_it_sponsors(world: World) -> None:
    assert _names(member(world.registrar_names)) == {"shop.xa", "login.shop.xa", "bank.xb"}
    assert _names(member(world.registrar_other)) == {"mail.xb"}


def test_it_shows_outsiders_and_anonymous_visitors_nothing(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not scope_events(outsider()).exists()
    assert not scope_events(AnonymousUser()).exists()


def test_it_scopes_aggregates_to_own_tlds_and_registrar_id(world: World) -> None:
    rows = DailyAggregate.objects.all()
    registry_rows = queries.scope_aggregates(member(world.registry_xa), rows)
    assert {(row.dimension, row.key) for row in registry_rows} == {("tld", "xa")}
    registrar_rows = queries.scope_aggregates(member(world.registrar_names), rows)
    assert {(row.dimension, row.key) for row in registrar_rows} == {("registrar", "9001")}
    assert not queries.scope_aggregates(outsider(), rows).exists()


def test_it_computes_a_members_charts_from_their_own_events(world: World) -> None:
    from datetime import date

    series = queries.chart_series(member(world.registry_xb), "registrar", 30, date(2026, 11, 30))
    assert {total["key"]: total["count"] for total in series["totals"]} == {
        "Example Names Registrar": 1,
        "Registrador Ejemplo": 1,
    }
    team = queries.chart_series(staff(), "tld", 30, date(2026, 11, 30))
    assert {total["key"]: total["count"] for total in team["totals"]} == {"xa": 3, "xb": 2}
