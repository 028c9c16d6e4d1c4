"""Containment checks for member names and links.

Nothing is ever extracted, so a hostile name cannot write anywhere; these checks still refuse
such archives outright, because a bundle that carries them was not made by a collector and its
contents cannot be trusted to mean what their names say (cf. sos#4460, the link-then-file trick).
"""

from __future__ import annotations

import posixpath

from bundle_analyzer.errors import BundleRefused


def normalise_member_name(raw: str) -> str:
    """Archive name → bundle path: drop a leading ``./``, collapse ``//``; refuse escapes.

    >>> normalise_member_name("./ipamd/enis.json")
    'ipamd/enis.json'
    >>> normalise_member_name("var/log/aws-routed-eni/")
    'var/log/aws-routed-eni'
    """
    name = raw.replace("\\", "/")
    if "\x00" in name:
        raise BundleRefused(f"refused: member name contains a NUL byte: {name!r}")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise BundleRefused(f"refused: member with an absolute path: {raw}")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise BundleRefused(f"refused: member path escapes the bundle with '..': {raw}")
    return "/".join(parts)


def link_stays_inside(member_path: str, target: str) -> bool:
    """Whether a symlink at ``member_path`` pointing to ``target`` resolves inside the bundle."""
    if target.startswith("/"):
        return False
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(member_path), target))
    return not (resolved == ".." or resolved.startswith("../"))


def is_collector_container_log_link(member_path: str, target: str) -> bool:
    """Collector 0.6.0–0.6.1 archived ``/var/log/containers`` symlinks as they were (pitfall #2).

    They point at ``/var/log/pods/…`` on the node and dangle in the bundle. They are evidence
    of the collector version, not an attack: list them as skipped instead of refusing the bundle.
    """
    return member_path.startswith(("var_log/", "var/log/")) and target.startswith("/var/log/")


class LinkGuard:
    """Remembers symlink members so that a later member *through* one of them is refused."""

    def __init__(self) -> None:
        self._links: set[str] = set()

    def add_link(self, path: str) -> None:
        self._links.add(path)

    def check_parent(self, path: str) -> None:
        parent = posixpath.dirname(path)
        while parent:
            if parent in self._links:
                raise BundleRefused(f"refused: member {path} lies under the symlink member {parent}")
            parent = posixpath.dirname(parent)
