"""Hyperscan ahead of RE2: which lines of a block may hold a hit.

RE2 walks the combined alternation of a log kind's signatures at ~0.45 GB/s over a DEBUG
``ipamd.log`` (one hit every ~7 KB: pool stats with addresses in cooldown); Hyperscan, with
its SIMD literal matchers, finds the same lines at ~2 GB/s. It is only a prefilter: every
pattern is compiled with ``HS_FLAG_PREFILTER``, which may widen a pattern Hyperscan cannot
match exactly but never narrows it, and every candidate line is then matched by RE2 on its
own. So hits, keys and line numbers are RE2's whatever Hyperscan reports.

Why the superset holds for our line-local RE2 semantics (see :mod:`~bundle_analyzer.logs.scanner`):

* ``HS_FLAG_MULTILINE`` gives ``^``/``$`` the line meaning RE2's ``(?m)`` has in the scan;
* Hyperscan's ``\\s``, ``[^x]`` may match ``\\n`` where RE2's ``never_nl`` forbids it: wider;
* RE2 reads bytes as Latin-1, Hyperscan (without ``HS_FLAG_UTF8``) as bytes: the same, except
  for case folding of non-ASCII letters and ``\\p`` classes, so patterns with a non-ASCII byte
  or ``\\p``/``\\P`` keep the scanner on RE2 alone.

Hyperscan reports every end offset of every match: a pattern like ``id=\\d+`` reports once per
digit. A block whose reports exceed a budget is handed back (``None``) and searched by RE2,
so a pathological pattern costs what it cost before, never more.

Compiling is not free (a few ms to ~0.4 s per pattern set, hard to predict), so the scanner
builds a prefilter only for streams big enough to repay it (``LogScanner.prefilter_after``).
``CNIBUNDLE_HYPERSCAN=0`` turns it off, as does a missing ``hyperscan`` package (no wheel for
the platform): the scan is then RE2 alone, with the same results.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

try:
    import hyperscan
except ImportError:  # pragma: no cover - a dependency where wheels exist; RE2 alone elsewhere
    hyperscan = None

_NO_PREFILTER_ESCAPES = (b"\\p", b"\\P")
_FLAG_GROUP = re.compile(rb"\(\?[a-zA-Z-]+\)")
# Reports per block before the block goes back to RE2: a 1 MiB block of a DEBUG ipamd.log has
# ~150 hit lines; a pattern that reports at every byte would cost more than RE2's search.
_MIN_REPORT_BUDGET = 4096
_BYTES_PER_REPORT = 128


def available() -> bool:
    return hyperscan is not None and os.environ.get("CNIBUNDLE_HYPERSCAN", "").strip() != "0"


def suitable(pattern: bytes) -> bool:
    """Can Hyperscan stand in front of RE2 for this (capture-free) pattern?"""
    return pattern.isascii() and not any(escape in pattern for escape in _NO_PREFILTER_ESCAPES)


def looser(pattern: bytes) -> bytes:
    """What the prefilter searches for ``pattern``: the part after its last top-level ``.*``.

    A line that matches ``X.*Y`` holds a match of ``Y`` (and one of ``X.*`` a match of ``X``),
    so the prefilter stays a superset.
    Hyperscan's compile time grows sharply with sets of patterns that chain literals through
    ``.*`` (the shipped ``messages`` set: 0.4 s; searching only the tails: 0.01 s), while RE2
    checks each candidate line in about a microsecond. Patterns with a top-level ``|`` or an
    inline flag group (``(?i)``) are kept whole.
    """
    cuts: list[int] = []
    depth = 0
    in_class = False
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == 0x5C:  # backslash: the next byte is escaped
            i += 2
            continue
        if in_class:
            in_class = c != 0x5D
        elif c == 0x5B:
            in_class = True
            if pattern.startswith(b"^]", i + 1) or pattern.startswith(b"]", i + 1):
                i += 2 if pattern[i + 1] == 0x5D else 3  # a leading ] is a member, not the end
                continue
        elif c == 0x28:
            if _FLAG_GROUP.match(pattern, i):
                return pattern  # (?i) and friends reach past any cut: keep the pattern whole
            depth += 1
        elif c == 0x29:
            depth -= 1
        elif depth == 0 and c == 0x7C:
            return pattern
        elif depth == 0 and pattern.startswith(b".*", i) and not pattern.startswith(b".*?", i):
            cuts.append(i)
        i += 1
    end = n
    for cut in reversed(cuts):
        if cut + 2 < end:
            return pattern[cut + 2 : end]
        end = cut  # a trailing .* adds nothing to a search: drop it
    return pattern[:end] or pattern


class LinePrefilter:
    """A compiled Hyperscan database of one pattern set; build with :meth:`compile`."""

    __slots__ = ("_database", "_scratch")

    def __init__(self, database, scratch):
        self._database = database
        self._scratch = scratch

    @classmethod
    def compile(cls, patterns: Sequence[bytes]) -> LinePrefilter | None:
        """None when Hyperscan is missing or off, or cannot take one of the patterns."""
        if not patterns or not available() or not all(suitable(p) for p in patterns):
            return None
        patterns = [looser(p) for p in patterns]
        flags = hyperscan.HS_FLAG_MULTILINE | hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_ALLOWEMPTY
        try:
            database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            database.compile(expressions=list(patterns), ids=list(range(len(patterns))),
                             flags=[flags] * len(patterns))
            return cls(database, hyperscan.Scratch(database))
        except Exception:  # noqa: BLE001 - hyperscan.error and friends: RE2 searches alone
            return None

    def serialize(self) -> bytes:
        """The compiled database, for another process of the same machine (:meth:`load`)."""
        return hyperscan.dumpb(self._database)

    @classmethod
    def load(cls, blob: bytes) -> LinePrefilter | None:
        """A database :meth:`serialize` wrote in our own helper process; None if unusable."""
        if not available():
            return None
        try:
            database = hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK)
            return cls(database, hyperscan.Scratch(database))
        except Exception:  # noqa: BLE001 - RE2 searches alone
            return None

    def candidate_lines(self, buf: bytes, a: int, b: int) -> list[tuple[int, int]] | None:
        """``(start, end)`` of the lines of ``buf[a:b]`` (complete lines) that may hold a match,
        in order, the newline excluded; None when the reports ran over budget."""
        ends: list[int] = []
        budget = max(_MIN_REPORT_BUDGET, (b - a) // _BYTES_PER_REPORT)
        append = ends.append

        def on_match(_pattern: int, _start: int, end: int, _flags: int, _context: object) -> bool:
            append(end)
            return len(ends) > budget  # True stops the scan

        try:
            self._database.scan(memoryview(buf)[a:b], match_event_handler=on_match, scratch=self._scratch)
        except Exception:  # noqa: BLE001 - stopped over budget (ScanTerminated) or failed: RE2's turn
            return None
        if len(ends) > budget:
            return None
        if not ends:
            return []
        return _lines_at(buf, a, b, sorted(set(ends)))


def _lines_at(buf: bytes, a: int, b: int, ends: list[int]) -> list[tuple[int, int]]:
    """The lines holding the last byte of each match ending at ``a + end`` (ascending).

    A match whose last byte is a newline (Hyperscan's ``\\s`` may take one) or an empty match
    at a line start names two lines: the one the newline ends and the next; both are candidates.
    """
    rfind, find = buf.rfind, buf.find
    spans: list[tuple[int, int]] = []
    append = spans.append
    covered = a  # lines starting before this are candidates already
    for end in ends:
        pos = a + end
        last = pos - 1
        if last >= covered and buf[last] != 0x0A:  # the common case, inlined: ~30k per DEBUG log
            start = rfind(b"\n", covered, last) + 1 or covered
            stop = find(b"\n", last, b)
            stop = b if stop < 0 else stop
            append((start, stop))
            covered = stop + 1
            continue
        if last >= a and buf[last] != 0x0A:
            continue  # inside a line taken already
        if last >= covered:  # the line this newline ends (last >= a here: covered >= a)
            start = rfind(b"\n", covered, last) + 1 or covered
            append((start, last))
            covered = last + 1
        if covered <= pos < b:  # an empty match at the next line's start
            stop = find(b"\n", pos, b)
            stop = b if stop < 0 else stop
            append((pos, stop))
            covered = stop + 1
    return spans
