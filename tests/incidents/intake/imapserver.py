"""A minimal IMAP4rev1 server on 127.0.0.1 for tests (asyncio, plain, TLS or STARTTLS).

It speaks just what a mail client polling one mailbox needs: CAPABILITY, STARTTLS, LOGIN,
SELECT, UID SEARCH UNSEEN, UID FETCH BODY.PEEK[], UID STORE +FLAGS, NOOP and LOGOUT, over
one mailbox held in memory.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LOOPBACK = "127.0.0.1"


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, written to ``directory``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, LOOPBACK)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "imap.crt", directory / "imap.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Mailbox:
    """Messages by UID with their flags."""

    messages: dict[int, bytes] = field(default_factory=dict)
    flags: dict[int, set[str]] = field(default_factory=dict)

    def add(self, raw: bytes) -> int:
        uid = max(self.messages, default=0) + 1
        self.messages[uid] = raw
        self.flags[uid] = set()
        return uid

    def unseen(self) -> list[int]:
        return [uid for uid in sorted(self.messages) if "\\Seen" not in self.flags[uid]]


class ImapServer:
    """The server, run on its own event loop in a thread; ``mode`` is ssl, starttls or none."""

    def __init__(self, mode: str, context: ssl.SSLContext | None, user: str, password: str):
        self.mode = mode
        self.context = context
        self.user = user
        self.password = password
        self.mailbox = Mailbox()
        self.port = 0
        self.commands: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        tls = self.context if self.mode == "ssl" else None
        server = self._loop.run_until_complete(
            asyncio.start_server(self._session, LOOPBACK, 0, ssl=tls)
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state = {"auth": False}
        writer.write(b"* OK [CAPABILITY IMAP4rev1] test IMAP ready\r\n")
        while line := await reader.readline():
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _, args = rest.partition(" ")
            self.commands.append(command.upper())
            reply = self._command(command.upper(), args, state, writer)
            writer.write(f"{tag} {reply}\r\n".encode())
            await writer.drain()
            if command.upper() == "STARTTLS" and reply.startswith("OK"):
                await writer.start_tls(self.context)  # type: ignore[arg-type]
            if command.upper() == "LOGOUT":
                break
        writer.close()

    def _command(
        self, command: str, args: str, state: dict[str, bool], writer: asyncio.StreamWriter
    ) -> str:
        if command == "CAPABILITY":
            extra = " STARTTLS" if self.mode == "starttls" else ""
            writer.write(f"* CAPABILITY IMAP4rev1 AUTH=PLAIN{extra}\r\n".encode())
            return "OK CAPABILITY completed"
        if command == "STARTTLS":
            ok = self.mode == "starttls" and self.context is not None
            return "OK Begin TLS negotiation now" if ok else "BAD STARTTLS not offered"
        if command == "LOGIN":
            user, _, password = args.partition(" ")
            state["auth"] = user.strip('"') == self.user and password.strip('"') == self.password
            return "OK LOGIN completed" if state["auth"] else "NO [AUTHENTICATIONFAILED] bad"
        if not state["auth"]:
            return "BAD not authenticated" if command not in ("NOOP", "LOGOUT") else "OK"
        if command == "SELECT":
            writer.write(f"* {len(self.mailbox.messages)} EXISTS\r\n".encode())
            writer.write(b"* FLAGS (\\Seen)\r\n")
            return "OK [READ-WRITE] SELECT completed"
        if command == "UID":
            return self._uid(args, writer)
        if command == "LOGOUT":
            writer.write(b"* BYE\r\n")
        return "OK"

    def _uid(self, args: str, writer: asyncio.StreamWriter) -> str:
        verb, _, rest = args.partition(" ")
        verb = verb.upper()
        if verb == "SEARCH":
            uids = " ".join(str(uid) for uid in self.mailbox.unseen())
            writer.write(f"* SEARCH {uids}\r\n".encode())
            return "OK SEARCH completed"
        uid = int(rest.split(" ")[0])
        if verb == "FETCH":
            raw = self.mailbox.messages[uid]
            writer.write(f"* {uid} FETCH (UID {uid} BODY[] {{{len(raw)}}}\r\n".encode())
            writer.write(raw + b")\r\n")
            return "OK FETCH completed"
        if verb == "STORE":
            self.mailbox.flags[uid].add("\\Seen")
            writer.write(f"* {uid} FETCH (UID {uid} FLAGS (\\Seen))\r\n".encode())
            return "OK STORE completed"
        return "BAD unknown UID command"
