"""The ``cel`` package (Rust CEL), imported without its interactive shell.

``cel/__init__.py`` imports ``cel.cli``, a REPL built on prompt_toolkit: ~90 ms of every run,
a third of cnibundle's start-up, for a module we never use. A placeholder stands in for
``cel.cli`` while the package initialises and is removed right after, so an explicit
``import cel.cli`` elsewhere still gets the real one.
"""

from __future__ import annotations

import sys
import types


def _import_cel():
    if "cel" in sys.modules:
        return sys.modules["cel"]
    placeholder = types.ModuleType("cel.cli")
    sys.modules.setdefault("cel.cli", placeholder)
    try:
        import cel as module
    finally:
        if sys.modules.get("cel.cli") is placeholder:
            del sys.modules["cel.cli"]
    if getattr(module, "cli", None) is placeholder:
        del module.cli
    return module


cel = _import_cel()
