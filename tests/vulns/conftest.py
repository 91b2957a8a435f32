"""Fixtures of the vulnerability tests: a platform keyring, media and intake settings, vendors."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from pytest_django.fixtures import Settings

INTAKE_ADDRESS = "cert@dnscert.example"


@pytest.fixture(scope="session")
def vulns_pgp_home() -> Iterator[Path]:
    """A short-lived platform keyring for the session (the key is made on first use)."""
    home = Path(tempfile.mkdtemp(prefix="dnscert-vu-", dir="/tmp"))
    home.chmod(0o700)
    try:
        yield home
    finally:
        env = {**os.environ, "GNUPGHOME": str(home)}
        subprocess.run(["gpgconf", "--kill", "all"], env=env, check=False, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(autouse=True)
def vulns_settings(settings: Settings, vulns_pgp_home: Path, tmp_path: Path) -> Iterator[None]:
    """Sign with the session key, media in a temporary directory, the intake's addresses."""
    settings.DNSCERT_GNUPG_HOME = str(vulns_pgp_home)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = "https://cert.example"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DEFAULT_FROM_EMAIL = f"dnscert <{INTAKE_ADDRESS}>"
    settings.DNSCERT_INTAKE_ADDRESS = INTAKE_ADDRESS
    settings.DNSCERT_INTAKE_RATE_LIMIT = 3
    cache.clear()
    yield
    cache.clear()
