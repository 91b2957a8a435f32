"""Fixtures of the exercise tests: a signing key for e-mails, fast passwords, a cast.

``cast`` is a small exercise world: a control-team analyst, a French ccTLD registry (its
24x7 contact reads French) and an English one taking part, each with a member account, an
outsider organisation with its own member, and a planned exercise with two injects.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.exercises import factories


@pytest.fixture(scope="session")
def exercises_gnupg_home() -> Iterator[Path]:
    """A short-lived platform keyring (short path: gpg-agent sockets have a length limit)."""
    home = Path(tempfile.mkdtemp(prefix="dnscert-exr-", dir="/tmp"))
    home.chmod(0o700)
    try:
        yield home
    finally:
        subprocess.run(
            ["gpgconf", "--kill", "all"],
            env={**os.environ, "GNUPGHOME": str(home)},
            check=False,
            capture_output=True,
        )
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(autouse=True)
def exercises_settings(settings: Any, exercises_gnupg_home: Path) -> None:
    """Sign with the session key, hash passwords fast, links on a fixed site address."""
    settings.DNSCERT_GNUPG_HOME = str(exercises_gnupg_home)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = "https://cert.example"
    settings.DNSCERT_INTAKE_ADDRESS = "cert@cert.example"


@pytest.fixture
def cast(db: Any) -> factories.Cast:
    return factories.cast()
