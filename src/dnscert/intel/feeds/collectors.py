"""Collectors that need no Django: read a feed's lines from a file or a byte stream.

Lines are yielded as ``bytes`` so the parser decides the encoding (and reports a line it
cannot decode instead of crashing). Gzip files (``.gz``) are decompressed on the fly.
Collectors stream: memory does not grow with the file size. Fetching feeds over HTTP goes
through the project's outbound HTTP wrapper on the Django side, not here.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from dnscert.core.exceptions import InvalidInput


def read_file(path: str | Path) -> Iterator[bytes]:
    """The lines of a feed file (gzip-compressed if its name ends in ``.gz``)."""
    file_path = Path(path)
    if not file_path.is_file():
        raise InvalidInput("path", f"{file_path} is not a readable file")
    opener = gzip.open if file_path.suffix == ".gz" else open
    with opener(file_path, "rb") as stream:
        yield from stream


def read_stream(stream: BinaryIO) -> Iterator[bytes]:
    """The lines of an open binary stream (an upload, a pipe, a socket file)."""
    yield from stream
