"""``dnscert demo-dnshealth``: the local DNS test bed behind the demo's living dashboard.

Without options it (re)generates the bed in ``var/testbed/``, writes its root hints and makes
the directory and the monitoring targets match it, then exits (``make demo``). ``--serve-bed``
also serves the bed in the foreground until interrupted; ``--with-server`` serves the bed in a
child process and the platform (``dnscert serve``) in this one, pointed at the bed, and stops
the bed when the server exits (``make run``).
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dnscert.dnshealth import demo

READY = "READY"
BED_START_TIMEOUT = 300.0


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


class Command(BaseCommand):
    help = (
        "Generate the demo DNS test bed (zones matching the demo directory, a few faults) and "
        "make the monitoring targets match it; optionally serve it, alone or with the platform."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--server", default="auto", choices=["auto", *demo.SERVERS], help="DNS server"
        )
        parser.add_argument(
            "--dns-port",
            type=int,
            default=None,
            help="port of the bed's servers (default 53 as root, else 10053)",
        )
        parser.add_argument("--net", type=int, default=demo.DEMO_NET, help="127.<net>.0.0/16")
        parser.add_argument(
            "--change-after",
            type=float,
            default=demo.DEFAULT_CHANGE_AFTER,
            help=f"seconds until the delegation of {demo.HIJACKED_ZONE} changes",
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--serve-bed", action="store_true", help="serve the bed until stopped")
        mode.add_argument(
            "--with-server", action="store_true", help="serve the bed and the platform"
        )
        parser.add_argument(
            "--reuse", action="store_true", help="serve the bed already written (no regeneration)"
        )
        parser.add_argument("--host", default="127.0.0.1", help="platform address (--with-server)")
        parser.add_argument("--port", type=int, default=8000, help="platform port (--with-server)")

    def handle(self, *args: Any, **options: Any) -> None:
        var_dir = Path(settings.VAR_DIR)
        try:
            if options["serve_bed"] and options["reuse"]:
                self.serve_bed(demo.existing_bed(var_dir), options)
                return
            setup = demo.prepare_demo(
                var_dir, port=options["dns_port"], server=options["server"], net=options["net"]
            )
        except demo.DemoError as error:
            raise CommandError(str(error)) from None
        self.describe(setup)
        if options["serve_bed"]:
            self.serve_bed(setup.bed, {**options, "server": setup.server})
        elif options["with_server"]:
            self.serve_with_platform(setup, options)

    def describe(self, setup: demo.DemoSetup) -> None:
        bed = setup.bed
        self.stdout.write(
            f"Demo DNS test bed in {bed.directory} ({setup.server}, port {bed.port}): "
            f"{', '.join(bed.child_zones)}"
        )
        for fault in bed.faults:
            self.stdout.write(f"  fault {fault.fault} in {fault.zone}")
        if setup.zones_added or setup.hosts_changed:
            changed = [*setup.zones_added, *setup.hosts_changed]
            self.stdout.write(f"Directory updated: {', '.join(changed)}")
        if setup.targets_disabled:
            self.stdout.write(
                "Targets disabled (documentation addresses, unreachable from the lab): "
                + ", ".join(setup.targets_disabled)
            )
        for name, value in demo.platform_dns_settings(setup).items():
            text = ",".join(value) if isinstance(value, list) else value
            self.stdout.write(f"  {name}={text}")

    def serve_bed(self, bed: Any, options: dict[str, Any]) -> None:
        """Serve ``bed`` until SIGTERM or SIGINT; print READY once it answers."""
        stop = threading.Event()
        _stop_on_signals(stop)
        server = demo.choose_server(options["server"])
        try:
            with demo.DemoBed(bed, server=server, change_after=options["change_after"]):
                self.stdout.write(READY)
                self.stdout.flush()
                while not stop.wait(1.0):
                    pass
        except (OSError, RuntimeError) as error:
            raise CommandError(f"the demo bed did not start: {error}") from None

    def serve_with_platform(self, setup: demo.DemoSetup, options: dict[str, Any]) -> None:
        """Start the bed in a child process, then ``dnscert serve`` here; stop the bed after."""
        bed_process = self.start_bed_process(setup, options)
        owner = os.getpid()
        try:
            for name, value in demo.apply_platform_settings(setup).items():
                self.stdout.write(f"Serving with {name}={value}")
            call_command("serve", host=options["host"], port=options["port"])
        except demo.DemoError as error:
            raise CommandError(str(error)) from None
        finally:
            # gunicorn's forked workers unwind through here too: only the owner stops the bed.
            if os.getpid() == owner:
                stop_process(bed_process)

    def start_bed_process(
        self, setup: demo.DemoSetup, options: dict[str, Any]
    ) -> subprocess.Popen[str]:
        command = [
            sys.executable,
            "-m",
            "dnscert.cli",
            "demo-dnshealth",
            "--serve-bed",
            "--reuse",
            f"--server={setup.server}",
            f"--change-after={options['change_after']}",
        ]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dnscert.settings"}
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], BED_START_TIMEOUT)
        line = process.stdout.readline().strip() if ready else ""
        if line != READY:
            stop_process(process)
            raise CommandError(f"the demo bed did not start (see above); it said {line!r}")
        return process


def stop_process(process: subprocess.Popen[str]) -> None:
    """Terminate a child (killed after 30 s) and wait for it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()
