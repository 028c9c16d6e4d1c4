"""Which CNI log a file belongs to, and when it was rotated, to read a family oldest→newest.

Names in `/var/log/aws-routed-eni/` (bundle-formats.md §4.1–4.3)::

    ipamd.log                              the live file (zap, CNI v1.6.1+)
    ipamd.log.2019-05-02-13                seelog hourly file (CNI <= v1.6.0), hour it was opened
    ipamd-2024-01-10T20-46-28.541.log.gz   lumberjack backup (UTC time of the rotation; may
                                           briefly exist without .gz)

Families: ipamd, plugin, egress-v4-plugin, egress-v6-plugin, network-policy-agent, ebpf-sdk.
One directory can hold seelog hours (from before an upgrade) next to zap backups; both name
their files by UTC time, so the times order a family across formats.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

FAMILIES = (
    "ipamd",
    "plugin",
    "egress-v4-plugin",
    "egress-v6-plugin",
    "network-policy-agent",
    "ebpf-sdk",
)

_FAMILY = "|".join(re.escape(f) for f in sorted(FAMILIES, key=len, reverse=True))
_LIVE = re.compile(rf"({_FAMILY})\.log")
_SEELOG_HOURLY = re.compile(rf"({_FAMILY})\.log\.(\d{{4}})-(\d{{2}})-(\d{{2}})-(\d{{2}})(?:\.gz)?")
_LUMBERJACK = re.compile(
    rf"({_FAMILY})-(\d{{4}})-(\d{{2}})-(\d{{2}})T(\d{{2}})-(\d{{2}})-(\d{{2}})(?:\.(\d{{1,9}}))?\.log(?:\.gz)?"
)


def _basename(path: str) -> str:
    return re.split(r"[\\/]", path)[-1]  # a trailing slash names a directory: empty basename


def log_family(path: str) -> tuple[str, datetime | None] | None:
    """(family, rotation time) of a CNI log file; time None for the live file; None if unknown."""
    name = _basename(path)
    m = _LIVE.fullmatch(name)
    if m is not None:
        return m.group(1), None
    try:
        m = _SEELOG_HOURLY.fullmatch(name)
        if m is not None:
            family, y, mo, d, h = m.groups()
            return family, datetime(int(y), int(mo), int(d), int(h), tzinfo=UTC)
        m = _LUMBERJACK.fullmatch(name)
        if m is not None:
            family, y, mo, d, h, mi, s, frac = m.groups()
            micro = int((frac or "0")[:6].ljust(6, "0"))
            return family, datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), micro, tzinfo=UTC)
    except ValueError:  # month 13, hour 25: not a name the CNI writes
        return None
    return None


def rotation_order(paths: Iterable[str]) -> dict[str, list[str]]:
    """CNI log files grouped by family, each list oldest first and the live file last.

    A `.log` backup and its `.log.gz` twin (lumberjack compresses after rotating) are both kept;
    the plain one sorts first so a caller can skip the duplicate.
    """
    families: dict[str, list[tuple[bool, datetime | None, bool, str]]] = {}
    for path in paths:
        found = log_family(path)
        if found is None:
            continue
        family, when = found
        is_live = when is None
        families.setdefault(family, []).append((is_live, when, path.endswith(".gz"), path))
    ordered: dict[str, list[str]] = {}
    for family in sorted(families):
        entries = sorted(
            families[family],
            key=lambda e: (e[0], e[1] or datetime.min.replace(tzinfo=UTC), e[2], e[3]),
        )
        ordered[family] = [e[3] for e in entries]
    return ordered
