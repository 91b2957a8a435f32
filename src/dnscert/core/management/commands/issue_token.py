"""``dnscert issue-token USERNAME --name NAME [--days N]``: issue an API token from the shell."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dnscert.core import audit, services
from dnscert.core.exceptions import InvalidInput


class Command(BaseCommand):
    help = "Issue an API token for USERNAME and print it (it is shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the user the token acts as")
        parser.add_argument("--name", required=True, help="what will use the token")
        parser.add_argument(
            "--days", type=int, default=None, help="lifetime in days (default: no expiry)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']!r}")
        if not user.is_active:
            raise CommandError(f"user {options['username']!r} is inactive")
        try:
            with audit.channel(audit.Via.CLI):
                token, raw = services.issue_api_token(None, user, options["name"], options["days"])
        except InvalidInput as exc:
            raise CommandError(str(exc)) from exc
        expiry = f"expires {token.expires:%Y-%m-%d %H:%M} UTC" if token.expires else "no expiry"
        self.stderr.write(f"Token {token.name!r} for {user.get_username()} ({expiry}):")
        self.stdout.write(raw)
