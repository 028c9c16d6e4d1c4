"""Shared reading of the JSON bodies that ipamd and the collector leave in a bundle.

The introspection files are written with ``curl … >> file``, so one file can hold:

* one compact Go JSON document (the normal case), e.g. ``{"TotalIPs":10,"AssignedIPs":3,"ENIIPPools":{…}}``;
* several documents back to back (``}{``) when an aborted collector run left its output behind;
* a document cut short by ``curl --max-time 3`` (possibly followed by a complete one from a re-run);
* a plain-text error body such as ``Not Found`` or an HTML page, because curl runs without ``-f``.

:func:`scan_json_documents` finds every document, salvages the readable prefix of a truncated one
and reports where things went wrong; :func:`read_json_document` picks the document a single-document
parser should use (the last complete one) and turns the rest into :class:`Problem` s.

Time helpers for Go's ``time.Time`` JSON (RFC 3339 with 0–9 fractional digits, zero value
``0001-01-01T00:00:00Z``) and Unix-nanosecond counters also live here because every ipamd format
uses one or the other.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson

from bundle_analyzer.models.common import Problem

# A support bundle can be hostile; these caps keep the fallback paths linear and bounded.
MAX_DOCUMENTS = 256
MAX_SALVAGE_CHARS = 16 * 1024 * 1024
MAX_SALVAGE_DEPTH = 512
_RECOVERY_WINDOW = 64
_RECOVERY_ATTEMPTS = 32

ROOT_DOCUMENT_KEY = "AvailableCommands"


@dataclass(frozen=True)
class JsonDocument:
    """One JSON value found in a text, with the 1-based line where it starts."""

    value: Any
    line: int
    complete: bool = True


@dataclass
class JsonScan:
    """Everything :func:`scan_json_documents` found: documents in file order and located errors."""

    documents: list[JsonDocument] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def complete(self) -> list[JsonDocument]:
        return [doc for doc in self.documents if doc.complete]


class _LineIndex:
    """Maps character offsets to 1-based line numbers in O(log n) per lookup."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._newlines: list[int] | None = None

    def line_at(self, pos: int) -> int:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self._text)]
        return bisect_right(self._newlines, pos - 1) + 1


def _reject_constant(name: str) -> Any:
    # Go never writes NaN/Infinity; orjson rejects them too, so the fallback must agree.
    raise ValueError(f"invalid JSON constant {name}")


def bounded_int(text: str) -> int | float:
    """JSON integers: Go's are at most 20 digits. Longer ones become floats, as orjson reads them;
    ``int()`` on more than 4300 digits raises, and on a few thousand is slow."""
    return int(text) if len(text) <= 40 else float(text)


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_int=bounded_int)
_WS = re.compile(r"[ \t\r\n]*")
_CONSTANT = re.compile(r"NaN|-?Infinity")


