"""The directory in the Django admin: visible to superusers, read-only (changes need audit)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.personas import login_verified, make_org

pytestmark = pytest.mark.django_db

MODELS = ["organisation", "zone", "nameserverhost", "networkprefix", "autonomoussystem"]


@pytest.mark.parametrize("model", [*MODELS, "product", "contact"])
def test_it_shows_but_does_not_change_the_directory(model: str) -> None:
    org = make_org()
    admin = get_user_model().objects.create_superuser("root-admin", "root@x.example", "pw-123456")
    client = login_verified(Client(), admin)
    assert client.get(reverse(f"admin:directory_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:directory_{model}_add")).status_code == 403
    if model == "organisation":
        change = reverse("admin:directory_organisation_change", args=[org.pk])
        page = client.get(change)
        assert page.status_code == 200
        assert client.post(change, {"name": "Changed"}).status_code == 403
        org.refresh_from_db()
        assert org.name != "Changed"
