"""Run CEL programs against one bundle's node state with bounded time and memory.

The CEL library runs an expression to its end while holding the GIL, and its ``map``/``filter``
are quadratic in the size of their result, so an honest rule over a hostile bundle (10^5 routes
that all violate it) or a rule that passed the static check but nests comprehensions over large
lists could run for hours. There is no cancellation inside the library, so evaluation happens in
a forked worker process that inherits the converted state (built once in the parent), answers one
program at a time over a pipe and is killed when a program passes its time limit or its memory
limit. The next program gets a fresh worker. Nothing is written anywhere; the worker only computes.

Where ``os.fork`` does not exist (Windows), programs run in-process without these bounds.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
import time
from typing import Any

from bundle_analyzer.rules.cel_module import cel

PROGRAM_SECONDS = 10.0
BUNDLE_SECONDS = 60.0
# Address space the worker may add to what it inherits; Linux only (RLIMIT_AS elsewhere is not enforced).
WORKER_EXTRA_BYTES = 3 << 30
_HEADER = struct.Struct("!Q")


class CelLimitExceeded(RuntimeError):
    """A program ran past its time or memory limit; it was stopped and reported, not retried."""


class CelRunner:
    """Executes compiled CEL programs against one ``cel.Context``.

    ``execute`` returns what ``program.execute(context)`` would, or raises (the program's own
    error as ``RuntimeError``, or :class:`CelLimitExceeded`).
    """

    def __init__(self, variables: dict[str, Any], programs: list[Any] = (), *,
                 program_seconds: float | None = None, bundle_seconds: float | None = None,
                 isolate: bool | None = None):
        self.context = cel.Context(variables)
        # The library converts variables on first use and caches them: do it once, here, so that
        # every worker forked later starts with the converted state.
        cel.compile("true").execute(self.context)
        self.program_seconds = PROGRAM_SECONDS if program_seconds is None else program_seconds
        self.remaining = BUNDLE_SECONDS if bundle_seconds is None else bundle_seconds
        self.isolate = hasattr(os, "fork") if isolate is None else isolate
        # Every program a worker may be asked for must exist before it is forked.
        self._programs: dict[int, Any] = {id(p): p for p in programs}
        self._worker: _Worker | None = None

    def execute(self, program: Any) -> Any:
        if not self.isolate:
            return program.execute(self.context)
        if self.remaining <= 0:
            raise CelLimitExceeded("not evaluated: the CEL time budget for this bundle is used up")
        key = id(program)
        if key not in self._programs:
            self._programs[key] = program
            self.close()
        if self._worker is None:
            try:
                self._worker = _Worker(self.context, self._programs)
            except OSError:  # no process to spare (limits, sandbox): run here, unbounded
                self.isolate = False
                return program.execute(self.context)
        limit = min(self.program_seconds, self.remaining)
        started = time.monotonic()
        try:
            status, value = self._worker.ask(key, limit)
        except CelLimitExceeded as exc:
            self.close()
            raise CelLimitExceeded(f"{exc} ({limit:.0f} s)" if "time limit" in str(exc) else str(exc)) from None
        finally:
            self.remaining -= time.monotonic() - started
        if status == "ok":
            return value
        raise RuntimeError(value)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def __del__(self) -> None:  # pragma: no cover - best effort at interpreter exit
        with contextlib.suppress(Exception):
            self.close()


class _Worker:
    """One forked process serving the programs of the table it inherited, by key."""

    def __init__(self, context: Any, programs: dict[int, Any]):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            try:
                _close_all_but(to_child_r, from_child_w)
                _limit_memory()
                _serve(context, programs, to_child_r, from_child_w)
            finally:
                os._exit(0)
        os.close(to_child_r)
        os.close(from_child_w)
        self.pid = pid

    def ask(self, key: int, seconds: float) -> tuple[str, Any]:
        try:
            os.write(self.to_child, _HEADER.pack(key))
        except OSError:  # the worker died since its last answer
            raise CelLimitExceeded("stopped: the CEL worker ran out of memory or crashed") from None
        deadline = time.monotonic() + seconds
        header = self._read(_HEADER.size, deadline)
        (length,) = _HEADER.unpack(header)
        return pickle.loads(self._read(length, deadline))

    def _read(self, count: int, deadline: float) -> bytes:
        parts: list[bytes] = []
        while count:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_child], [], [], left)[0]:
                raise CelLimitExceeded("stopped: the CEL evaluation took longer than its time limit")
            block = os.read(self.from_child, min(count, 1 << 20))
            if not block:
                raise CelLimitExceeded("stopped: the CEL evaluation ran out of memory or crashed")
            parts.append(block)
            count -= len(block)
        return b"".join(parts)

    def stop(self) -> None:
        for fd in (self.to_child, self.from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except OSError:
            pass


def _close_all_but(*keep: int) -> None:  # pragma: no cover - runs in the child
    """Drop inherited descriptors (the archive, other helpers' pipes): a pipe end held open
    here would keep its reader from ever seeing the end of it. stdout and stderr go to
    /dev/null: an allocation failure makes the CEL library print a backtrace before it aborts,
    and the user's terminal is the parent's."""
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)
    low = 3
    for fd in sorted(keep):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 16)


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[0])
        size = pages * os.sysconf("SC_PAGE_SIZE") + WORKER_EXTRA_BYTES
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    except (OSError, ValueError, ImportError):
        pass


def _serve(context: Any, programs: dict[int, Any], requests: int, answers: int) -> None:  # pragma: no cover
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    while True:
        header = _read_exactly(requests, _HEADER.size)
        if header is None:
            return
        (key,) = _HEADER.unpack(header)
        try:
            answer = ("ok", programs[key].execute(context))
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            return
        except Exception as exc:  # noqa: BLE001 - the parent reports it as the rule's error
            data = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
        os.write(answers, _HEADER.pack(len(data)))
        view = memoryview(data)
        while view:
            written = os.write(answers, view)
            view = view[written:]


def _read_exactly(fd: int, count: int) -> bytes | None:  # pragma: no cover - runs in the child
    parts: list[bytes] = []
    while count:
        block = os.read(fd, count)
        if not block:
            return None
        parts.append(block)
        count -= len(block)
    return b"".join(parts)
