"""Small helpers shared by the networking parsers (line numbering, address shapes, family)."""

from __future__ import annotations

import gc
import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager

from bundle_analyzer.models.common import Problem

MAX_PROBLEMS = 100
# Record caps for line-oriented dumps: far above what a real node writes (a few thousand policy
# rules and routes; iptables of big kube-proxy clusters reach ~10^5 rules), low enough that a
# hostile 10^6-line file is cut before memory and the rule engine feel it.
MAX_IP_RULES = 25_000
MAX_ROUTES = 25_000
MAX_IPTABLES_RULES = 100_000
MAX_SYSCTLS = 200_000
MAX_METRIC_SAMPLES = 50_000
MAX_LINKS = 20_000
# Table ids are u32; names in rt_tables are short. Longer tokens are not converted (int() on a
# 5000-digit string raises, and on a 4000-digit one is slow).
MAX_TABLE_CHARS = 32


def cut_short(count: int, cap: int, what: str) -> str:
    """The problem text for a dump cut at its record cap (cited at the first line not read)."""
    return f"more than {cap} {what}: the rest of the file, from this line on, is not read ({count} kept)"


def table_token(text: str) -> str | None:
    """A routing table id/name as iproute2 prints it, normalised; None when it cannot be one."""
    from bundle_analyzer.models.routing import normalise_table

    token = text.strip()
    if not token or len(token) > MAX_TABLE_CHARS:
        return None
    if not token.isascii():
        return token  # a name from rt_tables; '²'.isdigit() is true but int('²') raises
    return normalise_table(token)


def numbered_lines(text: str) -> Iterator[tuple[int, str]]:
    """1-based line numbers that agree with ``grep -n``.

    ``str.splitlines`` also breaks on form feeds and Unicode separators, which would shift the
    numbers cited as evidence, so only ``\\n`` counts and a trailing ``\\r`` is dropped.
    """
    for index, raw in enumerate(text.split("\n"), start=1):
        yield index, raw.removesuffix("\r")


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
