"""A helper process that searches blocks of log lines while the main process reads the archive.

RE2 holds the GIL, so a second core can only help from another process. The main process
inflates the archive (and nested ``*.log.gz``), cuts each stream into blocks of complete lines
and hands some of them here; the helper (``python -m bundle_analyzer.logs.scan_worker``) runs
:func:`~bundle_analyzer.logs.scanner.search_block` on them and sends the results back. The
scanner merges every block in stream order, so hits, line numbers and counts are exactly those
of a scan in one process. The main process searches a block itself whenever the helper already
has ``max_in_flight`` blocks, which keeps both cores busy whatever the ratio of inflating to
searching.

A block travels through shared memory (a ``memfd`` the helper maps): copying it there never
blocks, unlike a pipe, which would make the main process wait whenever the helper is busy in
RE2. Only small frames go through the pipes: ``<header length:u32><payload length:u32>
<pickled header><payload>``; only this process and its own child speak the protocol.
Anything unexpected (no memfd, the helper cannot start, dies, answers garbage) turns the pool
off, and the blocks it had are searched here instead. Memory stays bounded: ``max_in_flight``
slots of ``max_block`` bytes.
"""

from __future__ import annotations

import mmap
import os
import pickle
import select
import struct
import subprocess
import sys
from collections.abc import Iterable

from bundle_analyzer.logs.scanner import FAILED, Block, LogScanner

_FRAME = struct.Struct("<II")
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MIN_BLOCK = 256 * 1024  # smaller blocks cost more to hand over than to search here
MAX_BLOCK = 1024 * 1024  # a slot; longer runs of lines are cut at a newline
MAX_IN_FLIGHT = 4
RESULT_PIPE_BYTES = 1 << 20  # the unprivileged maximum: answers with many hit lines fit


def write_frame(fd: int, header: object, payload: bytes = b"") -> None:
    head = pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL)
    _write_all(fd, _FRAME.pack(len(head), len(payload)) + head + payload)


def read_frame(fd: int) -> tuple[object, bytes] | None:
    """One frame, or None at the end of the stream."""
    prefix = _read_exact(fd, _FRAME.size)
    if prefix is None:
        return None
    head_len, payload_len = _FRAME.unpack(prefix)
    head = _read_exact(fd, head_len)
    payload = _read_exact(fd, payload_len) if payload_len else b""
    if head is None or payload is None:
        return None
    return pickle.loads(head), payload  # noqa: S301 - our own child process, over our own pipe


def widen_pipe(fd: int, size: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), size)
    except (ImportError, OSError):
        pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exact(fd: int, n: int) -> bytes | None:
    parts = []
    while n:
        part = os.read(fd, min(n, 1 << 20))
        if not part:
            return None
        parts.append(part)
        n -= len(part)
    return b"".join(parts)


