"""The one outbound HTTP wrapper: every request the platform makes to the web goes through here.

It enforces, on every request and every redirect hop: only ``http``/``https``; a timeout
(``DNSCERT_HTTP_TIMEOUT`` seconds, also a deadline for the whole body); a size cap on bodies
(``DNSCERT_HTTP_MAX_BYTES``); at most ``MAX_REDIRECTS`` redirects; the ``dnscert/<version>``
User-Agent; and it refuses hosts that resolve to private, loopback, link-local or otherwise
non-global addresses unless ``DNSCERT_HTTP_ALLOW_PRIVATE`` is true (tests and the test bed).
The connection goes to the very address that was checked (the host name is kept for the Host
header and TLS verification), so DNS rebinding between check and connect is of no use.
Proxies from the environment are ignored.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from django.conf import settings

from dnscert import __version__
from dnscert.core.exceptions import DnscertError
from dnscert.env import env_int

USER_AGENT = f"dnscert/{__version__}"
#: Redirects followed before giving up.
MAX_REDIRECTS = 5
#: Body size cap when ``DNSCERT_HTTP_MAX_BYTES`` is not configured.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
#: Longest line :func:`stream_lines` accepts (a feed line longer than this is an error).
MAX_LINE_BYTES = 1024 * 1024
ALLOWED_SCHEMES = frozenset({"http", "https"})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_GZIP_MAGIC = b"\x1f\x8b"


class OutboundHTTPError(DnscertError):
    """An outbound request failed; the message names the URL and what went wrong."""

    def __init__(self, url: str, problem: str, *, status: int | None = None) -> None:
        super().__init__(f"{url}: {problem}")
        self.url = url
        self.problem = problem
        self.status = status


@dataclass(frozen=True)
class Response:
    """A finished response: status, headers (lower-case names), whole body and final URL."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    @property
    def ok(self) -> bool:
        """True for a 2xx status."""
        return 200 <= self.status < 300


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
    max_bytes: int | None = None,
) -> Response:
    """Send one request and return the response, whatever its status (2xx or not).

    Raises :class:`OutboundHTTPError` for a refused URL, a network error, a timeout, too many
    redirects or a body larger than ``max_bytes``.
    """
    limit = max_bytes if max_bytes is not None else _default_max_bytes()
    seconds = _timeout(timeout)
    deadline = time.monotonic() + seconds
    with _open(method, url, body, headers, seconds) as response:
        received = bytearray()
        try:
            for chunk in response.iter_bytes():
                received += chunk
                if len(received) > limit:
                    raise OutboundHTTPError(url, f"response larger than {limit} bytes")
                if time.monotonic() > deadline:
                    raise OutboundHTTPError(url, f"response not complete within {seconds:g}s")
        except httpx.HTTPError as exc:
            raise _wrap(url, exc) from exc
        return Response(
            status=response.status_code,
            headers={key.lower(): value for key, value in response.headers.items()},
            body=bytes(received),
            url=str(response.extensions.get("dnscert_url", url)),
        )


