"""Log line renderers: zap JSON, seelog text (per CNI era), journalctl, klog and CRI lines (§4, §9)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bundle_analyzer.testing.content.common import Version, _utc


def zap_time(when: datetime) -> str:
    """zap's ISO 8601 time encoder: milliseconds and ``Z`` for UTC."""
    when = _utc(when)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def zap_line(level: str, ts: datetime, caller: str, msg: str, **fields: Any) -> str:
    """One zap JSON line (CNI v1.6.1+): keys level, ts, caller, msg, then extra fields."""
    record: dict[str, Any] = {"level": level, "ts": zap_time(ts), "caller": caller, "msg": msg}
    record.update(fields)
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


def seelog_line(level: str, ts: datetime, msg: str, *, version: Version = (1, 2, 1)) -> str:
    """One seelog line in the format of CNI ``version`` (§4.2): ``[LEVEL] msg`` up to v1.4,
    TAB after ``]`` in v1.5, milliseconds from v1.5.1, space+TAB in v1.6.0."""
    when = _utc(ts)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S")
    if version >= (1, 5, 1):
        stamp += f".{when.microsecond // 1000:03d}"
    stamp += "Z"
    level = level.upper()
    if version >= (1, 6, 0):
        sep = " \t"
    elif version >= (1, 5, 0):
        sep = "\t"
    else:
        sep = " "
    return f"{stamp} [{level}]{sep}{msg}"


def journal_line(ts: datetime, host: str, ident: str, pid: int | None, msg: str, *, iso: bool = False) -> str:
    """A journalctl line: ``short`` (``Jan 10 20:47:01 host unit[pid]: msg``) or, with ``iso``,
    ``short-iso-precise`` (``2026-03-18T20:47:01.004551+0000 …``)."""
    when = _utc(ts)
    if iso:
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond:06d}+0000"
    else:
        stamp = when.strftime("%b %d %H:%M:%S")
    who = f"{ident}[{pid}]" if pid is not None else ident
    return f"{stamp} {host} {who}: {msg}"


def klog_line(level: str, ts: datetime, pid: int, source: str, msg: str) -> str:
    """A klog header + message: ``E0110 20:47:01.004551    3421 log.go:32] msg``."""
    when = _utc(ts)
    return f"{level[0].upper()}{when:%m%d %H:%M:%S}.{when.microsecond:06d} {pid:>7} {source}] {msg}"


def cri_log_line(ts: datetime, stream: str, msg: str, *, partial: bool = False) -> str:
    """A containerd CRI log line: ``<RFC3339Nano> <stream> <F|P> <msg>``."""
    when = _utc(ts)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond:06d}000Z"
    return f"{stamp} {stream} {'P' if partial else 'F'} {msg}"
