"""``dnscert intake-mail``: run the intake SMTP listener, or poll the IMAP mailbox."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dnscert.core.exceptions import DnscertError
from dnscert.env import ConfigError
from dnscert.incidents.intake import conf, imap, smtp

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Command(BaseCommand):
    help = (
        "Receive reports by e-mail: listen for SMTP on DNSCERT_INTAKE_SMTP_HOST:PORT until "
        "SIGTERM or Ctrl-C, or with --imap poll the DNSCERT_INTAKE_IMAP_* mailbox."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", help="address to listen on (default from the settings)")
        parser.add_argument("--port", type=int, help="port to listen on (default from settings)")
        parser.add_argument("--imap", action="store_true", help="poll the IMAP mailbox")
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="with --imap: poll again every SECONDS until stopped (default: once)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        self._on_signals(stop)
        try:
            if options["imap"]:
                self._poll(stop, options["every"])
            else:
                self._listen(stop, options["host"], options["port"])
        except (DnscertError, ConfigError, OSError) as error:
            raise CommandError(str(error)) from error

    def _on_signals(self, stop: threading.Event) -> None:
        def handler(signum: int, frame: FrameType | None) -> None:
            stop.set()

        for signum in STOP_SIGNALS:
            signal.signal(signum, handler)

    def _poll(self, stop: threading.Event, every: int) -> None:
        config = conf.imap_config()
        while True:
            result = imap.poll(config)
            self.stdout.write(
                f"{config.host}: {result.fetched} fetched, {result.stored} stored, "
                f"{result.duplicates} already stored {' '.join(result.references or [])}"
            )
            if every <= 0 or stop.wait(every):
                return

    def _listen(self, stop: threading.Event, host: str | None, port: int | None) -> None:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-line chatter
        listener = smtp.controller(host, port)
        listener.start()
        self.stdout.write(f"intake SMTP listener on {listener.hostname}:{listener.port}")
        try:
            stop.wait()
        finally:
            listener.stop()
            self.stdout.write("intake SMTP listener stopped")
