"""Group the messages queued in one transaction into few ``delivery.send`` jobs.

The first message queued in a transaction enqueues a send job (its run is dispatched when the
transaction commits); later messages of the same transaction join that run's ``message_ids``
until it holds ``DNSCERT_DELIVERY_BATCH_SIZE``. Outside a transaction every call enqueues its
own job. The run is only extended while it is still queued, so a run already claimed by a
worker, committed elsewhere or rolled back is never changed: a new one is started instead.

Django has no hook for a rollback, so the open run is remembered together with the outermost
atomic block it was queued in, and only extended while that block is still open and the run
row still holds exactly the ids this process put there (after a rollback the database may
hand the same primary key to an unrelated job).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from django.db import transaction

from dnscert.core.jobs import enqueue
from dnscert.core.models import JobRun
from dnscert.delivery import conf

SEND_JOB = "delivery.send"

_state = threading.local()


def schedule_send(message_ids: Sequence[int]) -> None:
    """Make sure ``message_ids`` are sent by a ``delivery.send`` job after commit."""
    ids = [int(pk) for pk in message_ids]
    size = conf.batch_size()
    if not transaction.get_connection().in_atomic_block:
        for start in range(0, len(ids), size):
            enqueue(SEND_JOB, message_ids=ids[start : start + size])
        return
    while ids:
        ids = _add_to_open_run(ids, size)


def _add_to_open_run(ids: list[int], size: int) -> list[int]:
    """Put as many of ``ids`` as fit into the open run (or a new one); return the rest."""
    run_id: int | None = getattr(_state, "run_id", None)
    current: list[int] = list(getattr(_state, "ids", []))
    room = size - len(current)
    block = _outermost_block()
    if run_id is not None and room > 0 and getattr(_state, "block", None) is block:
        extended = current + ids[:room]
        updated = JobRun.objects.filter(
            pk=run_id,
            name=SEND_JOB,
            status=JobRun.Status.QUEUED,
            kwargs={"message_ids": current},
        ).update(kwargs={"message_ids": extended})
        if updated:
            _state.ids = extended
            return ids[room:]
    run = enqueue(SEND_JOB, message_ids=ids[:size])
    _state.run_id, _state.ids, _state.block = run.pk, ids[:size], block
    transaction.on_commit(_forget)
    return ids[size:]


def _outermost_block() -> object | None:
    blocks = getattr(transaction.get_connection(), "atomic_blocks", [])
    return blocks[0] if blocks else None


def _forget() -> None:
    _state.run_id, _state.ids, _state.block = None, [], None
