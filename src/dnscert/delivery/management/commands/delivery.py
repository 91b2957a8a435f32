"""``dnscert delivery``: show the platform key, send a test e-mail, see and retry the queue.

dnscert delivery key                 fingerprint and armoured public key
dnscert delivery test-email ADDRESS  queue a signed test e-mail (checks SMTP and signing)
dnscert delivery status              messages per status
dnscert delivery retry ID            send message ID again now
dnscert delivery prune [--days N] [--dry-run]
                                     delete sent, failed and bounced messages older than N days
                                     (default DNSCERT_DELIVERY_RETENTION_DAYS), printing them
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from dnscert.core.exceptions import InvalidInput
from dnscert.delivery import conf, pgp, retention, services
from dnscert.delivery.models import OutboundMessage


class Command(BaseCommand):
    help = "Outbound delivery: platform PGP key, test e-mail, queue status and retries."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        commands.add_parser("key", help="print the platform key fingerprint and public key")
        test = commands.add_parser("test-email", help="queue a signed test e-mail")
        test.add_argument("address")
        test.add_argument("--language", default="en", choices=["en", "fr"])
        commands.add_parser("status", help="messages per status")
        retry = commands.add_parser("retry", help="send a message again now")
        retry.add_argument("message_id", type=int)
        prune = commands.add_parser(
            "prune", help="delete sent, failed and bounced messages past the retention"
        )
        prune.add_argument(
            "--days", type=int, help="age in days (default DNSCERT_DELIVERY_RETENTION_DAYS)"
        )
        prune.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "key":
            self.stdout.write(f"Fingerprint: {pgp.platform_fingerprint()}\n{pgp.public_key()}")
        elif action == "test-email":
            self._test_email(options["address"], options["language"])
        elif action == "status":
            rows = OutboundMessage.objects.values("status").annotate(n=Count("id"))
            for row in rows.order_by("status"):
                self.stdout.write(f"{row['status']}\t{row['n']}")
        elif action == "prune":
            self._prune(options["days"], options["dry_run"])
        else:
            self._retry(options["message_id"])

    def _test_email(self, address: str, language: str) -> None:
        subject, body = services.render_email(
            "delivery/email/test", {"fingerprint": pgp.platform_fingerprint()}, language
        )
        try:
            message = services.queue_email(
                to=address, subject=subject, body=body, category="delivery.test", language=language
            )
        except InvalidInput as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"queued message {message.pk} {message.message_id}")

    def _retry(self, message_id: int) -> None:
        message = OutboundMessage.objects.filter(pk=message_id).first()
        if message is None:
            raise CommandError(f"message_id: no outbound message {message_id}")
        services.retry_now(message, by=None)
        self.stdout.write(f"message {message.pk} queued to be sent again")

    def _prune(self, days: int | None, dry_run: bool) -> None:
        if days is None:
            days = conf.retention_days()
            if days == 0:
                self.stdout.write("DNSCERT_DELIVERY_RETENTION_DAYS is 0: messages are kept forever")
                return
        try:
            result = retention.prune(days, dry_run=dry_run)
        except InvalidInput as error:
            raise CommandError(f"--{error.field}: {error.problem}") from error
        verb = "would remove" if dry_run else "removing"
        for group in result.groups:
            self.stdout.write(
                f"{verb}\t{group.status}\t{group.channel}\t{group.category}\t{group.count}"
            )
        age = f"older than {days} days (before {result.cutoff.isoformat(timespec='seconds')})"
        if dry_run:
            self.stdout.write(f"{result.found} messages {age} would be removed")
        else:
            self.stdout.write(f"removed {result.total_deleted} messages {age}")
