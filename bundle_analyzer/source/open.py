"""Pick the right reader for what the user handed over."""

from __future__ import annotations

from pathlib import Path

from bundle_analyzer.errors import BundleRefused
from bundle_analyzer.source.archive import (
    BundleSource,
    DirectorySource,
    LooseFilesSource,
    TarSource,
    ZipSource,
    gzip_holds_tar,
    sniff,
)
from bundle_analyzer.source.limits import Limits


def open_source(paths: list[Path], limits: Limits) -> BundleSource:
    """One archive or directory, or a group of loose files, as one bundle."""
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise BundleRefused(f"no such file or directory: {path}")
    if len(paths) == 1 and paths[0].is_dir():
        return DirectorySource(paths[0], limits)
    if any(p.is_dir() for p in paths):
        raise BundleRefused("a directory cannot be mixed with loose files in one bundle")
    if len(paths) == 1:
        path = paths[0]
        if path.stat().st_size == 0:
            raise BundleRefused(f"not a bundle: {path} is empty")
        kind = sniff(path)
        if kind == "gzip":
            return TarSource(path, limits) if gzip_holds_tar(path) else LooseFilesSource(paths, limits)
        if kind == "tar":
            return TarSource(path, limits)
        if kind == "zip":
            return ZipSource(path, limits)
    return LooseFilesSource(paths, limits)
