"""A loaded bundle: the typed, parsed contents of one input plus its inventory and node state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bundle_analyzer.artifacts import Kind
from bundle_analyzer.logs.events import LogEvent
from bundle_analyzer.models.common import Parsed, Problem
from bundle_analyzer.report.model import InventoryEntry, Layout, NodeInfo


class LoadedArtifact(BaseModel):
    """One parsed file (small artifacts are parsed whole)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    path: str
    kind: Kind
    parsed: Parsed[Any]


class LogHit(BaseModel):
    """A log event and the signature keys (``rule-id#n``, ``fact:…``) that matched its line."""

    event: LogEvent
    keys: tuple[str, ...]


class LogFile(BaseModel):
    """One scanned log stream: its size and the events that matched any signature."""

    path: str
    kind: Kind
    format: str
    lines: int
    size: int
    hits: list[LogHit] = Field(default_factory=list)
    hit_counts: dict[str, int] = Field(default_factory=dict)
    problems: list[Problem] = Field(default_factory=list)


class Bundle(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    path: str
    layout: Layout
    root_prefix: str = ""
    collector_version: str | None = None
    collected_at: datetime | None = None
    node: NodeInfo = Field(default_factory=NodeInfo)
    inventory: list[InventoryEntry] = Field(default_factory=list)
    archive_problems: list[str] = Field(default_factory=list)
    artifacts: list[LoadedArtifact] = Field(default_factory=list)
    logs: list[LogFile] = Field(default_factory=list)
    texts: dict[str, str] = Field(default_factory=dict)  # kind → text of its first file
    text_files: dict[str, str] = Field(default_factory=dict)  # path → text, every small text file
    state: Any = None  # bundle_analyzer.state.node.NodeState, set by load_bundle

    def all(self, kind: Kind) -> list[LoadedArtifact]:
        return [a for a in self.artifacts if a.kind == kind]

    def first(self, kind: Kind) -> Any | None:
        """The parsed model of the first readable artifact of this kind, if any."""
        for artifact in self.all(kind):
            if artifact.parsed.value is not None:
                return artifact.parsed.value
        return None

    def path_of(self, kind: Kind) -> str | None:
        found = self.all(kind)
        return found[0].path if found else None

    def has(self, kind: Kind) -> bool:
        """Present with usable content (parsed, or damaged but partly readable)."""
        if kind in {log.kind for log in self.logs}:
            return True
        if kind.value in self.texts:
            return True
        return any(a.parsed.value is not None for a in self.all(kind))