def _skip_ws(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _raw_decode(text: str, pos: int) -> tuple[Any, int] | tuple[None, str, int]:
    """Decode one value at ``pos``; on failure return ``(None, message, error_pos)``."""
    try:
        value, end = _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError as exc:
        return None, exc.msg, exc.pos
    except RecursionError:
        return None, "nesting too deep", -1
    except ValueError as exc:  # NaN/Infinity rejected by _reject_constant, which knows no position
        found = _CONSTANT.search(text, pos)
        return None, str(exc), found.start() if found else pos
    return value, end


def scan_json_documents(text: str) -> JsonScan:
    """Find the JSON documents in ``text`` (concatenated, truncated or mixed with junk).

    Fast path: the whole text is one document (orjson). Otherwise a ``raw_decode`` loop walks
    the documents; after a failure it looks for the next document start near the failure point
    (a truncated document followed by a complete one from a re-run) and salvages the readable
    prefix of the failed one.
    """
    scan = JsonScan()
    if text.startswith("\ufeff"):
        text = text[1:]
    start = _skip_ws(text, 0)
    if start >= len(text):
        return scan
    lines = _LineIndex(text)
    try:
        scan.documents.append(JsonDocument(orjson.loads(text), lines.line_at(start)))
        return scan
    except orjson.JSONDecodeError:
        pass

    pos = start
    # Recovery attempts may each rescan text; cap their total so hostile input stays linear.
    budget = [8 * len(text) + 1_000_000]
    while pos < len(text):
        if len(scan.documents) + len(scan.errors) >= MAX_DOCUMENTS:
            scan.errors.append((lines.line_at(pos), f"more than {MAX_DOCUMENTS} JSON documents; rest ignored"))
            break
        result = _raw_decode(text, pos)
        if len(result) == 2:
            value, end = result
            scan.documents.append(JsonDocument(value, lines.line_at(pos)))
            pos = _skip_ws(text, end)
            continue
        _, message, error_pos = result
        next_start, next_value, next_end = _find_next_document(text, pos, error_pos, budget)
        failed_end = next_start if next_start is not None else len(text)
        _record_failure(scan, text, lines, pos, failed_end, message, error_pos, followed=next_start is not None)
        if next_start is None:
            break
        scan.documents.append(JsonDocument(next_value, lines.line_at(next_start)))
        pos = _skip_ws(text, next_end)
    return scan


def _find_next_document(text: str, doc_start: int, error_pos: int, budget: list[int]) -> tuple[int | None, Any, int]:
    """After a failed document, find a complete document that begins near the failure.

    A truncated document followed by a re-run's output breaks within a few characters of the
    seam, so only ``{``/``[`` within a small window around the error are tried. The winner must
    parse past the error point (nested objects of the broken document end before it) and, of
    those, reach furthest (objects nested in the next document end before it does).
    """
    if error_pos < 0:
        return None, None, 0
    lo = max(doc_start + 1, error_pos - _RECOVERY_WINDOW)
    hi = min(len(text), error_pos + _RECOVERY_WINDOW)
    best: tuple[int | None, Any, int] = (None, None, 0)
    attempts = 0
    for match in re.finditer(r"[{\[]", text[lo:hi]):
        if attempts >= _RECOVERY_ATTEMPTS or budget[0] <= 0:
            break
        attempts += 1
        candidate = lo + match.start()
        result = _raw_decode(text, candidate)
        reached = result[1] if len(result) == 2 else result[2]
        budget[0] -= max(reached, candidate) - candidate + 1
        if len(result) == 2 and result[1] > error_pos and result[1] > best[2]:
            best = (candidate, result[0], result[1])
    return best


def _record_failure(
    scan: JsonScan, text: str, lines: _LineIndex, start: int, end: int, message: str, error_pos: int, *, followed: bool
) -> None:
    segment_end = _skip_ws_back(text, end)
    doc_line = lines.line_at(start)
    if message == "nesting too deep":
        scan.errors.append((doc_line, f"JSON nested too deeply to read (document starting at line {doc_line})"))
        return
    at = min(max(error_pos, start), max(segment_end - 1, start))
    salvaged, clean_prefix = _salvage(text, start, segment_end)
    if followed:
        scan.errors.append((lines.line_at(at), f"JSON document starting at line {doc_line} is cut short and followed by another one"))
    elif clean_prefix:
        scan.errors.append((lines.line_at(segment_end - 1), "truncated JSON: the document ends before it is complete"))
    else:
        column = error_pos - (text.rfind("\n", 0, error_pos) + 1) + 1
        scan.errors.append((lines.line_at(error_pos), f"invalid JSON at column {column}: {message}"))
    if salvaged is not None:
        scan.documents.append(JsonDocument(salvaged, doc_line, complete=False))


def _skip_ws_back(text: str, end: int) -> int:
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def iter_json_documents(text: str) -> list[tuple[Any, int]]:
    """The complete JSON documents of ``text`` with their 1-based start lines, in file order."""
    return [(doc.value, doc.line) for doc in scan_json_documents(text).complete]


# --- salvage of a truncated document -------------------------------------------------------

_TOKEN = re.compile(r'[ \t\r\n]+|[{}\[\]:,]|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|[^ \t\r\n{}\[\]:,"]+')
_SCALAR = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null")

_VALUE, _VALUE_OR_END, _KEY_OR_END, _KEY, _COLON, _COMMA_OR_END, _DONE = range(7)


def salvage_truncated_json(text: str, start: int = 0, end: int | None = None) -> Any | None:
    """Close a cut-off JSON document after its last complete value and decode that.

    ``{"a":[1,2],"b":{"c":tr`` becomes ``{"a":[1,2],"b":{}}``. Returns ``None`` when nothing
    complete precedes the cut (or the text is not JSON at all). Linear in the segment length.
    """
    return _salvage(text, start, len(text) if end is None else end)[0]


def _salvage(text: str, start: int, end: int) -> tuple[Any | None, bool]:
    """Salvaged value, and whether the segment is a clean prefix of JSON (cut, not malformed)."""
    if end - start > MAX_SALVAGE_CHARS:
        return None, False
    # Frames form a linked list (closer, parent) so a snapshot of the stack costs O(1).
    stack: tuple[str, Any] | None = None
    depth = 0
    expect = _VALUE
    safe: tuple[int, tuple[str, Any] | None] | None = None
    pos = start
    clean_prefix = False
    while True:
        if pos >= end:
            clean_prefix = expect != _DONE
            break
        if expect == _DONE:
            break
        match = _TOKEN.match(text, pos, end)
        if match is None:
            # An unterminated string running to the cut.
            clean_prefix = text[pos] == '"' and "\n" not in text[pos:end]
            break
        token = match.group()
        nxt = match.end()
        first = token[0]
        if first in " \t\r\n":
            pos = nxt
            continue
        if first in "{[":
            if expect not in (_VALUE, _VALUE_OR_END) or depth >= MAX_SALVAGE_DEPTH:
                break
            stack = ("}" if first == "{" else "]", stack)
            depth += 1
            expect = _KEY_OR_END if first == "{" else _VALUE_OR_END
            safe = (nxt, stack)
        elif first in "}]":
            if stack is None or stack[0] != first:
                break
            allowed = (_KEY_OR_END, _COMMA_OR_END) if first == "}" else (_VALUE_OR_END, _COMMA_OR_END)
            if expect not in allowed:
                break
            stack = stack[1]
            depth -= 1
            expect, safe = _after_value(stack, nxt)
        elif first == ":":
            if expect != _COLON:
                break
            expect = _VALUE
        elif first == ",":
            if expect != _COMMA_OR_END or stack is None:
                break
            expect = _KEY if stack[0] == "}" else _VALUE
        elif first == '"':
            if expect in (_KEY_OR_END, _KEY):
                expect = _COLON
            elif expect in (_VALUE, _VALUE_OR_END):
                expect, safe = _after_value(stack, nxt)
            else:
                break
        else:
            # A scalar touching the cut may itself be cut (``12`` of ``123``, ``tru``).
            if expect not in (_VALUE, _VALUE_OR_END) or not _SCALAR.fullmatch(token) or nxt >= end:
                clean_prefix = nxt >= end and expect in (_VALUE, _VALUE_OR_END) and _is_scalar_prefix(token)
                break
            expect, safe = _after_value(stack, nxt)
        pos = nxt
    if safe is None:
        return None, clean_prefix
    cut, frames = safe
    closers = []
    while frames is not None:
        closers.append(frames[0])
        frames = frames[1]
    try:
        return orjson.loads(text[start:cut] + "".join(closers)), clean_prefix
    except orjson.JSONDecodeError:
        return None, clean_prefix


_SCALAR_PREFIX = re.compile(r"-?(?:0|[1-9][0-9]*)?(?:\.[0-9]*)?(?:[eE][+-]?[0-9]*)?")


def _is_scalar_prefix(token: str) -> bool:
    if any(word.startswith(token) for word in ("true", "false", "null")):
        return True
    return _SCALAR_PREFIX.fullmatch(token) is not None


def _after_value(stack: tuple[str, Any] | None, pos: int) -> tuple[int, tuple[int, Any]]:
    return (_DONE if stack is None else _COMMA_OR_END), (pos, stack)


# --- single-document reading for the ipamd parsers -----------------------------------------

_HTML = re.compile(r"\s*<(?:!doctype|html|head|body|\?xml)", re.IGNORECASE)


def error_body(text: str) -> str | None:
    """The text of a plain-text or HTML error answer collected instead of JSON, else ``None``.

    ipamd answers unknown or failing requests with ``Not Found`` / ``Internal Server Error``
    (Go ``http.Error``) or ``404 page not found`` (default mux); proxies answer HTML.
    """
    stripped = text.strip().lstrip("\ufeff")
    if not stripped or stripped[0] in '{["':
        return None
    if _SCALAR.fullmatch(stripped):
        return None
    if _HTML.match(stripped):
        return "HTML page"
    first_line = stripped.splitlines()[0]
    return first_line[:200]


@dataclass
class JsonRead:
    """The document a single-document parser should use, and what went wrong getting it."""

    value: Any = None
    line: int = 1
    complete: bool = True
    problems: list[Problem] = field(default_factory=list)


def read_json_document(text: str, path: str, what: str) -> JsonRead:
    """Pick the last complete document of ``text``; else the salvaged prefix of a truncated one.

    ``what`` names the expected content for messages (``"ENI dump"``). The caller handles empty
    input before calling. ``value`` is ``None`` when nothing usable was found (problems say why).
    """
    body = error_body(text)
    if body is not None:
        line = text[: len(text) - len(text.lstrip())].count("\n") + 1
        message = f"error body instead of the {what}: {body}"
        return JsonRead(line=line, complete=False, problems=[Problem(path=path, line=line, message=message)])
    scan = scan_json_documents(text)
    problems = [Problem(path=path, line=line, message=message) for line, message in scan.errors]
    complete = scan.complete
    if len(complete) > 1:
        used = complete[-1]
        problems.insert(
            0,
            Problem(
                path=path,
                line=used.line,
                message=f"{len(complete)} concatenated JSON documents (collector output appended with >>); using the last one",
            ),
        )
        return JsonRead(value=used.value, line=used.line, problems=problems)
    if complete:
        return JsonRead(value=complete[0].value, line=complete[0].line, problems=problems)
    partial = [doc for doc in scan.documents if not doc.complete]
    if partial:
        used = partial[-1]
        problems.append(Problem(path=path, line=used.line, message=f"kept the part of the {what} read before the cut; counts are partial"))
        return JsonRead(value=used.value, line=used.line, complete=False, problems=problems)
    if not problems:
        problems.append(Problem(path=path, line=1, message=f"no JSON document found ({what} expected)"))
    return JsonRead(complete=False, problems=problems)


def is_root_document(value: Any) -> bool:
    """True for ipamd's answer to an unknown path: ``{"AvailableCommands":[…]}``."""
    return isinstance(value, dict) and set(value) == {ROOT_DOCUMENT_KEY}


def json_type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


# --- time -----------------------------------------------------------------------------------

_GO_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s*(Z|z|UTC|[+-]\d{2}:?\d{2})"
)


