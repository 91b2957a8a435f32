"""``gather_ready`` gives gather's results without a task for coroutines that do not wait."""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Coroutine
from typing import Any

import pytest

from dnscert.dnshealth.engine.gathering import gather_ready
from tests.dnshealth.engine.conftest import run


async def _ready(value: int, seen: list[asyncio.Task[Any] | None]) -> int:
    seen.append(asyncio.current_task())
    return value


def test_coroutines_that_do_not_wait_run_in_turn_in_the_callers_task() -> None:
    async def body() -> tuple[list[int], list[asyncio.Task[Any] | None], asyncio.Task[Any] | None]:
        seen: list[asyncio.Task[Any] | None] = []
        results = await gather_ready(_ready(value, seen) for value in range(5))
        return results, seen, asyncio.current_task()

    results, seen, caller = run(body)
    assert results == [0, 1, 2, 3, 4]
    assert seen == [caller] * 5  # no task of their own


def test_after_the_first_that_waits_the_rest_run_together_and_keep_their_order() -> None:
    async def body() -> list[str]:
        started: list[str] = []
        everyone_in = asyncio.Event()

        async def waits_for_the_others(name: str) -> str:
            started.append(name)
            if len(started) == 5:
                everyone_in.set()
            await everyone_in.wait()  # run in turn, the first would wait here for ever
            return name

        async def first() -> str:
            await asyncio.sleep(0)
            return "first"

        coros: list[Coroutine[Any, Any, str]] = [
            _ready_name("ready"),
            first(),
            *(waits_for_the_others(f"w{index}") for index in range(5)),
        ]
        async with asyncio.timeout(5):
            return await gather_ready(coros)

    assert run(body) == ["ready", "first", "w0", "w1", "w2", "w3", "w4"]


async def _ready_name(name: str) -> str:
    return name


def test_an_error_propagates_and_the_coroutines_not_started_are_closed() -> None:
    async def fails() -> int:
        raise ValueError("probe broke")

    async def body() -> list[Coroutine[Any, Any, int]]:
        later = [_ready(1, []), _ready(2, [])]
        with pytest.raises(ValueError, match="probe broke"):
            await gather_ready([_ready(0, []), fails(), *later])
        return later

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        later = run(body)
        assert all(coro.cr_frame is None for coro in later)  # closed, never started
        del later
        gc.collect()
    assert not [w for w in caught if "never awaited" in str(w.message)]


def test_an_error_after_waiting_propagates_like_gathers() -> None:
    async def fails_later() -> int:
        await asyncio.sleep(0)
        raise LookupError("late failure")

    async def body() -> None:
        await gather_ready([_ready(0, []), _waits_then(1), fails_later()])

    with pytest.raises(LookupError, match="late failure"):
        run(body)


async def _waits_then(value: int) -> int:
    await asyncio.sleep(0)
    return value


def test_nothing_to_gather_is_an_empty_list() -> None:
    async def body() -> list[int]:
        return await gather_ready([])

    assert run(body) == []
