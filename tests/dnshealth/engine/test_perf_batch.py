"""A batch tunes the garbage collector while it is open and gives the old settings back."""

from __future__ import annotations

import gc

import pytest

from dnscert.dnshealth.engine import runner
from dnscert.dnshealth.engine.runner import BATCH_GC_THRESHOLDS, Batch
from tests.dnshealth.engine.conftest import lab_config, run


def test_it_tunes_the_collector_while_batches_are_open_and_restores_it() -> None:
    before = gc.get_threshold()

    async def body() -> list[tuple[int, int, int]]:
        seen = []
        outer = Batch(lab_config(53))
        inner = Batch(lab_config(53))
        seen.append(gc.get_threshold())
        await inner.close()
        await inner.close()  # closing twice changes nothing
        seen.append(gc.get_threshold())
        await outer.close()
        seen.append(gc.get_threshold())
        return seen

    assert run(body) == [BATCH_GC_THRESHOLDS, BATCH_GC_THRESHOLDS, before]


def test_it_collects_garbage_every_so_many_zones(monkeypatch: pytest.MonkeyPatch) -> None:
    collections: list[int] = []

    def collect() -> int:
        collections.append(1)
        return 0

    monkeypatch.setattr(runner, "FULL_GC_EVERY_ZONES", 3)
    monkeypatch.setattr(runner.gc, "collect", collect)

    async def body() -> int:
        batch = Batch(lab_config(53))
        for _zone in range(7):
            batch.zone_checked()
        await batch.close()
        return batch.zones_checked

    assert run(body) == 7
    assert len(collections) == 2
