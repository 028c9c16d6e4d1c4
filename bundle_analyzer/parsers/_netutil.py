"""Small helpers shared by the networking parsers (line numbering, address shapes, family)."""

from __future__ import annotations

import gc
import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager

from bundle_analyzer.models.common import Problem

MAX_PROBLEMS = 100


def numbered_lines(text: str) -> Iterator[tuple[int, str]]:
    """1-based line numbers that agree with ``grep -n``.

    ``str.splitlines`` also breaks on form feeds and Unicode separators, which would shift the
    numbers cited as evidence, so only ``\\n`` counts and a trailing ``\\r`` is dropped.
    """
    for index, raw in enumerate(text.split("\n"), start=1):
        yield index, raw[:-1] if raw.endswith("\r") else raw


def parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """An address or CIDR as a network (host bits allowed); None if it is not one."""
    if not text or len(text) > 64:
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def looks_like_address(text: str) -> bool:
    return parse_network(text) is not None


def family_from_path(path: str) -> int | None:
    """``ip6rule.txt``, ``ip6route.txt``, ``ip6tables-save.txt`` -> 6; other known names -> None."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if name.startswith("ip6") or "6rule" in name or "6route" in name:
        return 6
    return None


def mask_to_prefix(mask: str) -> int | None:
    """``255.255.255.0`` -> 24; None for anything that is not a contiguous IPv4 netmask."""
    try:
        return ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen
    except ValueError:
        return None


def small_int(text: str | None, *, max_digits: int = 20) -> int | None:
    """A non-negative ASCII decimal, or None (``int()`` alone accepts '²' and huge strings)."""
    if not text or len(text) > max_digits or not text.isascii() or not text.isdigit():
        return None
    return int(text)


def c_int(text: str | None, *, max_chars: int = 20) -> int | None:
    """A C-style number as printed by ``%#x``/``%u`` (``0x80``, ``128``), or None."""
    if not text or len(text) > max_chars or not text.isascii():
        return None
    try:
        return int(text, 16) if text[:2].lower() == "0x" else int(text, 10)
    except ValueError:
        return None


class ProblemLog:
    """Problems of one file, capped so that a hostile 10^6-line file cannot bloat the report."""

    def __init__(self, path: str, cap: int = MAX_PROBLEMS) -> None:
        self.path = path
        self.cap = cap
        self._items: list[Problem] = []
        self._dropped = 0

    def add(self, line: int | None, message: str) -> None:
        if len(self._items) < self.cap:
            self._items.append(Problem(path=self.path, line=line, message=message))
        else:
            self._dropped += 1

    def __bool__(self) -> bool:
        return bool(self._items)

    def result(self) -> list[Problem]:
        if not self._dropped:
            return list(self._items)
        summary = Problem(path=self.path, message=f"{self._dropped} further problems not listed")
        return [*self._items, summary]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector while building millions of acyclic objects.

    A 10^6-rule iptables dump allocates several million lists and models; CPython's collector
    keeps rescanning them and doubles the parse time although none of them can form a cycle.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
