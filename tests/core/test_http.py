"""The outbound HTTP wrapper against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from dnscert.core import http

LINES = [f"line {number},example{number}.xa".encode() for number in range(2000)]


class Handler(BaseHTTPRequestHandler):
    """Routes that misbehave in the ways the wrapper must survive."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        route = {
            "/ok": lambda: self._reply(200, b"hello"),
            "/big": lambda: self._reply(200, b"x" * 200_000),
            "/slow": self._slow,
            "/drip": self._drip,
            "/loop": lambda: self._redirect("/loop"),
            "/hop": lambda: self._redirect("/ok"),
            "/to-ftp": lambda: self._redirect("ftp://127.0.0.1/file"),
            "/feed.gz": lambda: self._reply(200, gzip.compress(b"\n".join(LINES) + b"\n")),
            "/feed": self._encoded_feed,
            "/missing": lambda: self._reply(404, b"no"),
            "/agent": lambda: self._reply(200, self.headers["User-Agent"].encode()),
            "/host": lambda: self._reply(200, self.headers["Host"].encode()),
        }.get(self.path.split("?")[0], lambda: self._reply(404, b"unknown"))
        route()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/see-other":
            self._redirect("/ok", status=303)
            return
        self._reply(201, body)

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _slow(self) -> None:
        time.sleep(1.5)
        self._reply(200, b"late")

    def _drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "20")
        self.end_headers()
        for _ in range(20):
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(0.1)

    def _encoded_feed(self) -> None:
        body = gzip.compress(b"\r\n".join(LINES))
        self._reply(200, body, {"Content-Encoding": "gzip"})

    def log_message(self, format: str, *args: object) -> None:
        return


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # clients that give up (timeouts, size caps) reset their connection on purpose


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(autouse=True)
def loopback_allowed(settings: Any) -> None:
    settings.DNSCERT_HTTP_ALLOW_PRIVATE = True


def test_it_fetches_and_sends_its_user_agent(server: str) -> None:
    response = http.request("GET", f"{server}/agent")

    assert response.ok and response.status == 200 and response.body.startswith(b"dnscert/")
    assert response.headers["content-length"] == str(len(response.body))


def test_it_connects_to_the_checked_address_but_keeps_the_host_name(server: str) -> None:
    port = server.rsplit(":", 1)[1]

    response = http.request("GET", f"http://localhost:{port}/host")

    assert response.body == f"localhost:{port}".encode()
    assert response.url == f"http://localhost:{port}/host"


def test_it_posts_a_body(server: str) -> None:
    response = http.request("POST", f"{server}/echo", body=b'{"a":1}')

    assert response.status == 201 and response.body == b'{"a":1}'


def test_it_returns_non_2xx_answers(server: str) -> None:
    response = http.request("GET", f"{server}/missing")

    assert response.status == 404 and not response.ok


def test_it_caps_the_body_size(server: str) -> None:
    with pytest.raises(http.OutboundHTTPError, match="larger than 1000 bytes") as caught:
        http.request("GET", f"{server}/big", max_bytes=1000)
    assert caught.value.url == f"{server}/big"


def test_it_times_out(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(http.OutboundHTTPError, match="timed out"):
        http.request("GET", f"{server}/slow", timeout=0.3)
    assert time.monotonic() - started < 1.4


def test_the_timeout_bounds_a_dripping_body(server: str) -> None:
    with pytest.raises(http.OutboundHTTPError, match="not complete within"):
        http.request("GET", f"{server}/drip", timeout=0.5)


def test_it_follows_a_few_redirects_and_stops_a_loop(server: str) -> None:
    assert http.request("GET", f"{server}/hop").url == f"{server}/ok"
    with pytest.raises(http.OutboundHTTPError, match="more than 5 redirects"):
        http.request("GET", f"{server}/loop")


def test_a_303_turns_a_post_into_a_get(server: str) -> None:
    response = http.request("POST", f"{server}/see-other", body=b"x")

    assert response.status == 200 and response.body == b"hello"


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/file", "file:///etc/passwd", "gopher://127.0.0.1/", "http:///nohost"],
)
def test_it_refuses_other_schemes_and_hostless_urls(url: str) -> None:
    with pytest.raises(http.OutboundHTTPError) as caught:
        http.request("GET", url)
    assert caught.value.url == url


def test_it_checks_every_redirect_hop(server: str) -> None:
    with pytest.raises(http.OutboundHTTPError, match="scheme 'ftp' refused"):
        http.request("GET", f"{server}/to-ftp")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
    ],
)
def test_it_refuses_private_targets_unless_allowed(settings: Any, url: str) -> None:
    settings.DNSCERT_HTTP_ALLOW_PRIVATE = False

    with pytest.raises(http.OutboundHTTPError, match="non-public address"):
        http.request("GET", url)


def test_a_redirect_to_a_private_address_is_refused(settings: Any, server: str) -> None:
    settings.DNSCERT_HTTP_ALLOW_PRIVATE = False
    with pytest.raises(http.OutboundHTTPError, match="non-public"):
        http.request("GET", f"{server}/hop")


def test_it_refuses_unresolvable_hosts(settings: Any) -> None:
    settings.DNSCERT_HTTP_ALLOW_PRIVATE = False
    with pytest.raises(http.OutboundHTTPError, match="cannot resolve"):
        http.request("GET", "http://no-such-host.invalid/")


def test_it_reports_a_refused_connection(free_port: Any) -> None:
    with pytest.raises(http.OutboundHTTPError, match="ConnectError"):
        http.request("GET", f"http://127.0.0.1:{free_port()}/")


def test_stream_lines_reads_a_gzip_file(server: str) -> None:
    assert list(http.stream_lines(f"{server}/feed.gz")) == LINES


def test_stream_lines_reads_a_gzip_encoded_response(server: str) -> None:
    assert list(http.stream_lines(f"{server}/feed")) == LINES


def test_stream_lines_refuses_a_non_2xx_answer(server: str) -> None:
    with pytest.raises(http.OutboundHTTPError, match="HTTP status 404") as caught:
        list(http.stream_lines(f"{server}/missing"))
    assert caught.value.status == 404


def test_the_default_size_cap_comes_from_the_setting(server: str, settings: Any) -> None:
    settings.DNSCERT_HTTP_MAX_BYTES = 1000
    with pytest.raises(http.OutboundHTTPError, match="larger than 1000 bytes"):
        http.request("GET", f"{server}/big")
    settings.DNSCERT_HTTP_MAX_BYTES = 1_000_000
    assert len(http.request("GET", f"{server}/big").body) == 200_000
