"""``dnscert issue-token``: the platform sub-command wrapping the ``issue_token`` command."""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    """Set Django up and run ``issue_token`` with ``argv``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dnscert.settings")
    import django
    from django.core.management import call_command
    from django.core.management.base import CommandError

    django.setup()
    try:
        call_command("issue_token", *argv)
    except CommandError as exc:
        print(f"dnscert issue-token: {exc}", file=sys.stderr)
        return 2
    return 0
