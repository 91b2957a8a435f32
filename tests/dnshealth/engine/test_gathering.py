"""``gather_ready`` and ``start_eagerly`` give a task only to coroutines that wait."""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Coroutine
from typing import Any

import pytest

from dnscert.dnshealth.engine.gathering import gather_ready, start_eagerly
from tests.dnshealth.engine.conftest import run


async def _ready(value: int, seen: list[asyncio.Task[Any] | None]) -> int:
    seen.append(asyncio.current_task())
    return value


def test_coroutines_that_do_not_wait_run_in_the_callers_task() -> None:
    async def body() -> tuple[list[int], list[asyncio.Task[Any] | None], asyncio.Task[Any] | None]:
        seen: list[asyncio.Task[Any] | None] = []
        results = await gather_ready(_ready(value, seen) for value in range(5))
        return results, seen, asyncio.current_task()

    results, seen, caller = run(body)
    assert results == [0, 1, 2, 3, 4]
    assert seen == [caller] * 5  # no task of their own


def test_coroutines_that_wait_all_wait_together_and_keep_their_order() -> None:
    async def body() -> list[str]:
        started: list[str] = []
        everyone_in = asyncio.Event()

        async def waits_for_the_others(name: str) -> str:
            started.append(name)
            if len(started) == 5:
                everyone_in.set()
            await everyone_in.wait()  # one at a time, the first would wait here for ever
            return name

        coros: list[Coroutine[Any, Any, str]] = [
            _ready_name("ready"),
            *(waits_for_the_others(f"w{index}") for index in range(5)),
            _ready_name("last"),
        ]
        async with asyncio.timeout(5):
            return await gather_ready(coros)

    assert run(body) == ["ready", "w0", "w1", "w2", "w3", "w4", "last"]


async def _ready_name(name: str) -> str:
    return name


def test_the_first_error_propagates_and_the_others_run_on_as_with_gather() -> None:
    async def fails() -> int:
        raise ValueError("probe broke")

    async def body() -> list[asyncio.Task[Any] | None]:
        seen: list[asyncio.Task[Any] | None] = []
        with pytest.raises(ValueError, match="probe broke"):
            await gather_ready([_ready(0, seen), fails(), _ready(2, seen)])
        return seen

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert len(run(body)) == 2
        gc.collect()
    assert not [w for w in caught if "never awaited" in str(w.message)]


def test_cancelling_the_gathering_cancels_the_coroutines_still_waiting() -> None:
    async def body() -> list[str]:
        events: list[str] = []

        async def waits_for_ever(name: str) -> None:
            try:
                await asyncio.get_running_loop().create_future()
            except asyncio.CancelledError:
                events.append(name)
                raise

        gathering = asyncio.ensure_future(gather_ready([waits_for_ever("a"), waits_for_ever("b")]))
        await asyncio.sleep(0)
        gathering.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gathering
        await asyncio.sleep(0)
        return sorted(events)

    assert run(body) == ["a", "b"]


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


def test_a_coroutine_that_does_not_wait_is_done_at_once_in_the_callers_task() -> None:
    async def body() -> tuple[int, list[asyncio.Task[Any] | None], asyncio.Task[Any] | None]:
        seen: list[asyncio.Task[Any] | None] = []
        future = start_eagerly(_ready(7, seen))
        assert future.done() and not isinstance(future, asyncio.Task)
        return await future, seen, asyncio.current_task()

    value, seen, caller = run(body)
    assert value == 7 and seen == [caller]


def test_a_coroutine_that_waits_goes_on_in_a_task_of_its_own() -> None:
    async def body() -> tuple[str, list[asyncio.Task[Any] | None], asyncio.Task[Any] | None]:
        gate: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        seen: list[asyncio.Task[Any] | None] = []

        async def waits() -> str:
            seen.append(asyncio.current_task())
            value = await gate
            seen.append(asyncio.current_task())
            await asyncio.sleep(0)  # a bare yield is passed through as well
            return value + "!"

        future = start_eagerly(waits())
        assert not future.done() and isinstance(future, asyncio.Task)
        gate.set_result("opened")
        return await future, seen, asyncio.current_task()

    value, seen, caller = run(body)
    assert value == "opened!"
    assert seen[0] is caller and seen[1] is not caller and seen[1] is not None


@pytest.mark.parametrize("steps_first", [True, False], ids=["after-a-step", "before-any-step"])
def test_cancelling_the_task_reaches_the_coroutine_where_it_waits(steps_first: bool) -> None:
    async def body() -> list[str]:
        events: list[str] = []

        async def waits_for_ever() -> None:
            try:
                await asyncio.get_running_loop().create_future()
            except asyncio.CancelledError:
                events.append("cancelled")
                raise
            finally:
                events.append("cleaned up")

        task = start_eagerly(waits_for_ever())
        if steps_first:
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return events

    assert run(body) == ["cancelled", "cleaned up"]


def test_errors_before_and_after_the_first_wait_reach_the_future() -> None:
    async def fails_at_once() -> int:
        raise KeyError("at once")

    async def fails_later() -> int:
        await asyncio.sleep(0)
        raise IndexError("later")

    async def body() -> None:
        early = start_eagerly(fails_at_once())
        assert early.done()
        with pytest.raises(KeyError, match="at once"):
            await early
        with pytest.raises(IndexError, match="later"):
            await start_eagerly(fails_later())

    run(body)
