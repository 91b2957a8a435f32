"""The TLP sharing rule: every role x TLP label x relation, against visible(), can_see() and
the shared-documents API (list and detail).

The expected outcome comes from the explicit table below, written from TLP 2.0 and the
platform's roles, never from the rule under test.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dnscert.core.choices import TLP
from dnscert.core.models import ApiToken, SharedDocument
from dnscert.core.visibility import can_see, get_visible_or_404, visible
from dnscert.directory.choices import OrganisationKind
from tests.personas import make_org, make_user

pytestmark = pytest.mark.django_db

LABELS = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
RELATIONS = ["none", "owner_org", "recipient_org", "client_of_recipient", "named", "assigned"]

# Signed-in responders and members: may the user see an object with this label when this is
# how they stand to it?  (Y = yes, . = no)
#                      none owner recip client named assigned
SIGNED_IN_GRID = """
CLEAR                   Y    Y     Y     Y      Y     Y
GREEN                   Y    Y     Y     Y      Y     Y
AMBER                   .    Y     Y     Y      Y     Y
AMBER+STRICT            .    Y     Y     .      Y     Y
RED                     .    .     .     .      Y     Y
"""
# The public (anonymous visitors) stand in no relation to anything.
PUBLIC_SEES = {"CLEAR"}
# Core staff see everything whatever their relation.


def _parse_grid(grid: str) -> dict[tuple[str, str], bool]:
    table = {}
    for line in grid.strip().splitlines():
        label, *marks = line.split()
        for relation, mark in zip(RELATIONS, marks, strict=True):
            table[(label, relation)] = mark == "Y"
    return table


SIGNED_IN_EXPECTED = _parse_grid(SIGNED_IN_GRID)


def expected_labels(role: str, relation: str) -> set[str]:
    if role == "staff":
        return set(LABELS)
    if role == "public":
        return set(PUBLIC_SEES)
    return {label for label in LABELS if SIGNED_IN_EXPECTED[(label, relation)]}


CASES = [(role, relation) for role in ("staff", "responder", "member") for relation in RELATIONS]
CASES.append(("public", "none"))


def _setup(role: str, relation: str) -> tuple[Any, dict[str, SharedDocument]]:
    """Build the organisations, the user in ``relation`` and one document per TLP label."""
    owner = make_org(OrganisationKind.CCTLD_REGISTRY)
    recipient = make_org(OrganisationKind.DNS_OPERATOR)
    client_org = make_org(OrganisationKind.REGISTRAR)
    unrelated = make_org(OrganisationKind.RESEARCHER)
    recipient.clients.add(client_org)
    org_of = {"owner_org": owner, "recipient_org": recipient, "client_of_recipient": client_org}
    user: Any = AnonymousUser()
    if role != "public":
        user = make_user(role, org_of.get(relation, unrelated))
    documents = {}
    for label in LABELS:
        document = SharedDocument.objects.create(title=f"doc {label}", tlp=label)
        document.owner_organisation = owner
        document.save()
        document.recipient_organisations.add(recipient)
        if relation == "named":
            document.named_recipients.add(user)
        if relation == "assigned":
            document.assignees.add(user)
        documents[label] = document
    return user, documents


def _api_client(user: Any) -> Client:
    if not user.is_authenticated:
        return Client()
    raw = ApiToken.issue(user, "matrix")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.mark.parametrize(("role", "relation"), CASES, ids=[f"{r}-{rel}" for r, rel in CASES])
def test_it_applies_the_sharing_rule_for_every_role_label_and_relation(
    role: str, relation: str
) -> None:
    user, documents = _setup(role, relation)
    expected = expected_labels(role, relation)

    listed = {d.tlp for d in visible(user, SharedDocument.objects.all())}
    assert listed == expected, "visible()"
    assert {label for label, d in documents.items() if can_see(user, d)} == expected, "can_see()"

    client = _api_client(user)
    response = client.get(reverse("shared-document-list"))
    assert response.status_code == 200
    assert {row["tlp"] for row in response.json()["results"]} == expected, "API list"
    for label, document in documents.items():
        detail = client.get(reverse("shared-document-detail", args=[document.pk]))
        assert detail.status_code == (200 if label in expected else 404), f"API detail {label}"


def test_it_treats_an_inactive_user_as_the_public() -> None:
    user, documents = _setup("member", "named")
    user.is_active = False
    user.save()
    assert {d.tlp for d in visible(user, SharedDocument.objects.all())} == PUBLIC_SEES
    assert not can_see(user, documents["RED"])


def test_it_lets_a_superuser_without_staff_role_see_everything() -> None:
    user, documents = _setup("member", "none")
    user.is_superuser = True
    user.save()
    assert visible(user, SharedDocument.objects.all()).count() == len(LABELS)
    assert can_see(user, documents["RED"])


def test_it_returns_each_object_once_when_several_relations_hold() -> None:
    owner = make_org()
    user = make_user("member", owner)
    other_recipient = make_org()
    document = SharedDocument.objects.create(title="x", tlp=TLP.AMBER, owner_organisation=owner)
    document.recipient_organisations.add(owner, other_recipient)
    document.named_recipients.add(user)
    document.assignees.add(user)
    with CaptureQueriesContext(connection) as queries:
        rows = list(visible(user, SharedDocument.objects.all()))
    assert rows == [document]
    assert len(queries) == 1
    assert "DISTINCT" not in queries[0]["sql"].upper()


def test_it_hides_objects_with_an_unknown_label_and_names_the_label() -> None:
    user = make_user("member", make_org())
    document = SharedDocument.objects.create(title="odd", tlp="PURPLE")
    assert not visible(user, SharedDocument.objects.all()).exists()
    with pytest.raises(ValueError, match="unknown TLP label 'PURPLE'"):
        can_see(user, document)


def test_it_answers_404_for_hidden_objects() -> None:
    from django.http import Http404

    user = make_user("member", make_org())
    red = SharedDocument.objects.create(title="secret", tlp=TLP.RED)
    with pytest.raises(Http404):
        get_visible_or_404(user, SharedDocument.objects.all(), pk=red.pk)
    red.named_recipients.add(user)
    assert get_visible_or_404(user, SharedDocument.objects.all(), pk=red.pk) == red


@pytest.mark.parametrize("label", LABELS)
def test_it_applies_the_rule_to_the_document_pages(label: str) -> None:
    user, documents = _setup("member", "client_of_recipient")
    client = Client()
    client.force_login(user)
    listing = client.get(reverse("documents")).content.decode()
    detail = client.get(reverse("document-detail", args=[documents[label].pk]))
    visible_to_client = SIGNED_IN_EXPECTED[(label, "client_of_recipient")]
    assert (f"doc {label}" in listing) is visible_to_client
    assert detail.status_code == (200 if visible_to_client else 404)


def test_it_names_who_may_see_a_label_in_any_written_form() -> None:
    from dnscert.core.visibility import Relation, who_may_see

    assert who_may_see("tlp:amber+strict") == {
        Relation.OWNER_ORG,
        Relation.RECIPIENT_ORG,
        Relation.NAMED,
        Relation.ASSIGNED,
    }
    with pytest.raises(ValueError, match=r"unknown TLP label 'AMBER\+'"):
        who_may_see("AMBER+")
