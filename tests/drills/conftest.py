"""Fixtures of the drill tests: a short-lived signing keyring and a known site address."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def drills_gnupg_home() -> Iterator[Path]:
    """The platform keyring for the session (short path: gpg-agent sockets have a limit)."""
    home = Path(tempfile.mkdtemp(prefix="dnscert-drl-", dir="/tmp"))
    home.chmod(0o700)
    try:
        yield home
    finally:
        env = {**os.environ, "GNUPGHOME": str(home)}
        subprocess.run(["gpgconf", "--kill", "all"], env=env, check=False, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(autouse=True)
def drills_settings(settings: Any, drills_gnupg_home: Path) -> None:
    """Sign with the session key, link to a known site, hash passwords fast."""
    settings.DNSCERT_GNUPG_HOME = str(drills_gnupg_home)
    settings.SITE_URL = "https://cert.example"
    settings.DNSCERT_INTAKE_ADDRESS = "intake@cert.example"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
