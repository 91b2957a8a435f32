"""Run Debian's NSD for one server group: write nsd.conf, check it, start, wait, stop.

NSD runs in the foreground (``-d``) as the current user, with every file (zones, pid, state,
log) inside the group's folder and nothing in a database (``database: ""``), so a group is one
directory plus one process. ``NsdServer`` is a context manager: it starts NSD, waits until
every address answers SOA for a zone it serves, and terminates it on exit.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import dns.exception
import dns.message
import dns.query
import dns.rcode

NSD_BINARY = "/usr/sbin/nsd"
NSD_CHECKCONF = "/usr/sbin/nsd-checkconf"
CONFIG_NAME = "nsd.conf"


class NsdError(RuntimeError):
    """NSD could not be configured or started; the message says which group and why."""


@dataclass(frozen=True)
class NsdZone:
    """One zone an NSD instance serves: its origin, its file and whether AXFR is open."""

    origin: str
    filename: str
    open_axfr: bool = False


def nsd_available() -> bool:
    """True when the NSD binary is installed."""
    return Path(NSD_BINARY).is_file() and Path(NSD_CHECKCONF).is_file()


def _quote(value: str | Path) -> str:
    text = str(value)
    if '"' in text:
        raise NsdError(f"cannot quote {text!r} for nsd.conf")
    return f'"{text}"'


def render_nsd_config(folder: Path, addresses: list[str], port: int, zones: list[NsdZone]) -> str:
    """The text of nsd.conf for a group living in ``folder``."""
    server = [
        "server:",
        *[f"    ip-address: {address}" for address in addresses],
        f"    port: {port}",
        "    server-count: 1",
        f"    do-ip6: {'yes' if any(':' in a for a in addresses) else 'no'}",
        f"    zonesdir: {_quote(folder / 'zones')}",
        f"    pidfile: {_quote(folder / 'nsd.pid')}",
        '    database: ""',
        '    username: ""',
        '    chroot: ""',
        f"    zonelistfile: {_quote(folder / 'zone.list')}",
        f"    xfrdfile: {_quote(folder / 'xfrd.state')}",
        f"    xfrdir: {_quote(folder / 'xfr')}",
        f"    logfile: {_quote(folder / 'nsd.log')}",
        "    verbosity: 1",
        "    hide-version: yes",
        "    hide-identity: yes",
        "    refuse-any: yes",
        "    tcp-count: 256",
        # Response rate limiting would throttle the checker (every query comes from one
        # /24): the default 200 q/s answers the excess with TC or not at all.
        "    rrl-ratelimit: 0",
        "    rrl-whitelist-ratelimit: 0",
        "    zonefiles-check: no",
        "remote-control:",
        "    control-enable: no",
        "pattern:",
        '    name: "closed"',
        "pattern:",
        '    name: "open-xfr"',
        "    provide-xfr: 0.0.0.0/0 NOKEY",
    ]
    zone_lines: list[str] = []
    for zone in zones:
        pattern = "open-xfr" if zone.open_axfr else "closed"
        zone_lines += [
            "zone:",
            f"    name: {_quote(zone.origin)}",
            f"    zonefile: {_quote(zone.filename)}",
            f"    include-pattern: {_quote(pattern)}",
        ]
    return "\n".join(server + zone_lines) + "\n"


def write_nsd_config(folder: Path, addresses: list[str], port: int, zones: list[NsdZone]) -> Path:
    """Write ``folder/nsd.conf`` plus the folders NSD expects; return the config's path."""
    (folder / "zones").mkdir(parents=True, exist_ok=True)
    (folder / "xfr").mkdir(exist_ok=True)
    path = folder / CONFIG_NAME
    path.write_text(render_nsd_config(folder, addresses, port, zones))
    return path


def check_config(path: Path) -> None:
    """Run ``nsd-checkconf``; raise ``NsdError`` with its complaint when the config is bad."""
    result = subprocess.run(
        [NSD_CHECKCONF, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    if result.returncode != 0:
        complaint = (result.stderr or result.stdout).strip()
        raise NsdError(f"nsd-checkconf rejected {path}: {complaint}")


def config_addresses(path: Path) -> list[str]:
    """The ``ip-address`` lines of an nsd.conf."""
    lines = path.read_text().splitlines()
    return [
        line.split(":", 1)[1].strip() for line in lines if line.strip().startswith("ip-address:")
    ]


def first_zone(path: Path) -> str | None:
    """The origin of the first zone in an nsd.conf (used to probe readiness)."""
    in_zone = False
    for line in path.read_text().splitlines():
        if not line.startswith(" "):
            in_zone = line.strip() == "zone:"
        elif in_zone and line.strip().startswith("name:"):
            return line.split(":", 1)[1].strip().strip('"')
    return None


def terminate_process(
    process: subprocess.Popen[bytes] | subprocess.Popen[str], grace: float = 10.0
) -> None:
    """Terminate ``process`` if still running and wait for it; kill it after ``grace`` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=grace)


def answers_soa(address: str, port: int, zone: str, timeout: float = 0.5) -> bool:
    """True when ``address`` answers an authoritative NOERROR SOA for ``zone``."""
    query = dns.message.make_query(zone, "SOA")
    try:
        response = dns.query.udp(query, address, port=port, timeout=timeout)
    except (OSError, dns.exception.DNSException):
        return False
    return response.rcode() == dns.rcode.NOERROR and bool(response.answer)


class NsdServer:
    """One NSD process for one group folder; use as ``with NsdServer(folder, port): ...``."""

    def __init__(self, folder: Path, port: int, *, start_timeout: float = 120.0) -> None:
        self.folder = folder
        self.port = port
        self.config = folder / CONFIG_NAME
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Check the config, start NSD and return once every address answers."""
        if not nsd_available():
            raise NsdError(f"NSD is not installed ({NSD_BINARY} is missing)")
        check_config(self.config)
        (self.folder / "nsd.pid").unlink(missing_ok=True)
        log = (self.folder / "nsd.stderr").open("wb")
        self.process = subprocess.Popen(
            [NSD_BINARY, "-d", "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self._wait_ready()

    def _wait_ready(self) -> None:
        zone = first_zone(self.config)
        pending = config_addresses(self.config)
        deadline = time.monotonic() + self.start_timeout
        while pending and zone is not None:
            if self.process is not None and self.process.poll() is not None:
                self.stop()
                raise NsdError(f"NSD for {self.folder.name} exited: {self._log_tail()}")
            pending = [address for address in pending if not answers_soa(address, self.port, zone)]
            if pending and time.monotonic() > deadline:
                self.stop()
                raise NsdError(f"NSD for {self.folder.name} does not answer on {pending}")
            if pending:
                time.sleep(0.1)

    def _log_tail(self) -> str:
        texts = []
        for name in ("nsd.stderr", "nsd.log"):
            path = self.folder / name
            if path.is_file():
                texts.append(path.read_text(errors="replace")[-800:])
        return " | ".join(text.strip() for text in texts if text.strip()) or "no log output"

    def stop(self) -> None:
        """Terminate NSD and wait for it (killed after 10 s)."""
        if self.process is None:
            return
        terminate_process(self.process)
        self.process = None
        shutil.rmtree(self.folder / "xfr", ignore_errors=True)
        (self.folder / "xfr").mkdir(exist_ok=True)

    def __enter__(self) -> NsdServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
