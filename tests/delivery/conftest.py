"""Fixtures of the delivery tests: a platform keyring, a recipient's key, a webhook receiver.

The platform keyring lives in a short directory under /tmp (gpg-agent socket paths are
limited in length) and is made once per session; the recipient's key pair lives in its own
keyring, as it would on the recipient's machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

LOOPBACK = "127.0.0.1"


class Keyring:
    """gpg in its own home directory."""

    def __init__(self, home: Path) -> None:
        self.home = home
        home.chmod(0o700)

    def run(self, *args: str, data: bytes | None = None, check: bool = True) -> bytes:
        command = ["gpg", "--homedir", str(self.home), "--batch", "--yes", "--no-tty"]
        result = subprocess.run(
            [*command, *args], input=data, check=False, capture_output=True, timeout=60
        )
        if check and result.returncode != 0:
            raise AssertionError(f"gpg {args} failed: {result.stderr.decode(errors='replace')}")
        self.last_stderr = result.stderr.decode(errors="replace")
        self.last_returncode = result.returncode
        return result.stdout

    def generate(self, uid: str) -> str:
        self.run(
            "--passphrase", "", "--pinentry-mode", "loopback",
            "--quick-gen-key", uid, "future-default", "default", "never",
        )  # fmt: skip
        listing = self.run("--with-colons", "--list-keys", uid).decode()
        return next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))

    def export(self, fingerprint: str) -> str:
        return self.run("--armor", "--export", fingerprint).decode()

    def stop(self) -> None:
        subprocess.run(
            ["gpgconf", "--kill", "all"],
            env={**os.environ, "GNUPGHOME": str(self.home)},
            check=False,
            capture_output=True,
        )


def _short_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))


@pytest.fixture(scope="session")
def platform_home() -> Iterator[Path]:
    """The platform keyring directory for the whole session (key made on first use)."""
    home = _short_dir("dnscert-pgp-")
    try:
        yield home
    finally:
        Keyring(home).stop()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(autouse=True)
def delivery_settings(settings: Settings, platform_home: Path) -> None:
    """Every delivery test signs with the session's platform key and hashes passwords fast."""
    settings.DNSCERT_GNUPG_HOME = str(platform_home)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEFAULT_FROM_EMAIL = "dnscert <cert@dnscert.example>"
    settings.DNSCERT_DELIVERY_RETRY_DELAY = 60
    settings.DNSCERT_DELIVERY_MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Recipient:
    """A recipient with a key pair in their own keyring."""

    keyring: Keyring
    fingerprint: str
    public_key: str


@pytest.fixture(scope="session")
def recipient() -> Iterator[Recipient]:
    """A constituent's key pair (ed25519 + cv25519), kept in the constituent's keyring."""
    keyring = Keyring(_short_dir("dnscert-rcpt-"))
    try:
        fingerprint = keyring.generate("Registry CSIRT <csirt@registry.example>")
        yield Recipient(keyring, fingerprint, keyring.export(fingerprint))
    finally:
        keyring.stop()
        shutil.rmtree(keyring.home, ignore_errors=True)


@pytest.fixture
def verifier(platform_home: Path) -> Iterator[Keyring]:
    """A keyring holding only the platform public key, as a recipient would after import."""
    from dnscert.delivery import pgp

    keyring = Keyring(_short_dir("dnscert-vrfy-"))
    keyring.run("--import", data=pgp.public_key().encode())
    try:
        yield keyring
    finally:
        keyring.stop()
        shutil.rmtree(keyring.home, ignore_errors=True)


# --- a webhook receiver ---------------------------------------------------------------------


@dataclass
class Hit:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 answering ``status`` and keeping every request."""

    port: int = 0
    status: int = 200
    hits: list[Hit] = field(default_factory=list)

    def url(self, path: str = "/hook") -> str:
        return f"http://{LOOPBACK}:{self.port}{path}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP receiver for webhooks on a free loopback port."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.hits.append(Hit(self.path, dict(self.headers.items()), body))
            reply = json.dumps({"ok": state.status < 300}).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
