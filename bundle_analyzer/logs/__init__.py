"""Log files: streaming multi-pattern scan (bytes), format detection, line decoding, rotation.

Typical use::

    scanner = LogScanner([ScanPattern("no-ip", r"DataStore has no available IP(/Prefix)? addresses")])
    fmt, result = scan_log(scanner, read_chunks(stream), "var_log/aws-routed-eni/ipamd.log")
    events = decode_hits(result, fmt, year_hint=collected_at)

Names are imported on first use, so that the scan helper process
(``bundle_analyzer.logs.scan_worker``) loads the scanner and RE2 only, not pydantic.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

_WHERE = {
    "LogEvent": "events",
    "LogFormat": "events",
    "decode_hits": "formats",
    "decode_line": "formats",
    "detect_format": "formats",
    "detect_line": "formats",
    "record_start_pattern": "formats",
    "scan_log": "formats",
    "FAMILIES": "rotation",
    "log_family": "rotation",
    "rotation_order": "rotation",
    "LineHit": "scanner",
    "LogScanner": "scanner",
    "PatternSetError": "scanner",
    "ScanPattern": "scanner",
    "ScanResult": "scanner",
    "read_chunks": "scanner",
}

__all__ = sorted(_WHERE)

if TYPE_CHECKING:
    from bundle_analyzer.logs.events import LogEvent, LogFormat
    from bundle_analyzer.logs.formats import (
        decode_hits,
        decode_line,
        detect_format,
        detect_line,
        record_start_pattern,
        scan_log,
    )
    from bundle_analyzer.logs.rotation import FAMILIES, log_family, rotation_order
    from bundle_analyzer.logs.scanner import (
        LineHit,
        LogScanner,
        PatternSetError,
        ScanPattern,
        ScanResult,
        read_chunks,
    )


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
