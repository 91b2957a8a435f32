"""Running coroutines that mostly find their answers ready without a task apiece.

By the time the test cases run, the questions they ask have mostly been asked of every
server up front (``runner._ask_every_server``), and most of them finish without waiting. A
task per coroutine (created, scheduled, stepped, its result relayed) cost more CPU than
many of them take. ``start_eagerly`` runs a coroutine in the caller's task up to its first
wait, as Python 3.12's eager tasks do, and makes a task only then; ``gather_ready`` is
``asyncio.gather`` built on it.
"""

from __future__ import annotations

import asyncio
import collections.abc
from collections.abc import Coroutine, Generator, Iterable
from typing import Any, TypeVar

_T = TypeVar("_T")


async def gather_ready(coros: Iterable[Coroutine[Any, Any, _T]]) -> list[_T]:
    """The results of ``coros`` in their order, as ``asyncio.gather(*coros)`` gives them.

    Every coroutine starts at once (``start_eagerly``); only those that wait get a task, so
    they all wait together. The first error propagates and the others run on, as with
    ``gather``; cancelling the caller cancels those still waiting.
    """
    futures = [start_eagerly(coro) for coro in coros]
    try:
        return [future.result() if future.done() else await future for future in futures]
    except asyncio.CancelledError:
        for future in futures:
            future.cancel()
        raise
    except BaseException:
        for future in futures:
            future.add_done_callback(retrieve)
        raise


def retrieve(future: asyncio.Future[Any]) -> None:
    """Done-callback: mark a result nobody will await as seen (its error is reported elsewhere
    or not at all), so asyncio does not log it as never retrieved."""
    if not future.cancelled():
        future.exception()


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
    except Exception as exc:
        failed: asyncio.Future[_T] = loop.create_future()
        failed.set_exception(exc)
        return failed
    return asyncio.ensure_future(_Resumed(coro, waiting_on))


_HANDED_OVER = object()


class _Resumed(collections.abc.Coroutine[Any, Any, _T]):
    """``coro``, already started, as a coroutine a task can run: its first step hands the task
    what ``coro`` waits on; later steps and thrown exceptions (a cancellation, even one that
    comes before the first step) go straight to ``coro``."""

    __slots__ = ("coro", "waiting_on")

    def __init__(self, coro: Coroutine[Any, Any, _T], waiting_on: Any) -> None:
        self.coro = coro
        self.waiting_on = waiting_on

    def send(self, value: Any) -> Any:
        waiting_on = self.waiting_on
        if waiting_on is not _HANDED_OVER:
            self.waiting_on = _HANDED_OVER
            return waiting_on
        return self.coro.send(value)

    def throw(self, *error: Any) -> Any:
        self.waiting_on = _HANDED_OVER
        return self.coro.throw(*error)

    def close(self) -> None:
        self.coro.close()

    def __await__(self) -> Generator[Any, Any, _T]:
        raise TypeError("a resumed coroutine is run by its task, not awaited")
