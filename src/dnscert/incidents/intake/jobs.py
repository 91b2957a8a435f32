"""Background work of the intake: polling the IMAP mailbox on a schedule."""

from __future__ import annotations

from typing import Any

from dnscert.core.jobs import every, job
from dnscert.incidents.intake import conf, imap


@job("intake.poll_imap", schedule=every(minutes=2))
def poll_imap() -> dict[str, Any]:
    """Store unseen messages of the IMAP mailbox as reports; nothing to do when unconfigured."""
    config = conf.imap_config()
    if not config.configured:
        return {"skipped": "IMAP is not configured"}
    return imap.poll(config).as_dict()
