"""``dnscert lab serve CONFIG [--port 53] [--log-level LEVEL]``: run the lab nameserver."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from dnscert.dnslab.corefile import CorefileError
from dnscert.dnslab.server import LabServer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dnscert lab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve a CoreDNS-style configuration")
    serve.add_argument("config", help="path of the Corefile (zone files are relative to it)")
    serve.add_argument("--port", type=int, default=None, help="override every block's port")
    serve.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="DEBUG logs every query",
    )
    return parser


async def serve(server: LabServer) -> None:
    """Serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await server.start()
    print(f"lab server ready on {len(server.endpoints)} endpoints", flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()


def main(argv: list[str]) -> int:
    """Entry point of ``dnscert lab``; returns the exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(message)s")
    try:
        server = LabServer.from_corefile(args.config, args.port)
    except CorefileError as error:
        print(f"dnscert lab: {error}", file=sys.stderr)
        return 2
    try:
        asyncio.run(serve(server))
    except OSError as error:
        print(f"dnscert lab: cannot open sockets: {error}", file=sys.stderr)
        return 1
    return 0
