"""The ``dnscert`` command: the platform's own sub-commands, and Django's manage.py for the rest.

Platform sub-commands that need no database (``check``, ``lab``) run without Django set up;
everything else is handed to Django's management (``migrate``, ``runserver``, ``demo``, ...).
Django's own system check is available as ``dnscert django-check``.
"""

from __future__ import annotations

import importlib
import os
import sys

# Sub-command -> module exposing ``main(argv: list[str]) -> int``.
PLATFORM_COMMANDS: dict[str, str] = {
    "check": "dnscert.dnshealth.engine.cli",
    "lab": "dnscert.dnslab.cli",
    "issue-token": "dnscert.core.token_cli",
    "intel": "dnscert.intel.cli",
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dnscert`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in PLATFORM_COMMANDS:
        module = importlib.import_module(PLATFORM_COMMANDS[args[0]])
        return int(module.main(args[1:]) or 0)
    if args and args[0] == "django-check":
        args[0] = "check"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dnscert.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dnscert", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
