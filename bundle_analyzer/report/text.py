"""Making bundle-derived strings safe to show: every renderer cleans text with these first.

A log line can carry anything the node wrote: ANSI colour codes (``\\x1b[31m``), an OSC title
sequence, a carriage return that hides what came before it, bidi overrides that reorder what a
reader sees. None of that may reach a terminal, a ticket or a browser as control data.
"""

from __future__ import annotations

import re

# C0 controls except TAB/LF, DEL, C1 controls (U+0080-U+009F, where 0x9B is a one-byte CSI),
# and the Unicode bidi embedding/override/isolate marks ("Trojan Source").
_CONTROL_KEEP_NEWLINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_ALL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_WHITESPACE_RUN = re.compile(r"\s+")


def strip_controls(text: str) -> str:
    """Drop control characters but keep line breaks and tabs (for multi-line blocks)."""
    return _CONTROL_KEEP_NEWLINES.sub("", text.replace("\r\n", "\n"))


def one_line(text: str | None, limit: int | None = None) -> str:
    """One printable line: control characters gone, any whitespace run (newlines too) is one space.

    ``limit`` cuts long text and marks the cut with an ellipsis, so a 1 MB log line cannot
    flood a terminal or a table cell.
    """
    if not text:
        return ""
    if limit is not None and len(text) > limit * 4:
        # Cut before the regexes so a huge line costs no more than a short one.
        text = text[: limit * 4]
    cleaned = _WHITESPACE_RUN.sub(" ", _CONTROL_ALL.sub(lambda m: " " if m.group() in "\t\n\r" else "", text))
    cleaned = cleaned.strip()
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: max(limit - 1, 0)].rstrip() + "…"
    return cleaned


def location(path: str, line: int | None) -> str:
    """``path:line`` as editors and grep print it (path alone when the line is unknown)."""
    where = one_line(path)
    return f"{where}:{line}" if line else where
