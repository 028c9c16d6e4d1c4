"""Byte-stream helpers: bounded chunk reading and on-the-fly gunzip of members inside a bundle."""

from __future__ import annotations

import bz2
import lzma
import tarfile
from collections.abc import Iterator
from typing import BinaryIO

from bundle_analyzer.errors import BundleRefused
from bundle_analyzer.source.inflate import INFLATE_ERRORS, gzip_inflater
from bundle_analyzer.source.limits import Limits
from bundle_analyzer.source.members import CHUNK
from bundle_analyzer.source.safety import shown

GZIP_MAGIC = b"\x1f\x8b"


class ByteBudget:
    """Counts uncompressed bytes across the whole bundle and per member; refuses bombs.

    Two tallies: bytes actually produced (``take``), and sizes the archive headers declare
    (``declare``). The second one matters because a member nobody reads is still inflated to be
    skipped in a compressed stream, so its declared size must be bounded before that happens.
    """

    def __init__(self, limits: Limits):
        self.limits = limits
        self.total = 0
        self.declared = 0

    def take(self, path: str, member_bytes: int, n: int) -> None:
        self.total += n
        self._check_member(path, member_bytes)
        self._check_total(self.total)

    def declare(self, path: str, size: int) -> None:
        self.declared += max(size, 0)
        self._check_member(path, size)
        self._check_total(self.declared)

    def _check_member(self, path: str, size: int) -> None:
        if size > self.limits.max_member_bytes:
            raise BundleRefused(
                f"refused: member {shown(path)} expands beyond {self.limits.max_member_bytes} bytes "
                "(raise with --max-member-bytes if this bundle is genuine)"
            )

    def _check_total(self, total: int) -> None:
        if total > self.limits.max_total_bytes:
            raise BundleRefused(
                f"refused: bundle expands beyond {self.limits.max_total_bytes} bytes in total "
                "(raise with --max-total-bytes if this bundle is genuine)"
            )


def check_archive_ratio(what: str, limits: Limits, compressed: int, uncompressed: int) -> None:
    """Refuse an archive whose headers promise far more data than its compressed size can hold."""
    if uncompressed > limits.archive_ratio_floor and uncompressed > max(compressed, 1) * limits.max_archive_ratio:
        raise BundleRefused(
            f"refused: {what} would inflate {compressed} bytes to more than {uncompressed} bytes, over "
            f"{limits.max_archive_ratio}x (compression bomb?)"
        )


def read_chunks(stream: BinaryIO, problems: list[str], what: str) -> Iterator[bytes]:
    """Yield fixed-size chunks; a read error ends the stream and is recorded, not raised."""
    while True:
        try:
            block = stream.read(CHUNK)
        except (EOFError, OSError, *INFLATE_ERRORS, lzma.LZMAError, tarfile.TarError) as exc:
            problems.append(f"{what} ends early: {exc or type(exc).__name__}")
            return
        if not block:
            return
        yield block


def hold_back_tail(chunks: Iterator[bytes], size: int = 8) -> Iterator[bytes]:
    """The same bytes, but the last ``size`` come in a piece of their own.

    zlib checks a gzip trailer (CRC-32, length) in the call that reaches it and then returns
    nothing of that call's output: fed a small stream in one piece, a bad CRC loses all of it.
    Fed apart, the data comes out first and the check fails on its own.
    """
    held = b""
    for block in chunks:
        data = held + block if held else block
        if len(data) > size:
            yield data[:-size]
            held = data[-size:]
        else:
            held = data
    if held:
        yield held


def gunzip_chunks(
    chunks: Iterator[bytes], path: str, limits: Limits, problems: list[str]
) -> Iterator[bytes]:
    """Decompress a gzip stream (several concatenated members allowed) with bounded output.

    A damaged or truncated stream ends with a recorded problem; what was inflated before the
    break is still yielded, since the head of a rotated log is evidence too.
    """
    inflater = gzip_inflater()
    compressed = 0
    produced = 0
    pending = b""
    in_member = False
    for block in hold_back_tail(chunks):
        compressed += len(block)
        data = pending + block
        pending = b""
        while data:
            in_member = True
            try:
                out = inflater.decompress(data, CHUNK)
            except INFLATE_ERRORS as exc:
                problems.append(f"gzip data in {path} is damaged after {produced} bytes: {exc}")
                return
            produced += len(out)
            # What was actually consumed: a 1 MiB block of a bomb inflates to a gigabyte.
            _check_ratio(path, limits, compressed - len(inflater.unconsumed_tail), produced)
            if out:
                yield out
            if inflater.unconsumed_tail:
                data = inflater.unconsumed_tail
                continue
            if inflater.eof:
                rest = inflater.unused_data
                in_member = False
                inflater = gzip_inflater()
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
            f"refused: {shown(path)} inflates more than {limits.max_nested_gzip_ratio}x (gzip bomb?)"
        )


class DecompressedReader:
    """``read()`` over a gzip, bzip2 or xz stream, for ``tarfile`` in plain stream mode.

    tarfile's own gzip reader never checks the gzip trailer (CRC-32, length), so a damaged
    stream would be read as valid data; here zlib checks it, a stream cut short raises
    ``EOFError`` instead of ending quietly, and concatenated members (``cat a.gz b.gz``, pigz)
    are read one after the other. ``compressed`` counts the bytes taken from the file.
    """

    def __init__(self, raw: BinaryIO, kind: str):
        self.raw = raw
        self.blocks = hold_back_tail(iter(lambda: raw.read(CHUNK), b""))
        self.kind = kind
        self.compressed = 0
        self.pending = b""
        self.finished = False
        self.engine = self._engine()

    def _engine(self):
        if self.kind == "gzip":
            return gzip_inflater()
        if self.kind == "bzip2":
            return bz2.BZ2Decompressor()
        return lzma.LZMADecompressor()

    def read(self, size: int = -1) -> bytes:
        limit = min(size if size is not None and size >= 0 else CHUNK, CHUNK) or 1
        while not self.finished:
            out = self._inflate(limit)  # also drains output the engine still holds
            if self.engine.eof:
                self._next_member()
            if out:
                return out
            if self.finished:
                break
            if not self.pending and self._needs_input():
                block = next(self.blocks, b"")
                if not block:
                    raise EOFError(f"{self.kind} stream ends early (truncated after {self.compressed} bytes)")
                self.compressed += len(block)
                self.pending = block
        return b""

    def _needs_input(self) -> bool:
        if self.kind == "gzip":
            return True
        return self.engine.needs_input

    def _inflate(self, limit: int) -> bytes:
        if self.kind == "gzip":
            out = self.engine.decompress(self.pending, limit)
            self.pending = self.engine.unconsumed_tail
            return out
        data, self.pending = self.pending, b""
        return self.engine.decompress(data, limit)

    def _next_member(self) -> None:
        rest = self.engine.unused_data + self.pending
        self.pending = b""
        while len(rest) < 6:
            block = next(self.blocks, b"")
            if not block:
                break
            self.compressed += len(block)
            rest += block
        if not rest.strip(b"\0"):
            self.finished = True  # padding after the last member, as some writers add
            return
        if rest.startswith((GZIP_MAGIC, b"BZh", b"\xfd7zXZ\x00")):
            self.engine = self._engine()
            self.pending = rest
            return
        self.finished = True  # anything else after a complete stream is not the archive's


def compression_of(head: bytes) -> str | None:
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(b"BZh"):
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    return None
