"""The compact storage of a registry list: ``YYYY-MM-DD,domain`` lines, zlib-compressed.

One blob per list instead of a row per domain: a year of Conficker.C is some 18 million
rows over 110 TLDs, which compress to a few bytes a domain. :class:`ListWriter` compresses
as the generator runs; :func:`iter_rows` decompresses in chunks, so a large list is never
held uncompressed in memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import date

_CHUNK = 64 * 1024


class ListWriter:
    """Accumulates one TLD's rows, compressed as they come."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj(level=6)
        self._parts: list[bytes] = []
        self.count = 0

    def add(self, day: date, domain: str) -> None:
        """Append one row."""
        self.extend(day, [domain])

    def extend(self, day: date, domains: list[str]) -> None:
        """Append the rows of ``domains`` for ``day``, in order."""
        prefix = f"{day.isoformat()},"
        text = "".join(f"{prefix}{domain}\n" for domain in domains)
        self._parts.append(self._compressor.compress(text.encode()))
        self.count += len(domains)

    def finish(self) -> bytes:
        """The whole compressed blob; the writer cannot be used afterwards."""
        self._parts.append(self._compressor.flush())
        return b"".join(self._parts)


def iter_rows(blob: bytes | memoryview) -> Iterator[tuple[str, str]]:
    """``(day, domain)`` pairs of a blob, in stored order, decompressed chunk by chunk."""
    data = bytes(blob)
    decompressor = zlib.decompressobj()
    pending = b""
    for start in range(0, len(data), _CHUNK):
        pending += decompressor.decompress(data[start : start + _CHUNK])
        *lines, pending = pending.split(b"\n")
        yield from _split(lines)
    pending += decompressor.flush()
    yield from _split([line for line in pending.split(b"\n") if line])


def _split(lines: list[bytes]) -> Iterator[tuple[str, str]]:
    for line in lines:
        day, _sep, domain = line.decode().partition(",")
        yield day, domain


def encode(rows: list[tuple[date, str]]) -> bytes:
    """A blob holding ``rows`` (for tests and small lists)."""
    writer = ListWriter()
    for day, domain in rows:
        writer.add(day, domain)
    return writer.finish()
