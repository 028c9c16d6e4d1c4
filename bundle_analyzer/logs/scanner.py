"""Streaming multi-pattern scan of one log stream: which lines match which signatures.

The hot path of an analysis: a bundle holds about 1.4 GB of logs (ipamd.log, plugin.log,
their lumberjack backups, kubelet and containerd journals, container logs). Python cannot look
at every line — at ~4.4 s/GB per microsecond of per-line work, even a cheap ``split()`` loop
costs more than the decompression. So the scan stays in bytes:

* all patterns are compiled once into ONE RE2 alternation (linear time, no backtracking) and
  searched over 1 MiB buffers; only the lines that contain a match are cut out. Once a stream
  is big enough, a Hyperscan prefilter (:mod:`~bundle_analyzer.logs.prefilter`) finds the
  candidate lines ~4x faster and RE2 matches each of them: the results are RE2's either way;
* line numbers come from counting newlines up to each kept hit (numpy in the scan helper);
* for a hit line only, an ``re2.Set`` says which of the patterns matched it;
* the alternation carries no capturing groups (see :func:`without_captures`): with them RE2
  works out every submatch of a hit, ~5 µs per hit line on a frequent signature;
* each run of complete lines is searched by :func:`search_block`, which depends on its
  arguments only, and merged in stream order; so a helper process (``pool``, see
  :mod:`bundle_analyzer.logs.scan_pool`) can search some blocks on another core.

Input is any iterable of byte chunks of one decompressed stream, cut anywhere, e.g. ::

    {"level":"error","ts":"2024-01-10T20:47:01.002Z","caller":"ipamd/rpc_handler.go:233",
     "msg":"DataStore has no available IP/Prefix addresses"}\\n{"level":"debug",…

Semantics (identical for every way of cutting the stream into chunks):

* Patterns are RE2 syntax matched against one line at a time (``re.search`` per line): the
  line excludes its ``\\n`` and one trailing ``\\r`` (CRLF files); ``^``/``$`` are line anchors.
  A match never crosses a line: RE2's ``never_nl`` removes ``\\n`` from ``.``, ``[^x]``, ``\\s``.
  ``\\A``, ``\\z`` and ``\\C`` are refused (they would not be line-local).
* Bytes are matched as Latin-1 (``.`` is any byte), so invalid UTF-8 never hides a line; a
  non-ASCII literal in a pattern is matched as its UTF-8 bytes.
* A line longer than ``max_line_bytes`` (default 64 KiB) is cut: only its prefix is matched and
  kept (``LineHit.truncated``), the rest is skipped without being held in memory.
* At most ``max_hits_per_key`` hit lines are kept per pattern key; ``hit_counts`` stays exact.
* The last line may lack its newline (live log copied while written, ``timeout`` cut); it is
  scanned and counted and ``truncated_last_line`` is set.

Seelog (CNI <= v1.6.0) records continue on lines that do not start with a timestamp; given a
``record_start`` regex the scan attaches the first line of the record to a hit on such a
continuation line (``LineHit.record_head``), looking back at most a few hundred lines from
the hit, or to the previous hit line (kept or only counted), whose record start it then takes.
"""

from __future__ import annotations

import builtins
import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Protocol

import re2


from bundle_analyzer.logs.prefilter import LinePrefilter

MAX_LINE_BYTES = 64 * 1024
# Kept hit lines per pattern key and stream; counting stays exact past it. A rule reads at most a
# handful of events (8 evidence lines, 20 values per capture, min_count of a window), while a
# frequent signature (pool stats on a DEBUG ipamd.log) would otherwise keep ~1.5 KB per line.
MAX_HITS_PER_KEY = 1_000
MAX_HIT_BYTES = 256 * 1024 * 1024
FIRST_LINE_BYTES = 4096
CHUNK_BYTES = 1024 * 1024
# Compiling a Hyperscan prefilter costs up to ~0.4 s; RE2 searches ~20 MB in that time.
PREFILTER_AFTER_BYTES = 32 * 1024 * 1024
_DEFAULT = object()

