"""JSON documents inside text that is not only JSON, and where their elements start.

Two artifact families need this beyond what :mod:`bundle_analyzer.parsers.jsondocs` offers for
ipamd's compact documents:

* ``cni-configuration-variables-*`` hold pretty-printed documents (``ctr container info``,
  ``docker inspect``) concatenated with stderr text between them;
* AWS CLI JSON pasted by users comes with the command line above it, sometimes with notes typed
  after a value (``"Description": "Amazon EKS demo", <-- cross-account ENI``).

:func:`scan_documents` finds the documents (a document starts where the text starts, right after
the previous document, or at a line whose first non-blank character is ``{``/``[``), keeps the
readable part of a truncated one and reports stray text. :func:`element_offsets` walks one
document's text to find where the elements under a key path begin, so that models can cite lines.
"""

from __future__ import annotations

import contextlib
import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from bundle_analyzer.parsers.jsondocs import _raw_decode as _decode
from bundle_analyzer.parsers.jsondocs import bounded_int, salvage_truncated_json

MAX_DOCUMENTS = 1000
MAX_ERRORS = 100
MAX_STRAY_BLOCKS = 50
MAX_REPAIRS = 50
MAX_ELEMENTS = 200_000
_RECOVERY_WINDOW = 64
_RECOVERY_ATTEMPTS = 32

_DECODER = json.JSONDecoder(parse_int=bounded_int)
_WS = re.compile(r"[ \t\r\n]*")
_LINE_START_DOC = re.compile(r"^([ \t]*)[{\[]", re.MULTILINE)
_BRACE = re.compile(r"[{\[]")