class ScanPool:
    """One scan helper process, started on the first block big enough to be worth handing over."""

    def __init__(self, *, max_in_flight: int = MAX_IN_FLIGHT, min_block: int = MIN_BLOCK,
                 max_block: int = MAX_BLOCK):
        self.max_in_flight = max_in_flight
        self.min_block = min_block
        self.max_block = max_block
        self._proc: subprocess.Popen | None = None
        self._shared: mmap.mmap | None = None
        self._free_slots = list(range(max_in_flight))
        self._slot_of: dict[int, int] = {}
        self._ready = False
        self._off = False
        self._next_ticket = 0
        self._results: dict[int, Block] = {}
        self._forgotten: set[int] = set()
        self._scanners: dict[int, tuple[int, LogScanner]] = {}
        self._by_sid: dict[int, LogScanner] = {}

    @classmethod
    def for_this_machine(cls) -> ScanPool | None:
        """A pool when a second core exists (``CNIBUNDLE_SCAN_WORKERS=0`` turns it off)."""
        if os.environ.get("CNIBUNDLE_SCAN_WORKERS", "").strip() == "0":
            return None
        if not sys.executable or not hasattr(os, "memfd_create") or not hasattr(select, "select"):
            return None
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        return cls() if cores >= 2 else None

    def __enter__(self) -> ScanPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what the scanner calls ----------------------------------------------------------

    def has_room(self) -> bool:
        if self._off:
            return False
        if self._proc is None:
            self._start()
            return False
        if not self._ready:
            self._poll()
            return False
        if not self._free_slots:
            self._poll()
        return bool(self._free_slots)

    def submit(self, scanner: LogScanner, data: bytes, capped: frozenset[str], record_start: str | None,
               start: int = 0, end: int | None = None) -> int | None:
        """Hand over ``data[start:end]`` (complete lines, at most ``max_block`` bytes)."""
        end = len(data) if end is None else end
        if end - start > self.max_block or not self.has_room():
            return None
        assert self._shared is not None
        ticket = self._next_ticket
        slot = self._free_slots.pop()
        offset = slot * self.max_block
        self._shared[offset : offset + end - start] = memoryview(data)[start:end]
        try:
            sid = self._register(scanner)
            write_frame(self._stdin, ("scan", ticket, sid, record_start, tuple(sorted(capped)), offset, end - start))
        except OSError:
            self._turn_off()
            return None
        self._next_ticket += 1
        self._slot_of[ticket] = slot
        return ticket

    def result(self, ticket: int, *, wait: bool) -> Block | None:
        """The block's result; None while it is being searched (``wait=False``); FAILED if the
        helper is gone (search it here)."""
        while ticket not in self._results:
            if self._off:
                return FAILED
            if not self._receive(block=wait):
                return None
        return self._results.pop(ticket)

    def start(self) -> None:
        """Start the helper now rather than on the first big block (it says "ready" later)."""
        if self._proc is None and not self._off:
            self._start()

    def prepare(self, scanner: LogScanner) -> None:
        """A stream is about to be scanned: let a running helper compile its prefilter now."""
        if not self._ready:
            self._poll()
        if self._ready and not self._off:
            try:
                self._register(scanner)
            except OSError:
                self._turn_off()

    def forget(self, tickets: Iterable[int]) -> None:
        for ticket in tickets:
            if self._results.pop(ticket, None) is None:
                self._forgotten.add(ticket)

    def close(self) -> None:
        proc, self._proc = self._proc, None
        self._off = True
        for scanner in self._by_sid.values():
            scanner.prefilter_elsewhere = False  # no helper to send one: compile here if worth it
        if proc is not None:
            try:
                if proc.stdin is not None:
                    proc.stdin.close()
                proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()
            finally:
                if proc.stdout is not None:
                    proc.stdout.close()
        if self._shared is not None:
            self._shared.close()
            self._shared = None

    # -- the helper process ------------------------------------------------------------

    def _start(self) -> None:
        size = self.max_in_flight * self.max_block
        fd = -1
        try:
            fd = os.memfd_create("cnibundle-scan-blocks")
            os.ftruncate(fd, size)
            self._shared = mmap.mmap(fd, size)
            # The helper imports this very package, wherever it was imported from here.
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "bundle_analyzer.logs.scan_worker", str(fd), str(size)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0,
                pass_fds=(fd,), env=env,
            )
        except (OSError, ValueError):
            self._turn_off()
            return
        finally:
            if fd >= 0:
                os.close(fd)  # the mapping and the child keep it alive
        widen_pipe(self._stdout, RESULT_PIPE_BYTES)

    @property
    def _stdin(self) -> int:
        assert self._proc is not None and self._proc.stdin is not None
        return self._proc.stdin.fileno()

    @property
    def _stdout(self) -> int:
        assert self._proc is not None and self._proc.stdout is not None
        return self._proc.stdout.fileno()

    def _register(self, scanner: LogScanner) -> int:
        known = self._scanners.get(id(scanner))
        if known is not None and known[1] is scanner:
            return known[0]
        sid = len(self._scanners)
        patterns = [(p.key, p.regex) for p in scanner.patterns]
        limits = {"max_line_bytes": scanner.max_line_bytes, "max_hits_per_key": scanner.max_hits_per_key,
                  "max_hit_bytes": scanner.max_hit_bytes,
                  # Blocks come here from big streams only: a prefilter repays itself at once.
                  "prefilter_after": None if scanner.prefilter_after is None else 0}
        write_frame(self._stdin, ("scanner", sid, patterns, limits))
        self._scanners[id(scanner)] = (sid, scanner)  # the reference keeps id() unique
        self._by_sid[sid] = scanner
        if scanner.prefilter_after is not None and scanner.prefilter() is None:
            scanner.prefilter_elsewhere = True  # the helper compiles it and sends it over
        return sid

    def _poll(self) -> None:
        while not self._off and self._receive(block=False):
            pass

    def _receive(self, *, block: bool) -> bool:
        """Read one answer; False when none is ready (and ``block`` is off) or the pool is off."""
        if self._off or self._proc is None:
            return False
        try:
            if not block and not select.select([self._stdout], [], [], 0)[0]:
                return False
            frame = read_frame(self._stdout)
        except (OSError, ValueError, EOFError, pickle.UnpicklingError):
            frame = None
        if frame is None:
            self._turn_off()
            return False
        message, payload = frame
        kind = message[0] if isinstance(message, tuple) and message else None
        if kind == "ready":
            self._ready = True
        elif kind == "prefilter" and len(message) == 2 and message[1] in self._by_sid:
            scanner = self._by_sid[message[1]]
            if payload:
                scanner.adopt_prefilter(payload)
            else:
                scanner.prefilter_elsewhere = False  # none came: this process may try its own
        elif kind in ("done", "error") and message[1] in self._slot_of:
            ticket = message[1]
            self._free_slots.append(self._slot_of.pop(ticket))
            block_result = message[2] if kind == "done" else FAILED
            if ticket in self._forgotten:
                self._forgotten.discard(ticket)
            else:
                self._results[ticket] = block_result
        else:
            self._turn_off()
            return False
        return True

    def _turn_off(self) -> None:
        if not self._off:
            self.close()
        self._off = True
