"""Read what survives of a zip whose end (and so its central directory) was cut off.

Walks the local file headers from the start, the way a streaming unzip does. Stored and deflated
entries are supported; anything else ends the walk with a recorded problem.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
LOCAL_MAGIC = b"PK\x03\x04"
STORED, DEFLATED = 0, 8
MAX_NAME = 4096
# Salvage inflates a member in memory; past this it stops rather than risk a bomb.
MAX_SALVAGED_MEMBER = 512 << 20

Entry = tuple[str, Callable[[], Iterator[bytes]], list[str]]


def iter_local_entries(path: Path, archive_problems: list[str]) -> Iterator[Entry]:
    data = path.read_bytes() if path.stat().st_size <= (1 << 31) else b""
    offset = 0
    while offset + LOCAL_HEADER.size <= len(data) and data[offset:offset + 4] == LOCAL_MAGIC:
        (_, _, flags, method, _, _, _, csize, _, name_len, extra_len) = LOCAL_HEADER.unpack_from(data, offset)
        name_start = offset + LOCAL_HEADER.size
        if name_len > MAX_NAME:
            archive_problems.append(f"zip local header at {offset} has an implausible name length")
            return
        name = data[name_start:name_start + name_len].decode("utf-8", errors="replace")
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
            payload = data[body:end]
            if end > len(data):
                problems.append(f"member {name} ends early: zip cut off inside it")
            if method == DEFLATED:
                payload, _ = _inflate_until_end(payload, 0, problems)
        yield name, (lambda p=payload: iter((p,)) if p else iter(())), problems
        if problems:
            archive_problems.append(f"zip breaks off inside {name}")
            return
        offset = end
    if offset < len(data):
        archive_problems.append(f"zip walk stopped at byte {offset} of {len(data)}")


def _inflate_until_end(data: bytes, start: int, problems: list[str]) -> tuple[bytes, int]:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data[start:], MAX_SALVAGED_MEMBER)
    except zlib.error as exc:
        problems.append(f"deflate data damaged: {exc}")
        return b"", len(data) - start
    if inflater.unconsumed_tail:
        problems.append("member ends early: too large to salvage from a damaged zip")
        return out, len(data) - start
    if not inflater.eof:
        problems.append("member ends early: deflate stream cut off")
        return out, len(data) - start
    return out, len(data) - start - len(inflater.unused_data)
