"""Members of a bundle as the rest of the pipeline sees them: a normalised path and a byte stream."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

CHUNK = 1 << 20  # 1 MiB: large enough that per-chunk Python overhead vanishes, small enough to stay bounded


class MemberType(StrEnum):
    file = "file"
    directory = "directory"
    symlink = "symlink"
    hardlink = "hardlink"


@dataclass
class Member:
    """One entry of an archive or directory.

    ``path`` is the name as the archive gives it, without a leading ``./`` (the contract's
    evidence path). ``chunks`` yields the content (already gunzipped for ``*.gz`` members when
    ``gunzipped`` is set); it can be consumed once.
    """

    path: str
    type: MemberType
    size: int
    mtime: datetime | None = None
    link_target: str | None = None
    chunks: Callable[[], Iterator[bytes]] | None = None
    gunzipped: bool = False
    read_problems: list[str] = field(default_factory=list)
