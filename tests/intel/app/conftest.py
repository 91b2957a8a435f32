"""Fixtures of the intel storage tests: a real HTTP server on 127.0.0.1 serving fixed pages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class WebServer:
    """Serves ``pages[path] = (status, body)``; records the paths asked for."""

    base_url: str
    pages: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    requested: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


@pytest.fixture
def web_server(settings: Any) -> Iterator[WebServer]:
    """A threaded HTTP server on 127.0.0.1; the outbound wrapper may reach it."""
    settings.DNSCERT_HTTP_ALLOW_PRIVATE = True
    state = WebServer("")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requested.append(self.path)
            status, body = state.pages.get(self.path, (404, b"not found"))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class World:
    """Two registries, two registrars, a feed and six attributed events."""

    registry_xa: Any
    registry_xb: Any
    registrar_names: Any
    registrar_other: Any
    feed: Any
    run: Any


@pytest.fixture
def world(db: Any) -> World:
    """Events about xa and xb names, some sponsored by a constituent registrar (IANA 9001)."""
    from datetime import UTC, datetime

    from dnscert.intel import storage
    from tests.intel.app import factories

    registry_xa, registry_xb = factories.registry("xa"), factories.registry("xb")
    names = factories.registrar(9001, "Example Names Registrar")
    other = factories.registrar(9002, "Registrador Ejemplo")
    created = datetime(2026, 11, 15, tzinfo=UTC)
    factories.registration("shop.xa", "Example Names Registrar", 9001, created)
    factories.registration("bank.xb", "Example Names Registrar", 9001, created)
    factories.registration("mail.xb", "Registrador Ejemplo", 9002, created)
    feed = factories.feed(
        "world", options={"observed_at": "2026-11-20T12:00:00Z", "classification_type": "phishing"}
    )
    run = storage.ingest(
        feed,
        factories.lines("shop.xa", "login.shop.xa", "plain.xa", "bank.xb", "mail.xb", "192.0.2.10"),
    )
    return World(registry_xa, registry_xb, names, other, feed, run)
