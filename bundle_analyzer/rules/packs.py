"""Where rules come from: the shipped pack, ``--rules`` directories, and installed packs.

Third-party packs register a directory under the ``cnibundle.rules`` entry-point group; the
entry point resolves to a path (or a callable returning one). Nothing else from a pack runs.
"""

from __future__ import annotations

from importlib import metadata, resources
from pathlib import Path


def default_rules_dir() -> Path:
    """The shipped pack: ``rules/`` in a source checkout, ``rules_pack`` in an installed wheel."""
    checkout = Path(__file__).resolve().parents[2] / "rules"
    if checkout.is_dir():
        return checkout
    return Path(str(resources.files("bundle_analyzer") / "rules_pack"))


def entry_point_dirs() -> list[Path]:
    found: list[Path] = []
    for entry in metadata.entry_points(group="cnibundle.rules"):
        target = entry.load()
        path = target() if callable(target) else target
        found.append(Path(str(path)))
    return found


def rule_sources(extra: list[Path] | None = None, *, default: bool = True, packs: bool = True) -> list[Path]:
    sources = [default_rules_dir()] if default else []
    if packs:
        sources.extend(entry_point_dirs())
    sources.extend(extra or [])
    return sources
