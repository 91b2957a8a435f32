"""The event loop the engine's own processes run on: uvloop when it is installed.

The engine is CPU-bound (sending, receiving and judging thousands of datagrams a second);
uvloop's event loop, written in C over libuv, takes about a quarter less CPU per zone than
asyncio's on the NSD test bed. ``run(main)`` is ``asyncio.run(main)`` on that loop; callers
that share a loop with other code (Django views, Celery tasks) keep using their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

_T = TypeVar("_T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """``uvloop.new_event_loop`` when uvloop is importable, else None (asyncio's default)."""
    try:
        import uvloop
    except ImportError:  # an optional speed-up: the engine works the same without it
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def run(main: Coroutine[Any, Any, _T]) -> _T:
    """Run ``main`` to completion on a new event loop (uvloop when available).

    The result is handed over outside the task: when ``asyncio.Runner`` restores the SIGINT
    handler, Python 3.11 formats the ``repr`` of the main task, result included, and the
    repr of a batch's reports takes seconds.
    """
    box: list[_T] = []

    async def keep() -> None:
        box.append(await main)

    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        runner.run(keep())
    return box[0]