def stream_lines(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Iterator[bytes]:
    """GET ``url`` and yield its body line by line (without line endings), as it arrives.

    A gzip body is decompressed whether the server declared it with ``Content-Encoding`` or
    served a ``.gz`` file. A non-2xx status raises :class:`OutboundHTTPError`.
    """
    seconds = _timeout(timeout)
    with _open("GET", url, None, headers, seconds) as response:
        if not 200 <= response.status_code < 300:
            raise OutboundHTTPError(
                url, f"HTTP status {response.status_code}", status=response.status_code
            )
        try:
            yield from _split_lines(url, _gunzip(response.iter_bytes()))
        except httpx.HTTPError as exc:
            raise _wrap(url, exc) from exc


def check_url(url: str) -> list[str]:
    """The addresses to connect to for ``url``; :class:`OutboundHTTPError` if it is refused.

    The host is resolved once here and the connection goes to the returned address (with the
    host name kept for the Host header and TLS), so a name that resolves differently a moment
    later (DNS rebinding) cannot lead the request to a refused address.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise OutboundHTTPError(url, f"scheme {parts.scheme!r} refused: only http and https")
    if not parts.hostname:
        raise OutboundHTTPError(url, "the URL has no host")
    if parts.username or parts.password:
        raise OutboundHTTPError(url, "credentials in the URL are refused")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as exc:
        raise OutboundHTTPError(url, f"bad port: {exc}") from exc
    addresses = _resolve(url, parts.hostname, port)
    if not settings.DNSCERT_HTTP_ALLOW_PRIVATE:
        for address in addresses:
            mapped = getattr(address, "ipv4_mapped", None)
            if not (mapped or address).is_global:
                raise OutboundHTTPError(
                    url,
                    f"host {parts.hostname!r} resolves to non-public address {address}; "
                    "refused (DNSCERT_HTTP_ALLOW_PRIVATE is false)",
                )
    return list(dict.fromkeys(str(address) for address in addresses))


def _resolve(url: str, host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundHTTPError(url, f"cannot resolve host {host!r}: {exc}") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise OutboundHTTPError(url, f"host {host!r} has no address")
    return addresses


def _pinned(url: str, address: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """(URL naming ``address`` instead of the host, Host header, request extensions)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    literal = f"[{address}]" if ":" in address else address
    pinned = urlunsplit((scheme, f"{literal}:{port}", parts.path, parts.query, ""))
    host = parts.hostname or ""
    host_header = f"[{host}]" if ":" in host else host
    if parts.port:
        host_header += f":{parts.port}"
    extensions = {"sni_hostname": host} if scheme == "https" else {}
    return pinned, {"Host": host_header}, extensions


@contextmanager
def _open(
    method: str,
    url: str,
    body: bytes | None,
    headers: Mapping[str, str] | None,
    seconds: float,
) -> Iterator[httpx.Response]:
    """Send the request, following redirects by hand so every hop is checked."""
    sent_headers = {"User-Agent": USER_AGENT, **dict(headers or {})}
    with httpx.Client(timeout=seconds, follow_redirects=False, trust_env=False) as client:
        current, verb, content = url, method.upper(), body
        for _hop in range(MAX_REDIRECTS + 1):
            response = _send_pinned(client, verb, current, content, sent_headers)
            location = response.headers.get("location")
            if response.status_code not in _REDIRECT_STATUSES or not location:
                response.extensions["dnscert_url"] = current
                try:
                    yield response
                finally:
                    response.close()
                return
            response.close()
            current = urljoin(current, location)
            if response.status_code == 303 or (
                response.status_code in (301, 302) and verb == "POST"
            ):
                verb, content = "GET", None
        raise OutboundHTTPError(url, f"more than {MAX_REDIRECTS} redirects")


def _send_pinned(
    client: httpx.Client,
    verb: str,
    url: str,
    content: bytes | None,
    headers: Mapping[str, str],
) -> httpx.Response:
    """Send to each checked address of ``url``'s host in turn until one accepts a connection."""
    addresses = check_url(url)
    for number, address in enumerate(addresses, start=1):
        target, host, extensions = _pinned(url, address)
        request_ = client.build_request(
            verb, target, content=content, headers={**headers, **host}, extensions=extensions
        )
        try:
            return client.send(request_, stream=True)
        except httpx.ConnectError as exc:
            if number == len(addresses):
                raise _wrap(url, exc) from exc
        except httpx.HTTPError as exc:
            raise _wrap(url, exc) from exc
    raise OutboundHTTPError(url, "no address to connect to")


def _gunzip(chunks: Iterator[bytes]) -> Iterator[bytes]:
    decompressor: zlib._Decompress | None = None
    first = True
    for chunk in chunks:
        if first and chunk:
            first = False
            if chunk.startswith(_GZIP_MAGIC):
                decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        yield decompressor.decompress(chunk) if decompressor else chunk
    if decompressor is not None:
        yield decompressor.flush()


def _split_lines(url: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
    pending = b""
    for chunk in chunks:
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            yield line.rstrip(b"\r")
        if len(pending) > MAX_LINE_BYTES:
            raise OutboundHTTPError(url, f"a line is longer than {MAX_LINE_BYTES} bytes")
    if pending:
        yield pending.rstrip(b"\r")


def _timeout(timeout: float | None) -> float:
    seconds = float(timeout if timeout is not None else settings.DNSCERT_HTTP_TIMEOUT)
    if seconds <= 0:
        raise OutboundHTTPError("-", "the timeout must be positive")
    return seconds


def _default_max_bytes() -> int:
    """``DNSCERT_HTTP_MAX_BYTES`` as a Django setting, else from the environment."""
    configured = getattr(settings, "DNSCERT_HTTP_MAX_BYTES", None)
    if configured is not None:
        return int(configured)
    return env_int("DNSCERT_HTTP_MAX_BYTES", DEFAULT_MAX_BYTES)


def _wrap(url: str, exc: httpx.HTTPError) -> OutboundHTTPError:
    if isinstance(exc, httpx.TimeoutException):
        return OutboundHTTPError(url, f"timed out ({type(exc).__name__})")
    return OutboundHTTPError(url, f"{type(exc).__name__}: {exc}")
