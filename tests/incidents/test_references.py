"""Reference ids stay unique and gap-free when many incidents open at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from dnscert.incidents import services
from dnscert.incidents.models import Incident

WORKERS = 8
EACH = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_hands_out_each_number_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises every writer)")
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)

    def open_some() -> None:
        try:
            start.wait()
            for _ in range(EACH):
                services.create_incident(
                    title="Flood", summary="", category="dns-ddos", severity="low", tlp="GREEN"
                )
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=open_some) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    numbers = sorted(
        int(ref.rsplit("-", 1)[1]) for ref in Incident.objects.values_list("reference", flat=True)
    )
    assert numbers == list(range(1, WORKERS * EACH + 1))