# How far back (in lines) a continuation line looks for the start of its record.
_RECORD_LOOKBACK = 256
# RE2's budget for the compiled program and its DFA cache; the default (8 MiB) is easily
# exhausted by ~50 alternatives with `.*`, after which RE2 falls back to its slow NFA.
_RE2_MAX_MEM = 64 * 1024 * 1024

_KEYS_CACHE_SIZE = 4096

_NOT_LINE_LOCAL = re.compile(r"(?<!\\)(?:\\\\)*\\[AzC]")
_FIRST_CONTENT = re.compile(rb"[^\s\x00]")
_BLANK = b" \t\r\n\x0b\x0c\x00"


@dataclass(frozen=True)
class ScanPattern:
    """A signature to look for: a rule-defined key and an RE2 regex (named groups allowed).

    ``max_hits``: hit lines kept for this key, when fewer than the scanner's ``max_hits_per_key``
    will do (a fact read from a line logged on every plugin call); the count stays exact."""

    key: str
    regex: str
    max_hits: int | None = None


class PatternSetError(ValueError):
    """A pattern that cannot be used: says which key, the pattern and RE2's reason."""

    def __init__(self, key: str, regex: str, reason: str):
        self.key = key
        self.regex = regex
        self.reason = reason
        super().__init__(f"pattern {key!r} ({regex!r}): {reason}")


@dataclass(slots=True)
class LineHit:
    """One physical line that matched at least one pattern."""

    line: int  # 1-based
    raw: bytes  # the line without its line ending, at most max_line_bytes
    keys: tuple[str, ...]  # keys of the patterns that match this line, in pattern order
    truncated: bool = False  # the line was longer than max_line_bytes; raw is its prefix
    # For a continuation line (record_start given and not matching): the record's first line.
    record_line: int | None = None
    record_head: bytes | None = None


@dataclass(slots=True)
class ScanResult:
    """What one pass over one log stream found."""

    path: str
    lines: int = 0
    bytes: int = 0
    hits: list[LineHit] = field(default_factory=list)
    truncated_last_line: bool = False
    nul_bytes: int = 0
    # First line with content (not blank, not NUL padding), stripped, at most 4 KiB.
    first_line: builtins.bytes = b""
    hit_cap_reached: bool = False  # some hit lines were only counted, not kept
    hit_counts: dict[str, int] = field(default_factory=dict)  # lines per key, exact
    long_lines: int = 0  # lines cut at max_line_bytes


class _PublicMatch:
    """Same call shape as the extension's ``RE2.Match``, through the public API."""

    __slots__ = ("_regex",)

    def __init__(self, regex: re2._Regexp):
        self._regex = regex

    def __call__(self, _anchor: object, text: bytes, pos: int, endpos: int) -> list[tuple[int, int]]:
        m = self._regex.search(text, pos, endpos)
        return [(-1, -1)] if m is None else [m.span()]


def _low_level_match(regex: re2._Regexp):
    """The C++ ``Match`` skips building a Python match object: ~1 µs less per hit line."""
    low = getattr(getattr(regex, "_regexp", None), "Match", None)
    anchor = getattr(re2, "_Anchor", None)
    if low is None or anchor is None:
        return _PublicMatch(regex), None
    return low, anchor


def _options(*, never_capture: bool) -> re2.Options:
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    options.never_nl = True
    options.never_capture = never_capture
    options.log_errors = False
    options.max_mem = _RE2_MAX_MEM
    return options


