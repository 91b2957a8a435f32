"""Running coroutines that mostly find their answers ready without a task apiece.

``gather_ready`` is ``asyncio.gather`` for such coroutines; ``start_eagerly`` starts one the
way Python 3.12's eager tasks do.

The DNSSEC test cases probe every name server with a coroutine each. By the time they run,
the questions they ask have mostly been asked of every server up front
(``runner._ask_every_server``), and ``gather``'s task per coroutine (created, scheduled,
stepped, its result relayed to the gathering future) cost more CPU than the probe itself.
Here the coroutines run in turn in the caller's task while each finishes without waiting.
The first one that has to wait is followed by the rest all at once, as ``gather`` would run
them: a round of questions that was not asked up front costs one round trip more, not one
per server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator, Iterable
from typing import Any, Generic, TypeVar, cast

_T = TypeVar("_T")


class _Waited:
    """Set by a callback of the next loop iteration: it runs only if the awaited code waited."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = False

    def set(self) -> None:
        self.value = True


async def gather_ready(coros: Iterable[Coroutine[Any, Any, _T]]) -> list[_T]:
    """The results of ``coros`` in their order, as ``asyncio.gather(*coros)`` gives them.

    In turn while each finishes without waiting, then the rest together. An exception ends
    the gathering there: it propagates, and coroutines not yet started are closed unstarted.
    """
    loop = asyncio.get_running_loop()
    results: list[_T] = []
    pending = iter(coros)
    try:
        for coro in pending:
            waited = _Waited()
            handle = loop.call_soon(waited.set)
            try:
                results.append(await coro)
            finally:
                handle.cancel()
            if waited.value:
                results.extend(await asyncio.gather(*pending))
                break
    except BaseException:
        for coro in pending:
            coro.close()
        raise
    return results


def start_eagerly(coro: Coroutine[Any, Any, _T]) -> asyncio.Future[_T]:
    """Run ``coro`` in the caller's task up to its first wait; a task takes it on from there.

    Returns a future that is already done when ``coro`` finished without waiting (no task
    was made), else the task. What runs before the first wait runs in the caller's task,
    so ``coro`` must not enter ``asyncio.timeout`` there: the timeout would cancel the caller.
    """
    loop = asyncio.get_running_loop()
    try:
        waiting_on = coro.send(None)
    except StopIteration as finished:
        done: asyncio.Future[_T] = loop.create_future()
        done.set_result(finished.value)
        return done
    except BaseException as exc:
        failed: asyncio.Future[_T] = loop.create_future()
        failed.set_exception(exc)
        return failed
    return asyncio.ensure_future(_carry_on(coro, waiting_on))


async def _carry_on(coro: Coroutine[Any, Any, _T], waiting_on: Any) -> _T:
    return await _Resume(coro, waiting_on)


class _Resume(Generic[_T]):
    """Awaited by the task: hands it what ``coro`` waits on, and ``coro`` what it sends back
    or throws in (a cancellation reaches ``coro`` where it waits)."""

    __slots__ = ("coro", "waiting_on")

    def __init__(self, coro: Coroutine[Any, Any, _T], waiting_on: Any) -> None:
        self.coro = coro
        self.waiting_on = waiting_on

    def __await__(self) -> Generator[Any, Any, _T]:
        coro, waiting_on = self.coro, self.waiting_on
        while True:
            try:
                sent = yield waiting_on
            except BaseException as exc:
                try:
                    waiting_on = coro.throw(exc)
                except StopIteration as finished:
                    return cast(_T, finished.value)
            else:
                try:
                    waiting_on = coro.send(sent)
                except StopIteration as finished:
                    return cast(_T, finished.value)
