"""The scan helper process: ``python -m bundle_analyzer.logs.scan_worker FD SIZE`` (see scan_pool).

``FD`` is a shared-memory file of ``SIZE`` bytes holding the blocks. Frames on stdin:

* ``("scanner", id, patterns, limits)`` registers a pattern set. Its Hyperscan prefilter is
  compiled on the set's first block, or earlier when the helper has nothing else to do, and
  goes back once as ``("prefilter", id)`` with the serialized database as payload (empty if
  there is none), so that the main process need not compile it too;
* ``("scan", ticket, id, record_start, capped, offset, length)`` asks for the block at
  ``offset``, answered with ``("done", ticket, block)``. The block is copied out of the shared
  memory first, so the main process may reuse the slot once the answer arrives.

Imports the scanner, RE2, Hyperscan and numpy (newline counts), no pydantic: it is ready in a
few tens of milliseconds.
"""

from __future__ import annotations

import mmap
import select
import sys

from bundle_analyzer.logs.scan_pool import read_frame, widen_pipe, write_frame
from bundle_analyzer.logs.scanner import LogScanner, ScanPattern, search_block, use_numpy_counting


def main(argv: list[str]) -> int:
    fd, size = int(argv[0]), int(argv[1])
    shared = mmap.mmap(fd, size, access=mmap.ACCESS_READ)
    stdin = sys.stdin.buffer.fileno()
    stdout = sys.stdout.buffer.fileno()
    widen_pipe(stdout, 1 << 20)
    scanners: dict[int, LogScanner] = {}
    shipped: set[int] = set()  # scanners whose prefilter went back to the main process
    write_frame(stdout, ("ready",))
    use_numpy_counting()
    while True:
        # Prefilters are compiled when there is nothing else to do, or when a block needs one:
        # blocks never wait behind the compiling of patterns for logs not seen yet.
        unshipped = [sid for sid in scanners if sid not in shipped]
        if unshipped and not select.select([stdin], [], [], 0)[0]:
            _ship_prefilter(stdout, unshipped[0], scanners, shipped)
            continue
        frame = read_frame(stdin)
        if frame is None:
            return 0
        message, _ = frame
        if message[0] == "scanner":
            _, sid, patterns, limits = message
            scanners[sid] = LogScanner([ScanPattern(k, r) for k, r in patterns], **limits)
            continue
        _, ticket, sid, record_start, capped, offset, length = message
        try:
            data = shared[offset : offset + length]
            scanner = scanners[sid]
            block = search_block(scanner, data, 0, len(data), frozenset(capped), scanner._record_start(record_start))
            answer: tuple = ("done", ticket, block)
        except Exception as exc:  # noqa: BLE001 - the main process searches the block itself
            answer = ("error", ticket, repr(exc))
        _ship_prefilter(stdout, sid, scanners, shipped)
        write_frame(stdout, answer)


def _ship_prefilter(stdout: int, sid: int, scanners: dict[int, LogScanner], shipped: set[int]) -> None:
    """Compile a scanner's prefilter (if its first block did not) and send it, once; an empty
    payload says there is none, so the main process may try its own."""
    if sid not in shipped and sid in scanners:
        shipped.add(sid)
        scanners[sid].prefilter()
        write_frame(stdout, ("prefilter", sid), scanners[sid].serialized_prefilter() or b"")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
