"""Log files: streaming multi-pattern scan (bytes), format detection, line decoding, rotation.

Typical use::

    scanner = LogScanner([ScanPattern("no-ip", r"DataStore has no available IP(/Prefix)? addresses")])
    fmt, result = scan_log(scanner, read_chunks(stream), "var_log/aws-routed-eni/ipamd.log")
    events = decode_hits(result, fmt, year_hint=collected_at)
"""

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

__all__ = [
    "FAMILIES",
    "LineHit",
    "LogEvent",
    "LogFormat",
    "LogScanner",
    "PatternSetError",
    "ScanPattern",
    "ScanResult",
    "decode_hits",
    "decode_line",
    "detect_format",
    "detect_line",
    "log_family",
    "read_chunks",
    "record_start_pattern",
    "rotation_order",
    "scan_log",
]
