"""One decoded log record, whatever file format it came from.

Only lines that a rule cares about become a :class:`LogEvent`; the scanner hands over raw hit
lines (bytes) and :mod:`bundle_analyzer.logs.formats` decodes them. Every event keeps its
1-based line number and the raw text so a finding can cite the exact evidence.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class LogFormat(StrEnum):
    """How a log file (or one line of it) is written."""

    seelog = "seelog"  # CNI <= v1.6.0: `2019-03-21T17:03:36Z [INFO] msg`
    zap = "zap"  # CNI >= v1.6.1, network-policy-agent: one JSON object per line, `ts` key
    logrus_text = "logrus_text"  # `time="…" level=info msg="…"` (entrypoint >= v1.12.1, containerd)
    logrus_json = "logrus_json"  # old ebpf-sdk.log: JSON with a `time` key
    cri = "cri"  # containerd container log: `<RFC3339Nano> stdout F <line>`
    docker_json = "docker_json"  # Docker json-file: `{"log":"…","stream":"stdout","time":"…"}`
    journal = "journal"  # journalctl `short` / `short-iso-precise`
    klog = "klog"  # `E0110 20:47:01.004551 3421 log.go:32] "msg" err="…"`
    plain = "plain"  # anything else, and journal `-- … --` marker lines


class LogEvent(BaseModel):
    """A log line decoded into time, level, message and structured extras."""

    model_config = ConfigDict(frozen=True)

    path: str
    line: int
    timestamp: datetime | None = None  # always timezone-aware when set
    level: str | None = None  # trace, debug, info, warn, error, critical
    caller: str | None = None
    message: str = ""
    format: LogFormat = LogFormat.plain
    fields: dict[str, str] = Field(default_factory=dict)
    raw: str = ""
    # The line could only be read in part (invalid or truncated JSON recovered by pattern,
    # partial last line); the values above are best effort.
    damaged: bool = False
