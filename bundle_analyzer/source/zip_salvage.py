"""Read what survives of a zip whose end (and so its central directory) was cut off.

Walks the local file headers from the start, the way a streaming unzip does. Stored and deflated
entries are supported; anything else ends the walk with a recorded problem.
"""

from __future__ import annotations

import mmap
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from bundle_analyzer.errors import BundleRefused

LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
LOCAL_MAGIC = b"PK\x03\x04"
STORED, DEFLATED = 0, 8
MAX_NAME = 4096
# Salvage inflates a member in memory; past this it stops rather than risk a bomb.
MAX_SALVAGED_MEMBER = 512 << 20
# Without a central directory nothing declares sizes, so a bomb shows only while inflating.
MAX_SALVAGE_RATIO = 500
SALVAGE_RATIO_FLOOR = 64 << 20
_STEP = 1 << 20

Entry = tuple[str, Callable[[], Iterator[bytes]], list[str]]


def iter_local_entries(path: Path, archive_problems: list[str]) -> Iterator[Entry]:
    # Mapped, not read: a damaged multi-GB zip must not be copied into memory first.
    with open(path, "rb") as handle:
        if path.stat().st_size == 0:
            return
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            yield from _walk(data, archive_problems)


def _walk(data, archive_problems: list[str]) -> Iterator[Entry]:
    offset = 0
    while offset + LOCAL_HEADER.size <= len(data) and data[offset:offset + 4] == LOCAL_MAGIC:
        (_, _, flags, method, _, _, _, csize, _, name_len, extra_len) = LOCAL_HEADER.unpack_from(data, offset)
        name_start = offset + LOCAL_HEADER.size
        if name_len > MAX_NAME:
            archive_problems.append(f"zip local header at {offset} has an implausible name length")
            return
        name = bytes(data[name_start:name_start + name_len]).decode("utf-8", errors="replace")
        body = name_start + name_len + extra_len
        problems: list[str] = []
        if method not in (STORED, DEFLATED):
            archive_problems.append(f"zip entry {name} uses compression method {method}; walk stopped")
            return
        if method == DEFLATED and (flags & 0x08 or csize == 0):
            payload, consumed = _inflate_until_end(data, body, problems)
            end = body + consumed + (16 if flags & 0x08 else 0)
        else:
            end = body + csize
            if csize > MAX_SALVAGED_MEMBER:
                problems.append(f"member {name} ends early: too large to salvage from a damaged zip")
                payload = b""
            else:
                payload = bytes(data[body:end])
            if end > len(data):
                problems.append(f"member {name} ends early: zip cut off inside it")
            if method == DEFLATED and payload:
                payload, _ = _inflate_until_end(payload, 0, problems)
        yield name, (lambda p=payload: iter((p,)) if p else iter(())), problems
        if problems:
            archive_problems.append(f"zip breaks off inside {name}")
            return
        offset = end
    if offset < len(data):
        archive_problems.append(f"zip walk stopped at byte {offset} of {len(data)}")


def _inflate_until_end(data, start: int, problems: list[str]) -> tuple[bytes, int]:
    """Inflate one raw deflate stream from ``start``; return the output and the bytes consumed."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    parts: list[bytes] = []
    produced = 0
    pos = start
    pending = b""
    while True:
        if not pending:
            if pos >= len(data):
                break
            pending = bytes(data[pos:pos + _STEP])
            pos += len(pending)
        try:
            out = inflater.decompress(pending, _STEP)
        except zlib.error as exc:
            problems.append(f"deflate data damaged: {exc}")
            return b"".join(parts), pos - start
        pending = inflater.unconsumed_tail
        parts.append(out)
        produced += len(out)
        consumed = pos - start - len(pending)
        if produced > SALVAGE_RATIO_FLOOR and produced > MAX_SALVAGE_RATIO * max(consumed, 1):
            raise BundleRefused(f"refused: a zip entry inflates more than {MAX_SALVAGE_RATIO}x (zip bomb?)")
        if produced > MAX_SALVAGED_MEMBER:
            problems.append("member ends early: too large to salvage from a damaged zip")
            return b"".join(parts), pos - start
        if inflater.eof:
            return b"".join(parts), pos - start - len(pending) - len(inflater.unused_data)
        if not out and not pending and pos >= len(data):
            break
    problems.append("member ends early: deflate stream cut off")
    return b"".join(parts), pos - start
