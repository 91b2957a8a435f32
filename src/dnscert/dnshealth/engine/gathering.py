"""``gather_ready``: ``asyncio.gather`` for coroutines that mostly find their answers ready.

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
from collections.abc import Coroutine, Iterable
from typing import Any, TypeVar

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
