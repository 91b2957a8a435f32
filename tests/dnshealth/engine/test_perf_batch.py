"""A batch tunes the garbage collector while it is open and gives the old settings back."""

from __future__ import annotations

import gc

import pytest

from dnscert.dnshealth.engine import runner
from dnscert.dnshealth.engine.runner import BATCH_GC_THRESHOLDS, Batch
from tests.dnshealth.engine.conftest import lab_config, run


@pytest.fixture(autouse=True)
def _tuning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "_gc_tuning", True)


def test_a_batch_leaves_the_collector_alone_unless_the_process_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runner, "_gc_tuning", False)
    before = gc.get_threshold()

    async def body() -> tuple[int, int, int]:
        batch = Batch(lab_config(53))
        for _zone in range(3):
            batch.zone_checked()
        seen = gc.get_threshold()
        await batch.close()
        return seen

    assert run(body) == before
    assert gc.get_threshold() == before


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


def test_it_collects_garbage_every_so_many_zones_and_freezes_the_survivors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(runner, "FULL_GC_EVERY_ZONES", 3)
    monkeypatch.setattr(runner.gc, "collect", lambda: calls.append("collect") or 0)
    monkeypatch.setattr(runner.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(runner.gc, "unfreeze", lambda: calls.append("unfreeze"))

    async def body() -> int:
        batch = Batch(lab_config(53))
        for _zone in range(7):
            batch.zone_checked()
        await batch.close()
        return batch.zones_checked

    assert run(body) == 7
    # Closing: the objects made since the last freeze are frozen too, then all unfrozen.
    assert calls == ["collect", "freeze", "collect", "freeze", "freeze", "unfreeze"]


def test_frozen_objects_are_collectable_again_after_the_batch() -> None:
    async def body() -> int:
        batch = Batch(lab_config(53))
        gc.freeze()  # as a batch does after its periodic collection
        await batch.close()
        return gc.get_freeze_count()

    assert run(body) == 0


def test_automatic_collection_is_off_while_a_batch_is_open() -> None:
    async def body() -> tuple[int, bool]:
        batch = Batch(lab_config(53))
        try:
            return gc.get_threshold()[0], gc.isenabled()
        finally:
            await batch.close()

    assert run(body) == (0, True)  # threshold 0 = no automatic collection; gc.collect works
