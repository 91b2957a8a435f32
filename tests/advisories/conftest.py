"""Fixtures of the advisory tests: the platform key, an https site URL, the demo data, and the
npm CSAF validator (installed with ``npm ci`` once, cached in ``csaf_validator/node_modules``)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

VALIDATOR_DIR = Path(__file__).parent / "csaf_validator"
SITE_URL = "https://dnscert.example"


@pytest.fixture(scope="session")
def platform_home() -> Iterator[Path]:
    """A keyring directory for the platform key (generated on first use)."""
    home = Path(tempfile.mkdtemp(prefix="dnscert-adv-pgp-", dir="/tmp"))
    try:
        yield home
    finally:
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(autouse=True)
def advisory_settings(settings: Any, platform_home: Path) -> None:
    settings.DNSCERT_GNUPG_HOME = str(platform_home)
    settings.SITE_URL = SITE_URL
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DNSCERT_CSAF_PUBLISHER_NAME = "DNS-CERT test"
    settings.DNSCERT_CSAF_PUBLISHER_NAMESPACE = SITE_URL


@pytest.fixture
def demo_directory(db: Any) -> None:
    from dnscert.directory.demo import load_demo_directory

    load_demo_directory()


@pytest.fixture
def demo_advisories(demo_directory: None) -> list[str]:
    from dnscert.advisories.demo import load_demo_advisories

    return load_demo_advisories()


@pytest.fixture(scope="session")
def node_validator() -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    """Validate CSAF documents with @secvisogram/csaf-validator-lib under Node."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node/npm are not installed: the secvisogram CSAF validator cannot run")
    marker = VALIDATOR_DIR / "node_modules" / "@secvisogram" / "csaf-validator-lib"
    if not marker.exists():
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=VALIDATOR_DIR,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, f"npm ci failed: {done.stderr[-2000:]}"

    def run(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
        with tempfile.TemporaryDirectory(prefix="csaf-") as folder:
            paths = []
            for index, document in enumerate(documents):
                path = Path(folder) / f"doc{index}.json"
                path.write_text(json.dumps(document), encoding="utf-8")
                paths.append(str(path))
            done = subprocess.run(
                [node, "validate.mjs", *paths],
                cwd=VALIDATOR_DIR,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
        assert len(lines) == len(documents), done.stderr
        return lines

    return run


def staff_client(user: Any) -> Client:
    from tests.personas import login_verified

    return login_verified(Client(), user)