def without_captures(regex: bytes) -> tuple[bytes, int]:
    """``regex`` with every capturing group made non-capturing, and how many were changed.

    The combined prefilter only needs match positions. Given capturing groups (even under
    ``never_capture``), the binding asks RE2 for every submatch of a hit, and RE2 then runs its
    NFA over the whole alternation: ~5 µs per hit line instead of ~1 µs. Groups do not change
    what matches in RE2 (no back-references), so dropping them keeps the semantics.
    Escapes (``\\(``, ``\\Q…\\E``) and character classes (``[(]``) are left alone.
    """
    out = bytearray()
    changed = 0
    i = 0
    n = len(regex)
    while i < n:
        c = regex[i]
        if c == 0x5C:  # backslash
            if regex.startswith(b"\\Q", i):
                end = regex.find(b"\\E", i + 2)
                end = n if end < 0 else end + 2
                out += regex[i:end]
                i = end
                continue
            out += regex[i : i + 2]
            i += 2
            continue
        if c == 0x5B:  # [ : a class runs to the first unescaped ] that is not its first member
            j = i + 1
            if j < n and regex[j] == 0x5E:  # ^
                j += 1
            if j < n and regex[j] == 0x5D:  # ] right at the start is a member
                j += 1
            while j < n and regex[j] != 0x5D:
                if regex[j] == 0x5C:
                    j += 2
                elif regex.startswith(b"[:", j):
                    end = regex.find(b":]", j + 2)
                    j = n if end < 0 else end + 2
                else:
                    j += 1
            out += regex[i : j + 1]
            i = j + 1
            continue
        if c == 0x28:  # (
            if regex.startswith(b"(?P<", i) or (regex.startswith(b"(?<", i) and not regex.startswith((b"(?<=", b"(?<!"), i)):
                end = regex.find(b">", i)
                if end < 0:
                    out += regex[i:]
                    break
                out += b"(?:"
                changed += 1
                i = end + 1
                continue
            if not regex.startswith(b"(?", i):
                out += b"(?:"
                changed += 1
                i += 1
                continue
        out.append(c)
        i += 1
    return bytes(out), changed


def _re2_reason(exc: Exception) -> str:
    reason = exc.args[0] if exc.args else str(exc)
    if isinstance(reason, bytes):
        reason = reason.decode("utf-8", "replace")
    return str(reason)


def _position_only(raw: bytes, groups: int) -> bytes:
    """The pattern without capturing groups, when the rewrite provably removed all of them."""
    stripped, changed = without_captures(raw)
    if changed != groups:
        return raw
    try:
        if re2.compile(stripped, _options(never_capture=False)).groups != 0:
            return raw
    except re2.error:
        return raw
    return stripped


