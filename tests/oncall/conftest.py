"""Fixtures of the on-call tests: a signing key for e-mails, loopback webhooks allowed, and
a real HTTP receiver on 127.0.0.1 for the chat/SMS gateway webhooks."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

LOOPBACK = "127.0.0.1"


@pytest.fixture(scope="session")
def oncall_gnupg_home() -> Iterator[Path]:
    """A short-lived platform keyring (short path: gpg-agent sockets have a length limit)."""
    home = Path(tempfile.mkdtemp(prefix="dnscert-oncall-", dir="/tmp"))
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
def oncall_settings(settings: Any, oncall_gnupg_home: Path) -> None:
    """Sign with the session key, post webhooks to loopback, hash passwords fast."""
    settings.DNSCERT_GNUPG_HOME = str(oncall_gnupg_home)
    settings.DNSCERT_HTTP_ALLOW_PRIVATE = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = "https://dnscert.example"


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A chat/SMS gateway stand-in on 127.0.0.1 that keeps every request."""

    port: int = 0
    hits: list[Hit] = field(default_factory=list)

    def url(self, path: str = "/hook") -> str:
        return f"http://{LOOPBACK}:{self.port}{path}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP server on a free loopback port answering 200 to every POST."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.hits.append(Hit(self.path, dict(self.headers.items()), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

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