def parse_go_time(value: str | None, *, strict: bool = False) -> datetime | None:
    """Parse Go's RFC 3339 time (0–9 fractional digits, ``Z`` or ``±hh:mm``/``±hhmm``) to aware UTC.

    The zero value ``0001-01-01T00:00:00Z`` means "unset" and gives ``None``. Digits beyond
    microseconds are dropped. ``1970-01-01T00:00:00Z`` (restored without timestamp) is returned
    as is. Malformed input gives ``None``, or raises ``ValueError`` when ``strict``.
    """
    if not isinstance(value, str):
        if strict:
            raise ValueError(f"not a time string: {value!r}")
        return None
    match = _GO_TIME.fullmatch(value.strip())
    if match is None:
        if strict:
            raise ValueError(f"not an RFC 3339 time: {value[:60]!r}")
        return None
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    if year == 1 and month == 1 and day == 1 and hour == 0 and minute == 0 and second == 0:
        return None
    fraction = (match.group(7) or "").ljust(6, "0")[:6]
    zone = match.group(8)
    try:
        if zone in ("Z", "z", "UTC"):
            tz: timezone = UTC
        else:
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        moment = datetime(year, month, day, hour, minute, second, int(fraction), tzinfo=tz)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        if strict:
            raise ValueError(f"not a valid time: {value[:60]!r}") from exc
        return None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_unix_nanos(value: int) -> datetime | None:
    """Unix nanoseconds (``allocationTimestamp``) to aware UTC; ``0`` means unknown (``None``).

    Raises ``ValueError`` when the value is not a non-negative int within datetime's range.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"not a Unix nanosecond timestamp: {value!r}")
    if value == 0:
        return None
    try:
        return _EPOCH + timedelta(microseconds=value // 1000)
    except OverflowError as exc:
        raise ValueError(f"timestamp out of range: {value}") from exc


# --- typed field access with located problems ---------------------------------------------

MAX_PROBLEMS = 50


class FieldReader:
    """Reads typed fields out of decoded JSON, turning every surprise into a capped Problem.

    ``partial`` (a salvaged truncated document) silences "missing field" problems: the cut
    already explains them.
    """

    def __init__(self, path: str, line: int, problems: list[Problem], *, partial: bool = False) -> None:
        self.path = path
        self.line = line
        self.problems = problems
        self.partial = partial
        self._count = 0

    def problem(self, message: str) -> None:
        self._count += 1
        if self._count <= MAX_PROBLEMS:
            self.problems.append(Problem(path=self.path, line=self.line, message=message))
        elif self._count == MAX_PROBLEMS + 1:
            self.problems.append(Problem(path=self.path, line=self.line, message="more problems of the same kind not listed"))

    def missing(self, key: str, where: str) -> None:
        if not self.partial:
            self.problem(f"{where}: field {key} missing")

    def obj(self, parent: dict[str, Any], key: str, where: str, *, required: bool = False) -> dict[str, Any]:
        """An object field; ``null`` (Go nil map) and absence read as ``{}``."""
        if key not in parent:
            if required:
                self.missing(key, where)
            return {}
        value = parent[key]
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(f"{where}: {key} is {json_type_name(value)}, expected an object")
            return {}
        return value

    def int_(self, parent: dict[str, Any], key: str, where: str, *, required: bool = False) -> int | None:
        if key not in parent:
            if required:
                self.missing(key, where)
            return None
        value = parent[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(f"{where}: {key} is {json_type_name(value)}, expected an integer")
            return None
        return value

    def bool_(self, parent: dict[str, Any], key: str, where: str, *, required: bool = False) -> bool | None:
        if key not in parent:
            if required:
                self.missing(key, where)
            return None
        value = parent[key]
        if not isinstance(value, bool):
            self.problem(f"{where}: {key} is {json_type_name(value)}, expected true/false")
            return None
        return value

    def str_(self, parent: dict[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
        if key not in parent:
            if required:
                self.missing(key, where)
            return None
        value = parent[key]
        if not isinstance(value, str):
            self.problem(f"{where}: {key} is {json_type_name(value)}, expected a string")
            return None
        return value

    def str_list(self, parent: dict[str, Any], key: str, where: str) -> list[str] | None:
        """A list of strings; ``null``/absent give ``None`` (Go nil slice = unset)."""
        value = parent.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problem(f"{where}: {key} is not a list of strings")
            return None
        return list(value)

    def time(self, parent: dict[str, Any], key: str, where: str) -> datetime | None:
        value = parent.get(key)
        if value is None:
            return None
        try:
            return parse_go_time(value, strict=True)
        except ValueError:
            self.problem(f"{where}: {key} is not an RFC 3339 time: {str(value)[:60]!r}")
            return None


# --- CNI version bounds ----------------------------------------------------------------------


def version_key(version: str) -> tuple[int, ...]:
    """Sort key for ``v1.20.3`` / ``v1.22.x`` (``x`` = any patch, sorts after every number)."""
    parts: list[int] = []
    for part in version.lstrip("v").split("."):
        parts.append(1 << 30 if part == "x" else int(part) if part.isdigit() else 0)
    return tuple(parts)


def narrow_versions(
    low: str | None, high: str | None, *, at_least: str | None = None, at_most: str | None = None
) -> tuple[str | None, str | None]:
    """Intersect an inclusive ``[low, high]`` range with a new lower and/or upper bound."""
    if at_least is not None and (low is None or version_key(at_least) > version_key(low)):
        low = at_least
    if at_most is not None and (high is None or version_key(at_most) < version_key(high)):
        high = at_most
    return low, high
