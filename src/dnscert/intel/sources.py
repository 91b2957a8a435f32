"""Reading a feed's bytes safely: bounded lines from files, uploads and streams.

A file with no line breaks (binary garbage, a hostile upload) must not be read into memory
as one giant "line": :func:`bounded_lines` yields at most ``max_bytes + 1`` bytes of an
overlong line (so the parser reports it as too long, keeping its start as raw text) and skips
the rest of it. Gzip files are decompressed on the fly.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from dnscert.core.exceptions import InvalidInput

#: Longest line read from a file or upload; longer lines are cut and fail as too long.
MAX_LINE_BYTES = 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_UNREADABLE = (OSError, EOFError, zlib.error)
"""Errors of a broken or truncated gzip stream (and of the disk)."""


def bounded_lines(stream: BinaryIO, max_bytes: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """The lines of ``stream``, each cut to ``max_bytes + 1`` bytes if longer."""
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith(b"\n"):
            _skip_rest_of_line(stream, max_bytes)
        yield line


def _skip_rest_of_line(stream: BinaryIO, chunk: int) -> None:
    while True:
        rest = stream.readline(chunk)
        if not rest or rest.endswith(b"\n"):
            return


def open_feed_file(path: str | Path) -> BinaryIO:
    """``path`` opened for reading, gunzipped when it is gzip data."""
    file_path = Path(path)
    if not file_path.is_file():
        raise InvalidInput("path", f"{file_path} is not a readable file")
    with file_path.open("rb") as probe:
        magic = probe.read(2)
    if magic == _GZIP_MAGIC:
        return gzip.open(file_path, "rb")  # type: ignore[return-value]
    return file_path.open("rb")


def is_gzip(path: str | Path) -> bool:
    """True when the file at ``path`` starts like gzip data."""
    with Path(path).open("rb") as probe:
        return probe.read(2) == _GZIP_MAGIC


def file_lines(path: str | Path) -> Iterator[bytes]:
    """The bounded lines of the file at ``path`` (gzip or plain)."""
    try:
        with open_feed_file(path) as stream:
            yield from bounded_lines(stream)
    except _UNREADABLE as exc:
        raise InvalidInput("file", f"cannot read {Path(path).name}: {exc}") from None


def stream_lines(stream: BinaryIO) -> Iterator[bytes]:
    """The bounded lines of an open binary stream (an upload), gunzipped if gzip data."""
    head = stream.read(2)
    stream.seek(0)
    try:
        if head == _GZIP_MAGIC:
            with gzip.open(stream, "rb") as unpacked:
                yield from bounded_lines(unpacked)  # type: ignore[arg-type]
            return
        yield from bounded_lines(stream)
    except _UNREADABLE as exc:
        raise InvalidInput("file", f"cannot read the upload: {exc}") from None
