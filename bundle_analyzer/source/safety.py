"""Containment checks for member names and links.

Nothing is ever extracted, so a hostile name cannot write anywhere; these checks still refuse
such archives outright, because a bundle that carries them was not made by a collector and its
contents cannot be trusted to mean what their names say (cf. sos#4460, the link-then-file trick).
"""

from __future__ import annotations

import posixpath
import re

from bundle_analyzer.errors import BundleRefused

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MAX_SHOWN = 200
# Symlink chains longer than this are refused rather than resolved (the kernel's own limit is 40).
MAX_LINK_HOPS = 40


def shown(name: str) -> str:
    """A member name safe to print on a terminal: control characters escaped, length bounded.

    >>> shown("a\x1b[2Jb")
    'a\\x1b[2Jb'
    """
    text = _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), name)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


def normalise_member_name(raw: str) -> str:
    """Archive name → bundle path: drop a leading ``./``, collapse ``//``; refuse escapes.

    >>> normalise_member_name("./ipamd/enis.json")
    'ipamd/enis.json'
    >>> normalise_member_name("var/log/aws-routed-eni/")
    'var/log/aws-routed-eni'
    """
    name = raw.replace("\\", "/")
    if "\x00" in name:
        raise BundleRefused(f"refused: member name contains a NUL byte: {shown(name)}")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise BundleRefused(f"refused: member with an absolute path: {shown(raw)}")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise BundleRefused(f"refused: member path escapes the bundle with '..': {shown(raw)}")
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
    return (member_path.startswith(("var_log/", "var/log/"))
            and posixpath.normpath(target).startswith("/var/log/"))


class LinkGuard:
    """Remembers symlink members: a later member *through* or *onto* one of them is refused, and
    so is a link that leaves the bundle only when resolved through another link (``a -> .``,
    ``b -> a/..``: textually inside, physically outside)."""

    def __init__(self) -> None:
        self._links: dict[str, str] = {}  # member path -> target, for links that stay inside

    def add_link(self, path: str, target: str | None = None) -> None:
        if path in self._links:
            raise BundleRefused(f"refused: a second symlink member replaces {shown(path)}")
        if target is None or target.startswith("/"):
            self._links[path] = ""
            return
        self._links[path] = target
        # Order matters to an extractor, not to us: re-resolve every link once the set grows,
        # but only while it is small enough that doing so stays cheap.
        candidates = self._links if len(self._links) <= 256 else {path: target}
        for link, link_target in candidates.items():
            if link_target and not self._resolves_inside(link, link_target):
                raise BundleRefused(
                    f"refused: symlink {shown(link)} points outside the bundle through other links ({shown(link_target)})"
                )

    def check_parent(self, path: str) -> None:
        if path in self._links:
            raise BundleRefused(f"refused: member {shown(path)} replaces the symlink member of the same name")
        parent = posixpath.dirname(path)
        while parent:
            if parent in self._links:
                raise BundleRefused(f"refused: member {shown(path)} lies under the symlink member {shown(parent)}")
            parent = posixpath.dirname(parent)

    def _resolves_inside(self, link: str, target: str) -> bool:
        """Walk ``target`` component by component from the link's directory, following links."""
        pending = [p for p in target.split("/") if p not in ("", ".")]
        here = [p for p in posixpath.dirname(link).split("/") if p]
        hops = 0
        while pending:
            part = pending.pop(0)
            if part == "..":
                if not here:
                    return False
                here.pop()
                continue
            here.append(part)
            followed = self._links.get("/".join(here))
            if followed is None:
                continue
            hops += 1
            if hops > MAX_LINK_HOPS or followed == "":
                return False  # a loop, or through an absolute link: out of the bundle
            here.pop()
            pending = [p for p in followed.split("/") if p not in ("", ".")] + pending
        return True
