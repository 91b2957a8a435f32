"""Drills in the Django admin: visible to superusers, read only (changes need the audit)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.drills import factories
from tests.personas import login_verified

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["drill", "probe"])
def test_it_shows_but_does_not_change_drills(model: str) -> None:
    factories.registry("xa")
    drill = factories.launched()
    obj = drill if model == "drill" else drill.probes.get()
    admin = get_user_model().objects.create_superuser("root-admin", "root@x.example", "pw-123456")
    client = login_verified(Client(), admin)
    assert client.get(reverse(f"admin:drills_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:drills_{model}_add")).status_code == 403
    change = reverse(f"admin:drills_{model}_change", args=[obj.pk])
    page = client.get(change)
    assert page.status_code == 200
    if model == "probe":
        assert drill.probes.get().token not in page.content.decode()
    assert client.post(change, {"title": "Changed"}).status_code == 403
    drill.refresh_from_db()
    assert drill.title != "Changed"
