"""Fan-out of one PGP-signed advisory-like e-mail to many recipients (prints figures).

Starts an aiosmtpd listener on 127.0.0.1 in its own process, queues one message per
recipient with ``dnscert.delivery.services.queue_emails`` in one transaction, and lets the
in-process job worker (the ``dnscert runjobs`` path, not the web process) send the
``delivery.send`` batches over the SMTP backend. Prints the time to queue, the time until the
listener has accepted every message, messages per second, the CPU time of the sending
process (a figure other load of the machine does not change), and how many signatures GnuPG made
(one per distinct body: the signature covers the MIME body, not the envelope headers). Two
received messages are then checked with ``gpg --verify``. A fresh SQLite database and keyring
in a temporary directory are used and deleted. The last line is machine-readable:

    RESULT fanout messages=N seconds=.. msgs_per_s=..

Run: ``.venv/bin/python bench/fanout.py [--recipients 10000] [--threads 2]``.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

BODY = """A flaw in the handling of oversized NSEC3 chains lets a remote attacker exhaust the
CPU of validating resolvers. Operators of validating resolvers should upgrade.

Affected: resolver software 9.18.0 to 9.18.27. Fixed in 9.18.28.
Workaround: limit NSEC3 iterations to 50 (RFC 9276).
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000, help="messages to send")
    parser.add_argument(
        "--threads", type=int, default=2, help="in-process worker threads (SMTP waits overlap)"
    )
    parser.add_argument("--batch", type=int, default=200, help="messages per send job")
    return parser.parse_args()


# --- the SMTP listener, in its own process --------------------------------------------------


def listen(port: int, count: Synchronized, sample_dir: str, ready: Any) -> None:
    """Accept every message on ``port``, count them and keep the first and last one."""
    import asyncio
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with count.get_lock():
                count.value += 1
                number = count.value
            if number == 1:
                Path(sample_dir, "first.eml").write_bytes(envelope.original_content)
            Path(sample_dir, "last.eml").write_bytes(envelope.original_content)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        asyncio.run(asyncio.sleep(3600))
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the measurement ------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="dnscert-fanout-", dir="/tmp") as var_dir:
        port = free_port()
        count: Synchronized = multiprocessing.Value("i", 0)  # type: ignore[assignment]
        ready = multiprocessing.Event()
        listener = multiprocessing.Process(
            target=listen, args=(port, count, var_dir, ready), daemon=True
        )
        listener.start()
        ready.wait(10)
        os.environ.update(
            {
                "DNSCERT_VAR_DIR": var_dir,
                "DJANGO_SETTINGS_MODULE": "dnscert.settings",
                "DNSCERT_LOG_LEVEL": "WARNING",
                "DNSCERT_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "DNSCERT_EMAIL_HOST": "127.0.0.1",
                "DNSCERT_EMAIL_PORT": str(port),
                "DNSCERT_DELIVERY_BATCH_SIZE": str(args.batch),
            }
        )
        for name in ("DATABASE_URL", "DNSCERT_BROKER_URL", "DNSCERT_GNUPG_HOME"):
            os.environ.pop(name, None)
        try:
            return measure(args, count, Path(var_dir))
        finally:
            listener.terminate()
            listener.join(5)
            subprocess.run(
                ["gpgconf", "--kill", "all"],
                env={**os.environ, "GNUPGHOME": str(Path(var_dir) / "gnupg")},
                check=False,
                capture_output=True,
            )


def measure(args: argparse.Namespace, count: Synchronized, var_dir: Path) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from dnscert.core import jobs
    from dnscert.delivery import pgp
    from dnscert.delivery.choices import MessageStatus
    from dnscert.delivery.models import OutboundMessage
    from dnscert.delivery.services import queue_emails

    call_command("migrate", verbosity=0)
    print(f"platform key {pgp.platform_fingerprint()}")
    signatures = count_signatures(pgp)
    jobs.start_inprocess_worker(args.threads, with_scheduler=False)
    recipients = [f"security{n}@member{n % 997}.example" for n in range(args.recipients)]

    started = time.perf_counter()
    with transaction.atomic():
        queue_emails(
            recipients=recipients,
            subject="Advisory DNSCERT-ADV-2026-0007: NSEC3 resource exhaustion",
            body=BODY,
            category="advisory.publish",
            tlp="CLEAR",
            headers={"X-DNSCERT-Ref": "DNSCERT-ADV-2026-0007"},
        )
    queued = time.perf_counter() - started
    while count.value < args.recipients:
        if time.perf_counter() - started > 600:
            print(f"gave up: {count.value} accepted after 600 s", file=sys.stderr)
            return 1
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    jobs.stop_inprocess_worker()

    cpu = resource.getrusage(resource.RUSAGE_SELF)
    sent = OutboundMessage.objects.filter(status=MessageStatus.SENT).count()
    verified = [verify(var_dir / name, pgp) for name in ("first.eml", "last.eml")]
    rate = args.recipients / elapsed
    print(f"queued {args.recipients} messages in {queued:.2f} s (one transaction)")
    print(f"listener accepted {count.value} messages {elapsed:.2f} s after queueing started")
    print(f"marked sent: {sent}; gpg signatures made: {signatures()}; verified: {verified}")
    print(
        f"CPU of the sending process: {cpu.ru_utime + cpu.ru_stime:.1f} s "
        f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(f"{rate:.0f} messages/s with {args.threads} worker thread(s), batches of {args.batch}")
    print(f"RESULT fanout messages={args.recipients} seconds={elapsed:.2f} msgs_per_s={rate:.1f}")
    return 0 if all(verified) else 1


def count_signatures(pgp: Any) -> Any:
    """Wrap ``pgp.sign_detached`` to count the signatures made; return the counter."""
    made = [0]
    original = pgp.sign_detached

    def counting(data: bytes) -> bytes:
        made[0] += 1
        return original(data)

    pgp.sign_detached = counting
    return lambda: made[0]


def verify(path: Path, pgp: Any) -> bool:
    """Check the PGP/MIME signature of a received message byte-exactly with the platform key."""
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.SMTP)
    boundary = str(message.get_param("boundary"))
    raw = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    parts = (b"\r\n" + raw.partition(b"\r\n\r\n")[2]).split(b"\r\n--" + boundary.encode())
    entity = parts[1].removeprefix(b"\r\n")
    signature = parts[2].removeprefix(b"\r\n").partition(b"\r\n\r\n")[2]
    return bool(pgp.verify_detached(entity, signature).valid)


if __name__ == "__main__":
    sys.exit(main())