def skip_ws(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


class LineIndex:
    """Character offset -> 1-based line number, O(log n) per lookup."""

    def __init__(self, text: str) -> None:
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def line_at(self, pos: int) -> int:
        return bisect_right(self._newlines, pos - 1) + 1


@dataclass(frozen=True)
class FoundDocument:
    value: Any
    offset: int
    line: int
    complete: bool = True


@dataclass
class DocumentScan:
    text: str
    """The text the offsets refer to (with annotation repairs applied, line numbers unchanged)."""
    documents: list[FoundDocument] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    stray_text: list[tuple[int, str]] = field(default_factory=list)
    """``(line, first line)`` of each block of non-JSON text between or around the documents."""


def scan_documents(text: str, *, repair_annotations: bool = False) -> DocumentScan:
    """Find the JSON documents of ``text`` in order; see the module docstring.

    With ``repair_annotations``, text that follows a JSON value on the same line and breaks the
    document is dropped (up to :data:`MAX_REPAIRS` times) and reported, instead of losing the
    whole document.
    """
    if text.startswith("\ufeff"):
        text = " " + text[1:]
    scan = DocumentScan(text=text)
    lines = LineIndex(text)
    repairs = 0
    indent_limit: int | None = None
    pos = 0
    follows_document = True  # the start of the text counts as "right after a document"
    while True:
        start = skip_ws(scan.text, pos)
        if start >= len(scan.text):
            break
        if len(scan.documents) >= MAX_DOCUMENTS:
            scan.errors.append((lines.line_at(start), f"more than {MAX_DOCUMENTS} JSON documents; rest ignored"))
            break
        if len(scan.errors) >= MAX_ERRORS:
            scan.errors.append((lines.line_at(start), f"more than {MAX_ERRORS} errors; rest of the file ignored"))
            break
        if not (follows_document and scan.text[start] in "{["):
            candidate = _next_line_start(scan.text, pos, indent_limit)
            if candidate is None:
                _add_stray(scan, lines, pos, len(scan.text))
                break
            _add_stray(scan, lines, pos, candidate)
            start = candidate
        if indent_limit is None:
            indent_limit = start - (scan.text.rfind("\n", 0, start) + 1)
        while True:
            result = _decode(scan.text, start)
            if len(result) == 2 or not repair_annotations or repairs >= MAX_REPAIRS:
                break
            repaired = _cut_annotation(scan.text, start, result[2])
            if repaired is None:
                break
            error_line = lines.line_at(result[2])
            scan.text, cut = repaired
            # The cut keeps every newline, so line numbers stay those of the file as collected.
            lines = LineIndex(scan.text)
            repairs += 1
            scan.errors.append((error_line, f"ignored text after the JSON on this line: {cut[:80]!r}"))
        if len(result) == 2:
            value, end = result
            scan.documents.append(FoundDocument(value, start, lines.line_at(start)))
            pos = end
            follows_document = True
            continue
        _, message, error_pos = result
        next_start = _recover(scan.text, start, error_pos, indent_limit)
        segment_end = next_start if next_start is not None else len(scan.text)
        _record_failure(scan, lines, start, segment_end, message, error_pos, followed=next_start is not None)
        if next_start is None:
            break
        pos = next_start
        follows_document = True
    return scan


def _next_line_start(text: str, pos: int, indent_limit: int | None) -> int | None:
    for match in _LINE_START_DOC.finditer(text, pos):
        if indent_limit is None or len(match.group(1)) <= indent_limit:
            return match.end() - 1
    return None


def _add_stray(scan: DocumentScan, lines: LineIndex, start: int, end: int) -> None:
    chunk = scan.text[start:end]
    stripped = chunk.strip()
    if not stripped or len(scan.stray_text) >= MAX_STRAY_BLOCKS:
        return
    first_line = stripped.splitlines()[0].strip()
    offset = start + chunk.find(stripped[0])
    scan.stray_text.append((lines.line_at(offset), first_line[:200]))


def _cut_annotation(text: str, doc_start: int, error_pos: int) -> tuple[str, str] | None:
    """Drop the rest of the line at ``error_pos`` when JSON precedes it on that line."""
    if error_pos <= doc_start or error_pos >= len(text):
        return None
    line_start = text.rfind("\n", 0, error_pos) + 1
    line_end = text.find("\n", error_pos)
    line_end = len(text) if line_end < 0 else line_end
    cut = text[error_pos:line_end]
    if not cut.strip() or not text[line_start:error_pos].strip():
        return None
    return text[:error_pos] + text[line_end:], cut.strip()


def _recover(text: str, doc_start: int, error_pos: int, indent_limit: int | None) -> int | None:
    """Where the next document starts after a broken one, if anywhere.

    A document cut short and followed by a re-run's output breaks near the seam, so braces close to
    the error are tried first (the winner must parse past the error); otherwise the next line that
    starts a document at the first document's indentation.
    """
    if error_pos < 0:
        return _next_line_start(text, doc_start + 1, indent_limit)
    lo = max(doc_start + 1, error_pos - _RECOVERY_WINDOW)
    hi = min(len(text), error_pos + _RECOVERY_WINDOW)
    best: tuple[int, int] | None = None
    for attempts, match in enumerate(_BRACE.finditer(text, lo, hi)):
        if attempts >= _RECOVERY_ATTEMPTS:
            break
        result = _decode(text, match.start())
        if len(result) == 2 and result[1] > error_pos and (best is None or result[1] > best[1]):
            best = (match.start(), result[1])
    if best is not None:
        return best[0]
    return _next_line_start(text, max(doc_start + 1, error_pos), indent_limit)


def _record_failure(
    scan: DocumentScan, lines: LineIndex, start: int, end: int, message: str, error_pos: int, *, followed: bool
) -> None:
    text = scan.text
    doc_line = lines.line_at(start)
    if message == "nesting too deep":
        scan.errors.append((doc_line, f"JSON nested too deeply to read (document starting at line {doc_line})"))
        return
    segment_end = end
    while segment_end > start and text[segment_end - 1] in " \t\r\n":
        segment_end -= 1
    if followed:
        scan.errors.append(
            (doc_line, f"JSON document starting at line {doc_line} is cut short and followed by another one")
        )
    elif skip_ws(text, error_pos) >= len(text):
        scan.errors.append(
            (lines.line_at(max(segment_end - 1, start)), "truncated JSON: the document ends before it is complete")
        )
    else:
        column = error_pos - (text.rfind("\n", 0, error_pos) + 1) + 1
        scan.errors.append((lines.line_at(error_pos), f"invalid JSON at column {column}: {message}"))
    salvaged = salvage_truncated_json(text, start, segment_end)
    if salvaged is not None:
        scan.documents.append(FoundDocument(salvaged, start, doc_line, complete=False))


# --- element positions ----------------------------------------------------------------------


def element_offsets(text: str, start: int, path: tuple[str, ...]) -> list[int]:
    """Offsets of the values reached from the document at ``start`` by ``path``.

    ``"*"`` steps into every element of an array, any other step into that key of an object:
    ``("Reservations", "*", "Instances", "*")`` gives the start of every instance object. Works
    on the text of a complete document; returns what it found before any irregularity.
    """
    found: list[int] = []
    with contextlib.suppress(ValueError, IndexError, RecursionError, _Stop):
        _walk(text, start, path, found)
    return found


class _Stop(Exception):
    pass


def _skip_value(text: str, pos: int) -> int:
    _, end = _DECODER.raw_decode(text, pos)
    return end


def _walk(text: str, pos: int, path: tuple[str, ...], found: list[int]) -> int:
    pos = skip_ws(text, pos)
    if not path:
        if len(found) >= MAX_ELEMENTS:
            raise _Stop
        found.append(pos)
        return _skip_value(text, pos)
    step, rest = path[0], path[1:]
    opener = text[pos]
    if step == "*" and opener == "[":
        pos = skip_ws(text, pos + 1)
        if text[pos] == "]":
            return pos + 1
        while True:
            pos = skip_ws(text, _walk(text, pos, rest, found))
            if text[pos] == ",":
                pos += 1
                continue
            if text[pos] == "]":
                return pos + 1
            raise ValueError("malformed array")
    if step != "*" and opener == "{":
        pos = skip_ws(text, pos + 1)
        if text[pos] == "}":
            return pos + 1
        while True:
            key, pos = _DECODER.raw_decode(text, pos)
            pos = skip_ws(text, pos)
            if text[pos] != ":":
                raise ValueError("malformed object")
            pos = skip_ws(text, pos + 1)
            pos = _walk(text, pos, rest, found) if key == step else _skip_value(text, pos)
            pos = skip_ws(text, pos)
            if text[pos] == ",":
                pos = skip_ws(text, pos + 1)
                continue
            if text[pos] == "}":
                return pos + 1
            raise ValueError("malformed object")
    return _skip_value(text, pos)
