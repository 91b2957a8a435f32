"""The one scoping rule of DNS health: staff and responders see all, members their own."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from dnscert.dnshealth import queries
from dnscert.dnshealth.models import (
    DailyRollup,
    DelegationChange,
    MonitoringTarget,
    PlannedChange,
    Signal,
    ZoneResult,
)
from tests.dnshealth.web.factories import Bed, plan, run
from tests.personas import member, outsider, responder, staff

pytestmark = pytest.mark.django_db

ALL_NAMES = {".", "xa.", "xb.", "shop.xa.", "bank.xb."}


def names(user: Any) -> set[str]:
    return set(queries.visible_targets(user).values_list("name", flat=True))


def test_it_shows_every_zone_to_staff_and_responders(bed: Bed) -> None:
    assert names(staff()) == ALL_NAMES
    assert names(responder()) == ALL_NAMES


def test_it_shows_members_their_own_organisations_zones_only(bed: Bed) -> None:
    assert names(member(bed.reg_a)) == {"xa.", "shop.xa."}
    assert names(member(bed.reg_b)) == {"xb.", "bank.xb."}


def test_it_shows_nothing_to_the_public_and_to_outsiders(bed: Bed) -> None:
    assert names(AnonymousUser()) == set()
    assert names(outsider()) == set()


@pytest.mark.parametrize(
    "model", [ZoneResult, Signal, DelegationChange, PlannedChange, DailyRollup, MonitoringTarget]
)
def test_it_scopes_every_model_by_the_owning_organisation(bed: Bed, model: Any) -> None:
    plan(bed.bank)
    plan(bed.shop)
    for target in (bed.bank, bed.shop):
        DailyRollup.objects.create(target=target, day="2026-11-01")
    everything = model.objects.all()
    reg_b_member = member(bed.reg_b)
    own = queries.scope(reg_b_member, everything)
    path = queries.ORGANISATION_FIELD[model]
    assert own.count() > 0
    assert set(own.values_list(path, flat=True)) == {bed.reg_b.pk}
    assert queries.scope(staff(), everything).count() == everything.count()
    assert queries.scope(AnonymousUser(), everything).count() == 0


def test_it_finds_a_zone_by_name_only_within_scope(bed: Bed) -> None:
    assert queries.target_by_name(member(bed.reg_b), "BANK.xb").pk == bed.bank.pk
    assert queries.target_by_name(staff(), "_root").pk == bed.root.pk
    with pytest.raises(Http404):
        queries.target_by_name(member(bed.reg_a), "bank.xb.")


def test_it_shows_members_only_the_runs_they_requested(bed: Bed) -> None:
    requester = member(bed.reg_a)
    mine = run(requested_by=requester)
    assert list(queries.visible_runs(requester)) == [mine]
    assert queries.visible_runs(staff()).count() == queries.visible_runs(responder()).count() > 1
    assert not queries.visible_runs(AnonymousUser()).exists()
