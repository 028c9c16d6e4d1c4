"""Writing a report where the user asked, and nowhere else."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bundle_analyzer.errors import CnibundleError


class OutputRefused(CnibundleError):
    pass


def write_output(path: Path, text: str) -> None:
    """Write atomically to exactly ``path``: never through a symlink, never onto a directory."""
    if path.is_symlink():
        raise OutputRefused(f"refused to write through the symlink {path}; name a regular file")
    if path.exists() and not path.is_file():
        raise OutputRefused(f"--output {path} exists and is not a regular file")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputRefused(f"--output directory {parent} does not exist")
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
