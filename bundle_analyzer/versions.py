"""CNI version strings and version ranges (``>=1.9.0, <1.17.1``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = re.compile(r"v?(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<patch>\d+))?")
CLAUSE = re.compile(r"^\s*(?P<op>>=|<=|==|!=|>|<)?\s*(?P<version>v?\d+\.\d+(?:\.\d+)?)\s*$")


def parse_version(text: str | None) -> tuple[int, int, int] | None:
    """``v1.18.3-eksbuild.1`` → (1, 18, 3); anything without a version → None."""
    if not text:
        return None
    found = VERSION.search(text)
    if not found:
        return None
    return int(found["major"]), int(found["minor"]), int(found["patch"] or 0)


def format_version(version: tuple[int, int, int]) -> str:
    return "v{}.{}.{}".format(*version)


@dataclass(frozen=True)
class VersionRange:
    clauses: tuple[tuple[str, tuple[int, int, int]], ...]
    text: str

    def contains(self, version: tuple[int, int, int]) -> bool:
        return all(_compare(version, op, bound) for op, bound in self.clauses)


def parse_range(text: str) -> VersionRange:
    """Comma-separated clauses, all of which must hold; raises ValueError with the bad clause."""
    clauses = []
    for raw in text.split(","):
        if not raw.strip():
            continue
        found = CLAUSE.match(raw)
        if not found:
            raise ValueError(f"bad version clause {raw.strip()!r} (use e.g. '>=1.9.0, <1.17.1')")
        version = parse_version(found["version"])
        assert version is not None
        clauses.append((found["op"] or "==", version))
    if not clauses:
        raise ValueError("empty version range")
    return VersionRange(tuple(clauses), text)


def _compare(version: tuple[int, int, int], op: str, bound: tuple[int, int, int]) -> bool:
    return {
        ">=": version >= bound, "<=": version <= bound, ">": version > bound,
        "<": version < bound, "==": version == bound, "!=": version != bound,
    }[op]
