"""Run a lab server in a background thread (tests, notebooks, exercise set-ups).

``with lab_in_background(corefile_text, folder, port) as server:`` starts the server on its
own event loop in a daemon thread, waits until every socket is open and stops it on exit.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dnscert.dnslab.corefile import parse_corefile_text
from dnscert.dnslab.server import LabServer

START_TIMEOUT = 30.0


@contextmanager
def lab_in_background(corefile: str, folder: str | Path, port: int) -> Iterator[LabServer]:
    """Serve ``corefile`` (files relative to ``folder``) on ``port`` until the block ends."""
    server = LabServer(parse_corefile_text(corefile, folder), Path(folder), port)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.start())
        except BaseException as error:  # reported to the caller below
            failure.append(error)
            started.set()
            return
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="dnslab", daemon=True)
    thread.start()
    if not started.wait(START_TIMEOUT) or failure:
        loop.call_soon_threadsafe(loop.stop)
        raise RuntimeError(f"the lab server did not start: {failure[0] if failure else 'timeout'}")
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
