"""Vocabulary shared by every stage: severities, statuses, evidence and parse outcomes.

Parsers never raise on bad content. They return a :class:`Parsed` holding what could be read,
a status and the problems found (path, line, what), so that a damaged file is listed as
damaged and the rest of the bundle is still analysed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Severity(StrEnum):
    critical = "critical"
    error = "error"
    warning = "warning"
    info = "info"

    @property
    def rank(self) -> int:
        """Higher is worse; used for sorting and for ``--fail-on``."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.info: 1, Severity.warning: 2, Severity.error: 3, Severity.critical: 4}


class ArtifactStatus(StrEnum):
    """What became of one member of the bundle (the report's inventory)."""

    parsed = "parsed"
    empty = "empty"
    damaged = "damaged"
    unrecognised = "unrecognised"
    skipped = "skipped"


class Problem(BaseModel):
    """Something wrong in an input file, located as precisely as the parser can."""

    model_config = ConfigDict(frozen=True)

    path: str
    line: int | None = None
    message: str


class SourceRef(BaseModel):
    """A line of the bundle that supports a fact or a finding."""

    model_config = ConfigDict(frozen=True)

    path: str
    line: int | None = None
    excerpt: str | None = None
    timestamp: datetime | None = None


class Parsed(BaseModel, Generic[T]):
    """The outcome of parsing one file: the model (possibly partial), a status, the problems."""

    value: T | None = None
    status: ArtifactStatus = ArtifactStatus.parsed
    problems: list[Problem] = Field(default_factory=list)

    @property
    def detail(self) -> str:
        """One line for the inventory: the first problem, and how many more."""
        if not self.problems:
            return ""
        first = self.problems[0]
        where = f"line {first.line}: " if first.line else ""
        more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        return f"{where}{first.message}{more}"


def decode_text(data: bytes) -> str:
    """Bundle text is mostly UTF-8; bad bytes become U+FFFD instead of failing the file."""
    return data.decode("utf-8", errors="replace")


def outcome(path: str, value: T | None, problems: list[Problem], *, empty: bool = False) -> Parsed[T]:
    """Pick the status from what the parser saw: nothing, something with problems, or clean."""
    if empty:
        return Parsed(value=value, status=ArtifactStatus.empty, problems=problems)
    status = ArtifactStatus.damaged if problems else ArtifactStatus.parsed
    return Parsed(value=value, status=status, problems=problems)
