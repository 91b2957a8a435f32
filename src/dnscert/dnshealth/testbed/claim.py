"""One bed per address block at a time, and no orphans: a claim file per ``127.<net>/16``.

``serve_bed`` claims its net before starting anything and records the processes it starts.
A second bed on the same net while the first one's owner lives is refused with a clear error;
processes left behind by an owner that died (a killed test run) are stopped first, and only
those: a process is stopped only when its command line names the claimed bed's directory.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import time
from pathlib import Path
from types import TracebackType

CLAIM_DIR = Path(tempfile.gettempdir()) / "dnscert-testbed" / "claims"


class NetInUse(RuntimeError):
    """Another living process serves a bed on this net; the message names it."""


def process_alive(pid: int) -> bool:
    """True when a process with ``pid`` exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def command_line(pid: int) -> str:
    """The command line of ``pid`` ("" when it is gone or unreadable)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def stop_leftover(pid: int, directory: str) -> bool:
    """Stop ``pid`` if it is a server of the bed in ``directory``; True when it was one."""
    if not directory or directory not in command_line(pid):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if process_alive(pid) and directory in command_line(pid):
        os.kill(pid, signal.SIGKILL)
    return True


def net_is_free(net: int) -> bool:
    """True when no living process holds the claim on ``127.<net>/16``."""
    path = CLAIM_DIR / f"net-{net}.json"
    try:
        owner = json.loads(path.read_text() or "{}").get("owner")
    except (OSError, ValueError):
        return True
    return not (isinstance(owner, int) and owner != os.getpid() and process_alive(owner))


def free_net(candidates: range) -> int:
    """The first net of ``candidates`` nobody claims; raise ``NetInUse`` when all are taken."""
    for net in candidates:
        if net_is_free(net):
            return net
    raise NetInUse(f"every net in 127.{candidates.start}-{candidates.stop - 1} is in use")


class NetClaim:
    """``with NetClaim(net, directory) as claim:`` the net is ours; ``claim.add(pid)`` records."""

    def __init__(self, net: int, directory: Path) -> None:
        self.net = net
        self.directory = str(directory)
        self.path = CLAIM_DIR / f"net-{net}.json"
        self.children: list[int] = []

    def __enter__(self) -> NetClaim:
        CLAIM_DIR.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            self._release_stale(json.loads(self.path.read_text() or "{}"))
        self._write()
        return self

    def _release_stale(self, previous: dict[str, object]) -> None:
        owner = previous.get("owner")
        if isinstance(owner, int) and owner != os.getpid() and process_alive(owner):
            raise NetInUse(
                f"127.{self.net}.0.0/16 is already served by process {owner} "
                f"(claim {self.path}); stop it or choose another net"
            )
        children = previous.get("children")
        directory = str(previous.get("directory", ""))
        for pid in children if isinstance(children, list) else []:
            if isinstance(pid, int) and process_alive(pid):
                stop_leftover(pid, directory)

    def add(self, pid: int) -> None:
        """Record a process started for this bed."""
        self.children.append(pid)
        self._write()

    def _write(self) -> None:
        data = {"owner": os.getpid(), "directory": self.directory, "children": self.children}
        self.path.write_text(json.dumps(data))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.path.unlink(missing_ok=True)