def read_chunks(stream: IO[bytes], size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Chunks of a binary stream (a gzip or tar member), for :meth:`LogScanner.scan`."""
    while True:
        chunk = stream.read(size)
        if not chunk:
            return
        yield chunk


class LogScanner:
    """Compiled once per pattern set; :meth:`scan` may then be called for many streams."""

    def __init__(
        self,
        patterns: Sequence[ScanPattern],
        *,
        max_line_bytes: int = MAX_LINE_BYTES,
        max_hits_per_key: int = MAX_HITS_PER_KEY,
        max_hit_bytes: int = MAX_HIT_BYTES,
        prefilter_after: int | None | object = _DEFAULT,
    ):
        """``prefilter_after``: bytes searched here before a Hyperscan prefilter is compiled
        (0: at once; None: never; default :data:`PREFILTER_AFTER_BYTES`, read at each call),
        see :mod:`~bundle_analyzer.logs.prefilter`."""
        if prefilter_after is _DEFAULT:
            prefilter_after = PREFILTER_AFTER_BYTES
        if max_line_bytes < 1 or max_hits_per_key < 0 or max_hit_bytes < 0:
            raise ValueError("max_line_bytes must be positive, the other limits not negative")
        self.patterns = tuple(patterns)
        self.max_line_bytes = max_line_bytes
        self.max_hits_per_key = max_hits_per_key
        self.max_hit_bytes = max_hit_bytes
        self.keys = tuple(dict.fromkeys(p.key for p in self.patterns))
        self.key_caps = {p.key: min(p.max_hits, max_hits_per_key) for p in self.patterns if p.max_hits is not None}

        encoded: list[bytes] = []
        singles: list[re2._Regexp] = []
        for p in self.patterns:
            if _NOT_LINE_LOCAL.search(p.regex):
                raise PatternSetError(p.key, p.regex, r"\A, \z and \C are not line-local; use ^ and $")
            raw = p.regex.encode("utf-8")
            try:
                single = re2.compile(raw, _options(never_capture=False))
            except re2.error as exc:
                raise PatternSetError(p.key, p.regex, _re2_reason(exc)) from None
            singles.append(single)
            encoded.append(_position_only(raw, single.groups))
        self._singles = singles
        self._encoded = tuple(encoded)
        self.prefilter_after = prefilter_after
        self._prefilter: LinePrefilter | None = None
        self._prefilter_tried = False
        # A scan helper compiles it and sends it here (see scan_pool): wait for it a little longer.
        self.prefilter_elsewhere = False
        self._searched = 0  # bytes searched by RE2 alone, towards prefilter_after
        self._key_of = tuple(p.key for p in self.patterns)
        self._keys_cache: dict[tuple[int, ...], tuple[str, ...]] = {}

        self._match = None
        self._anchor = None
        self._set = None
        self._set_match = None
        if encoded:
            combined = b"(?m)" + b"|".join(b"(?:" + raw + b")" for raw in encoded)
            try:
                regex = re2.compile(combined, _options(never_capture=True))
            except re2.error as exc:
                raise PatternSetError("*", "<all patterns>", _re2_reason(exc)) from None
            match, anchor = _low_level_match(regex)
            self._match = match
            self._anchor = anchor.UNANCHORED if anchor is not None else None
            if len(encoded) > 1:
                pattern_set = re2.Set.SearchSet(_options(never_capture=True))
                try:
                    for raw in encoded:
                        pattern_set.Add(raw)
                    pattern_set.Compile()
                except re2.error as exc:
                    raise PatternSetError("*", "<all patterns>", _re2_reason(exc)) from None
                self._set = pattern_set
                # The extension's Set.Match directly: skips a wrapper call per hit line.
                low_set = getattr(getattr(pattern_set, "_set", None), "Match", None)
                self._set_match = low_set if low_set is not None else pattern_set.Match
        self._record_starts: dict[str, re2._Regexp] = {}

    def prefilter(self) -> LinePrefilter | None:
        """The Hyperscan prefilter, compiled once enough bytes were searched without it."""
        pre = self._prefilter
        if (pre is None and not self._prefilter_tried and self.prefilter_after is not None
                and self._searched >= self.prefilter_after * (2 if self.prefilter_elsewhere else 1)):
            self._prefilter_tried = True  # one try, whatever comes of it
            pre = self._prefilter = LinePrefilter.compile(self._encoded)
        return pre

    def adopt_prefilter(self, blob: bytes) -> None:
        """Take the prefilter a scan helper compiled for the same patterns (no second compile)."""
        if self._prefilter is None:
            self._prefilter = LinePrefilter.load(blob)
            self._prefilter_tried = True
        self.prefilter_elsewhere = False

    def serialized_prefilter(self) -> bytes | None:
        return self._prefilter.serialize() if self._prefilter is not None else None

    def _record_start(self, regex: str | None) -> re2._Regexp | None:
        if regex is None:
            return None
        compiled = self._record_starts.get(regex)
        if compiled is None:
            try:
                # (?m): matched at a line start inside a buffer, where a plain ^ never matches.
                compiled = re2.compile(b"(?m)" + regex.encode("utf-8"), _options(never_capture=True))
            except re2.error as exc:
                raise PatternSetError("record_start", regex, _re2_reason(exc)) from None
            self._record_starts[regex] = compiled
        return compiled

    def matching_keys(self, line: bytes) -> tuple[str, ...]:
        """Keys of the patterns that match one line (the per-line reference semantics)."""
        if self._set_match is not None:
            found = self._set_match(line)
            if found:
                return self._keys_for(tuple(found))
        # One search per pattern: also the fallback should the Set's DFA run out of memory.
        indices = tuple(i for i, rx in enumerate(self._singles) if rx.search(line) is not None)
        return self._keys_for(indices) if indices else ()

    def _keys_for(self, indices: tuple[int, ...]) -> tuple[str, ...]:
        keys = self._keys_cache.get(indices)
        if keys is None:
            keys = tuple(dict.fromkeys(self._key_of[i] for i in sorted(indices)))
            if len(self._keys_cache) < _KEYS_CACHE_SIZE:  # combinations of many patterns: bounded
                self._keys_cache[indices] = keys
        return keys

    def scan(
        self, chunks: Iterable[bytes], path: str, *, record_start: str | None = None, pool: BlockPool | None = None
    ) -> ScanResult:
        """One pass over a stream. ``record_start``: RE2 regex a record's first line matches.

        ``pool``: a helper that searches some blocks of lines in another process while this one
        reads and inflates; blocks are merged in stream order, so the result is the same.
        """
        if isinstance(chunks, (bytes, bytearray, memoryview)):
            chunks = (chunks,)
        if pool is not None and self._match is not None:
            pool.prepare(self)
        state = _Scan(self, path, record_start, pool)
        try:
            for chunk in chunks:
                if not isinstance(chunk, bytes):
                    chunk = bytes(chunk)
                state.feed(chunk)
            return state.finish()
        finally:
            state.abandon()


class BlockPool(Protocol):
    """Where blocks of complete lines can be searched while the caller goes on (see scan_pool)."""

    min_block: int
    max_block: int

    def has_room(self) -> bool: ...

    def prepare(self, scanner: LogScanner) -> None: ...

    def submit(
        self, scanner: LogScanner, data: bytes, capped: frozenset[str], record_start: str | None, start: int, end: int
    ) -> int | None: ...

    def result(self, ticket: int, *, wait: bool) -> Block | None: ...

    def forget(self, tickets: Iterable[int]) -> None: ...


# A searched block: (newlines, hits, skipped, end_head), see search_block. A record start is
# None, _INHERIT (the one in force before the block) or (line within the block, text).
_INHERIT = -1
Head = tuple[int, bytes] | int | None
BlockHit = tuple[int, tuple[str, ...], bytes, Head]
Block = tuple[int, list[BlockHit], dict[str, int], Head]
FAILED: Block = (-1, [], {}, None)  # a pool's answer when its helper is gone: search here instead


def search_block(
    scanner: LogScanner, buf: bytes, a: int, b: int, capped: frozenset[str], record_start: re2._Regexp | None
) -> Block:
    """Hits in ``buf[a:b]``: complete lines, each ending with ``\\n``, none longer than the cap.

    Depends on nothing but its arguments, so blocks can be searched anywhere in any order and
    merged afterwards (:meth:`_Scan._merge`). Returns ``(newlines, hits, skipped, end_head)``:

    * ``hits``: ``(line, keys, text, record)`` in order; ``line`` counts from 1 within the block,
      ``record`` is the start of the record a continuation line belongs to;
    * ``skipped``: per key, hit lines whose keys were all in ``capped`` (already kept enough):
      only counted;
    * ``end_head``: the record start in force after the block.

    Record starts are tracked at every hit line (each one moves the look-back floor), kept or not.
    """
    if buf.find(b"\r", a, b) >= 0:
        buf = buf[a:b].replace(b"\r\n", b"\n")
        a, b = 0, len(buf)
    match = scanner._match
    if match is None:
        return count_newlines(buf, a, b), [], {}, _INHERIT
    anchor = scanner._anchor
    set_match = scanner._set_match
    keys_cache = scanner._keys_cache
    only_keys = scanner._key_of  # the keys when there is a single pattern
    count = count_newlines
    starts = _line_start_test(record_start) if record_start is not None else None
    hits: list[BlockHit] = []
    skipped: dict[str, int] = {}
    all_capped: dict[tuple[str, ...], bool] = {}  # per keys tuple: a frequent line asks again and again
    head: Head = _INHERIT
    head_pos = a
    counted = a
    before = 0
    prefilter = scanner.prefilter()
    candidates = prefilter.candidate_lines(buf, a, b) if prefilter is not None else None
    if candidates is None:
        scanner._searched += b - a
        lines_found: Iterable[tuple[int, int]] = _matching_lines(match, anchor, buf, a, b)
    else:
        lines_found = candidates
    # The per-hit path is inlined: a frequent extractor (pool stats) hits every few lines.
    verify = candidates is not None  # the prefilter's lines may be no RE2 match at all
    for ls, le in lines_found:
        line = buf[ls:le]
        if set_match is None:
            if verify and match(anchor, line, 0, le - ls)[0][0] < 0:
                continue
            keys = only_keys
        else:
            found = set_match(line)
            keys = keys_cache.get(tuple(found)) if found else None
            if keys is None:
                if not found and verify and match(anchor, line, 0, le - ls)[0][0] < 0:
                    continue
                keys = scanner.matching_keys(line)
        if capped and (all_capped.get(keys) if keys in all_capped
                       else all_capped.setdefault(keys, all(key in capped for key in keys))):
            for key in keys:
                skipped[key] = skipped.get(key, 0) + 1
            if starts is None:
                continue  # only counted: no line number needed
            keep = False
        else:
            keep = True
        before += count(buf, counted, ls)
        counted = ls
        number = before + 1
        record: Head = None
        if starts is not None:
            if starts(buf, ls, le):
                head = (number, line)
            else:
                decided, record = _walk_back(starts, buf, head_pos, ls, number, head)
                head = record if decided else None
            head_pos = le + 1
        if keep:
            hits.append((number, keys, line, record))
    lines = before + count(buf, counted, b)
    if starts is None:
        return lines, hits, skipped, _INHERIT
    if head_pos < b:
        decided, found = _walk_back(starts, buf, head_pos, b, lines + 1, head)
        head = found if decided else None
    return lines, hits, skipped, head


_numpy = None  # set by use_numpy_counting()
_VECTOR_COUNT_BYTES = 64 * 1024


def use_numpy_counting() -> bool:
    """Count newlines with numpy from now on (~5x bytes.count on a cached block). Only the scan
    helper does: numpy costs a process ~15 MiB, and the helper searches most big blocks."""
    global _numpy
    try:
        import numpy
    except ImportError:
        return False
    _numpy = numpy
    return True


def count_newlines(buf: bytes, a: int, b: int) -> int:
    if _numpy is None or b - a < _VECTOR_COUNT_BYTES:
        return buf.count(b"\n", a, b)
    return int(_numpy.count_nonzero(_numpy.frombuffer(buf, _numpy.uint8, b - a, a) == 10))


def _matching_lines(match, anchor, buf: bytes, a: int, b: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each line of ``buf[a:b]`` the combined RE2 alternation matches."""
    rfind, find = buf.rfind, buf.find
    pos = a
    while pos < b:
        s = match(anchor, buf, pos, b)[0][0]
        if s < 0 or s >= b:
            return
        r = rfind(b"\n", pos, s)
        ls = pos if r < 0 else r + 1
        le = find(b"\n", s, b)
        pos = le + 1
        yield ls, le


def _line_start_test(regex: re2._Regexp):
    """``test(buf, s, e)``: does ``regex`` match at ``s`` (anchored) within ``buf[:e]``?

    The extension's ``Match`` directly: the public ``match`` builds a match object (~5 µs), and
    journal or plugin logs with a frequent hit ask this for every hit line."""
    low = getattr(getattr(regex, "_regexp", None), "Match", None)
    anchor = getattr(getattr(re2, "_Anchor", None), "ANCHOR_START", None)
    if low is None or anchor is None:
        return lambda buf, s, e: regex.match(buf, s, e) is not None
    return lambda buf, s, e: low(anchor, buf, s, e)[0][0] >= 0


def _walk_back(
    starts, buf: bytes, floor: int, end: int, line_no: int, current: Head
) -> tuple[bool, Head]:
    """Look for a record start among the lines ending before ``end`` and after ``floor``.

    Returns (decided, head): decided is False when the look-back limit was hit first; a walk
    that reaches the floor keeps ``current``.
    """
    e = end - 1  # the newline ending the previous line
    steps = 0
    while e >= floor and e > -1:
        if steps >= _RECORD_LOOKBACK:
            return False, None
        r = buf.rfind(b"\n", floor, e)
        s = floor if r < 0 else r + 1
        steps += 1
        if starts(buf, s, e):
            return True, (line_no - steps, buf[s:e])
        e = s - 1
    return True, current


@dataclass(slots=True)
class _Pending:
    """One step of a stream not merged yet: a searched block, a block out in the pool, or a
    correction of the line count (over-long lines), applied strictly in stream order."""

    block: Block | None = None
    ticket: int | None = None
    data: bytes = b""  # the pool's block is data[start:end], searched here should its helper fail
    start: int = 0
    end: int = 0
    truncated: bool = False
    adjust: int = 0


class _Scan:
    """The mutable state of one :meth:`LogScanner.scan` call."""

    def __init__(self, scanner: LogScanner, path: str, record_start: str | None, pool: BlockPool | None):
        self.scanner = scanner
        self.cap = scanner.max_line_bytes
        self.result = ScanResult(path=path, hit_counts=dict.fromkeys(scanner.keys, 0))
        self.lines = 0
        self.carry = bytearray()
        self.skipping = False  # inside the unkept tail of an over-long line
        self.first_line: bytes | None = None
        self.hit_bytes = 0
        self.record_start_text = record_start
        self.record_start = scanner._record_start(record_start)
        self.head: tuple[int, bytes] | None = None  # record start in force after the merged blocks
        self.pool = pool if scanner._match is not None else None
        self.pending: deque[_Pending] = deque()

    # -- framing: chunks -> ranges of complete lines, none longer than cap --------------

    def feed(self, chunk: bytes) -> None:
        n = len(chunk)
        if not n:
            return
        res = self.result
        res.bytes += n
        if b"\x00" in chunk:  # memchr: far cheaper than counting when there are none
            res.nul_bytes += chunk.count(b"\x00")
        cap = self.cap
        start = 0
        if self.skipping:
            nl = chunk.find(b"\n")
            if nl < 0:
                return
            self.skipping = False
            self._adjust(1)  # the over-long line ends here; its prefix was scanned already
            start = nl + 1
        elif self.carry:
            nl = chunk.find(b"\n")
            carry = self.carry
            if nl < 0:
                if len(carry) + n > cap:
                    carry += memoryview(chunk)[: cap + 1 - len(carry)]
                    self._long_prefix(bytes(carry[:cap]), ended=False)
                    self.carry = bytearray()
                else:
                    carry += chunk
                return
            if len(carry) + nl > cap:
                carry += memoryview(chunk)[: max(0, cap - len(carry))]
                self._long_prefix(bytes(carry[:cap]), ended=True)
            else:
                carry += memoryview(chunk)[: nl + 1]
                line = bytes(carry)
                self._scan_range(line, 0, len(line), False)
            self.carry = bytearray()
            start = nl + 1
        if start >= n:
            return
        last = chunk.rfind(b"\n", start)
        if last >= 0:
            self._scan_block(chunk, start, last + 1)
            start = last + 1
        tail = n - start
        if tail > cap:
            self._long_prefix(chunk[start : start + cap], ended=False)
        elif tail:
            self.carry += memoryview(chunk)[start:]

    def finish(self) -> ScanResult:
        res = self.result
        if self.skipping:
            self._adjust(1)
            res.truncated_last_line = True
        elif self.carry:
            line = bytes(self.carry) + b"\n"
            self.carry = bytearray()
            self._scan_range(line, 0, len(line), False)
            res.truncated_last_line = True
        self._drain(wait=True)
        res.lines = self.lines
        res.first_line = self.first_line or b""
        cap_hits, caps = self.scanner.max_hits_per_key, self.scanner.key_caps
        if any(count > caps.get(key, cap_hits) for key, count in res.hit_counts.items()):
            res.hit_cap_reached = True
        return res

    def abandon(self) -> None:
        """Blocks still out in the pool when the stream ends in an error are not waited for."""
        if self.pool is not None and self.pending:
            self.pool.forget(p.ticket for p in self.pending if p.ticket is not None)
        self.pending.clear()

    def _long_prefix(self, prefix: bytes, *, ended: bool) -> None:
        """Scan the kept prefix of an over-long line as a line of its own."""
        self.result.long_lines += 1
        line = prefix + b"\n"
        self._scan_range(line, 0, len(line), True)
        if not ended:
            # Counted when its newline (or the end of the stream) is reached.
            self._adjust(-1)
            self.skipping = True

    def _scan_block(self, buf: bytes, a: int, b: int) -> None:
        """``buf[a:b]`` holds complete lines; set lines longer than cap apart first."""
        cap = self.cap
        if b - a <= cap + 1:
            self._scan_range(buf, a, b, False)
            return
        # Every line longer than cap contains a whole aligned window of cap//2 bytes without
        # a newline, so probing one window per cap//2 bytes finds them all in ~no time.
        width = max(1, cap // 2)
        seg = a
        p = a
        while p + width <= b:
            if buf.find(b"\n", p, p + width) >= 0:
                p += width
                continue
            r = buf.rfind(b"\n", a, p)
            ls = a if r < 0 else r + 1
            le = buf.find(b"\n", p + width, b)
            if le - ls > cap:
                if ls > seg:
                    self._scan_range(buf, seg, ls, False)
                self._long_prefix(buf[ls : ls + cap], ended=True)
                seg = le + 1
            p = le + 1
        if seg < b:
            self._scan_range(buf, seg, b, False)

    # -- the search, here or in the pool, merged in order --------------------------------

    def _scan_range(self, buf: bytes, a: int, b: int, truncated: bool) -> None:
        """``buf[a:b]``: complete lines (each ends with \\n), none longer than cap."""
        if self.first_line is None:
            self._find_first_line(buf, a, b)
        capped = self._capped()
        pool = self.pool
        while pool is not None and b - a >= pool.min_block and pool.has_room():
            end = b if b - a <= pool.max_block else buf.rfind(b"\n", a, a + pool.max_block) + 1
            if end <= a:
                break
            ticket = pool.submit(self.scanner, buf, capped, self.record_start_text, a, end)
            if ticket is None:
                break
            self.pending.append(_Pending(ticket=ticket, data=buf, start=a, end=end, truncated=truncated))
            a = end
        if a >= b:
            self._drain(wait=False)
            return
        block = search_block(self.scanner, buf, a, b, capped, self.record_start)
        if self.pending:
            self.pending.append(_Pending(block=block, truncated=truncated))
            self._drain(wait=False)
        else:
            self._merge(block, truncated)

    def _adjust(self, delta: int) -> None:
        if self.pending:
            self.pending.append(_Pending(adjust=delta))
        else:
            self.lines += delta

    def _capped(self) -> frozenset[str]:
        cap, caps = self.scanner.max_hits_per_key, self.scanner.key_caps
        return frozenset(key for key, n in self.result.hit_counts.items() if n >= caps.get(key, cap))

    def _drain(self, *, wait: bool) -> None:
        pending = self.pending
        while pending:
            step = pending[0]
            if step.ticket is not None:
                block = self.pool.result(step.ticket, wait=wait)
                if block is None:
                    return  # still being searched
                if block is FAILED or block[0] < 0:
                    block = search_block(self.scanner, step.data, step.start, step.end, self._capped(),
                                         self.record_start)
                step.block = block
            pending.popleft()
            if step.block is None:
                self.lines += step.adjust
            else:
                self._merge(step.block, step.truncated)

    def _merge(self, block: Block, truncated: bool) -> None:
        """Apply a searched block after everything before it: counts, caps, line numbers."""
        lines, hits, skipped, end_head = block
        base = self.lines
        res = self.result
        counts = res.hit_counts
        for key, n in skipped.items():
            counts[key] += n
        cap_hits, caps = self.scanner.max_hits_per_key, self.scanner.key_caps
        max_hit_bytes = self.scanner.max_hit_bytes
        carried = self.head
        for number, keys, line, record in hits:
            keep = False
            for key in keys:
                n = counts[key] + 1
                counts[key] = n
                if n <= (caps.get(key, cap_hits) if caps else cap_hits):
                    keep = True
            if not keep:
                continue
            if self.hit_bytes + len(line) > max_hit_bytes:
                res.hit_cap_reached = True
                continue
            self.hit_bytes += len(line)
            hit = LineHit(base + number, line, keys, truncated)
            if isinstance(record, tuple):
                hit.record_line, hit.record_head = base + record[0], record[1]
            elif record == _INHERIT and carried is not None:
                hit.record_line, hit.record_head = carried
            res.hits.append(hit)
        if self.record_start is not None:
            if isinstance(end_head, tuple):
                self.head = (base + end_head[0], end_head[1])
            elif end_head is None:
                self.head = None
        self.lines = base + lines

    def _find_first_line(self, buf: bytes, a: int, b: int) -> None:
        m = _FIRST_CONTENT.search(buf, a, b)
        if m is None:
            return
        s = m.start()
        le = buf.find(b"\n", s, b)
        self.first_line = buf[s : min(le, s + FIRST_LINE_BYTES)].rstrip(_BLANK)
