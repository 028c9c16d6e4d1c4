"""Byte-stream helpers: bounded chunk reading and on-the-fly gunzip of members inside a bundle."""

from __future__ import annotations

import tarfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from bundle_analyzer.errors import BundleRefused
from bundle_analyzer.source.limits import Limits
from bundle_analyzer.source.members import CHUNK

GZIP_MAGIC = b"\x1f\x8b"


class ByteBudget:
    """Counts uncompressed bytes across the whole bundle and per member; refuses bombs."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.total = 0

    def take(self, path: str, member_bytes: int, n: int) -> None:
        self.total += n
        if member_bytes > self.limits.max_member_bytes:
            raise BundleRefused(
                f"refused: member {path} expands beyond {self.limits.max_member_bytes} bytes "
                "(raise with --max-member-bytes if this bundle is genuine)"
            )
        if self.total > self.limits.max_total_bytes:
            raise BundleRefused(
                f"refused: bundle expands beyond {self.limits.max_total_bytes} bytes in total "
                "(raise with --max-total-bytes if this bundle is genuine)"
            )


def read_chunks(stream: BinaryIO, problems: list[str], what: str) -> Iterator[bytes]:
    """Yield fixed-size chunks; a read error ends the stream and is recorded, not raised."""
    while True:
        try:
            block = stream.read(CHUNK)
        except (EOFError, OSError, zlib.error, tarfile.TarError) as exc:
            problems.append(f"{what} ends early: {exc or type(exc).__name__}")
            return
        if not block:
            return
        yield block


def gunzip_chunks(
    chunks: Iterator[bytes], path: str, limits: Limits, problems: list[str]
) -> Iterator[bytes]:
    """Decompress a gzip stream (several concatenated members allowed) with bounded output.

    A damaged or truncated stream ends with a recorded problem; what was inflated before the
    break is still yielded, since the head of a rotated log is evidence too.
    """
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    compressed = 0
    produced = 0
    pending = b""
    in_member = False
    for block in chunks:
        compressed += len(block)
        data = pending + block
        pending = b""
        while data:
            in_member = True
            try:
                out = inflater.decompress(data, CHUNK)
            except zlib.error as exc:
                problems.append(f"gzip data in {path} is damaged after {produced} bytes: {exc}")
                return
            produced += len(out)
            _check_ratio(path, limits, compressed, produced)
            if out:
                yield out
            if inflater.unconsumed_tail:
                data = inflater.unconsumed_tail
                continue
            if inflater.eof:
                rest = inflater.unused_data
                in_member = False
                inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                if not rest.strip(b"\x00"):
                    data = b""
                elif len(rest) < len(GZIP_MAGIC):
                    pending, data = rest, b""
                elif rest.startswith(GZIP_MAGIC):
                    data = rest
                else:
                    problems.append(f"{path} has trailing bytes after its gzip data")
                    return
                continue
            data = b""
    if in_member:
        tail = inflater.flush()
        if tail:
            yield tail
        problems.append(f"gzip stream {path} is truncated after {produced} bytes")


def _check_ratio(path: str, limits: Limits, compressed: int, produced: int) -> None:
    if produced > limits.nested_gzip_ratio_floor and produced > compressed * limits.max_nested_gzip_ratio:
        raise BundleRefused(
            f"refused: {path} inflates more than {limits.max_nested_gzip_ratio}x (gzip bomb?)"
        )
