"""`sysctl --all` (``sysctls/sysctl_all.txt``) and the legacy ``sysctls.out`` (CNI v1.2 - v1.6.0).

Sample (collector)::

    net.ipv4.conf.all.rp_filter = 1
    net.ipv4.conf.eth0.rp_filter = 2
    net.ipv4.conf.vlan/eth/3.rp_filter = 1
    net.ipv4.ip_local_port_range = 32768	60999

Sample (legacy)::

    ================== sysctls ==================
    /proc/sys/net/ipv4/conf/eth0/rp_filter = 1

Each line is split on the first ``" = "``; values stay strings, TABs included. Legacy
``/proc/sys`` paths are rewritten into sysctl's dotted form, where a ``.`` inside an interface name
shows as ``/`` (``/proc/sys/net/ipv4/conf/vlan.eth.3/rp_filter`` ->
``net.ipv4.conf.vlan/eth/3.rp_filter``). ``sysctl: …`` error lines are skipped. The collector
appends with ``>>``: a repeated key keeps its last value and the file is marked damaged.
"""

from __future__ import annotations

from bundle_analyzer.models.common import Parsed, decode_text, outcome
from bundle_analyzer.models.host import SysctlSet
from bundle_analyzer.parsers._netutil import (
    MAX_SYSCTLS,
    ProblemLog,
    cut_short,
    numbered_lines,
)

_PROC_PREFIX = "/proc/sys/"


def sysctl_key_from_path(path_key: str) -> str:
    """``/proc/sys/net/ipv4/conf/vlan.eth.3/rp_filter`` -> ``net.ipv4.conf.vlan/eth/3.rp_filter``."""
    relative = path_key.removeprefix(_PROC_PREFIX)
    return ".".join(segment.replace(".", "/") for segment in relative.strip("/").split("/"))


def parse_sysctls(data: bytes, path: str) -> Parsed[SysctlSet]:
    """Parse sysctl ``key = value`` lines (collector or legacy form)."""
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)

    problems = ProblemLog(path)
    result = SysctlSet()
    values, lines = result.values, result.lines
    first_repeat: int | None = None
    repeats = 0

    for number, raw in numbered_lines(text):
        stripped = raw.strip()
        if not stripped or stripped.startswith("=") or stripped.startswith("sysctl:"):
            continue
        key, separator, value = raw.partition(" = ")
        if not separator:
            if stripped.endswith(" =") or stripped.endswith("\t="):
                key, value = stripped[:-1], ""
            else:
                problems.add(number, f"not a sysctl line: {stripped[:80]!r}")
                continue
        key = key.strip()
        if not key or any(character.isspace() for character in key):
            problems.add(number, f"not a sysctl key: {key[:80]!r}")
            continue
        if key.startswith("/"):
            key = sysctl_key_from_path(key)
        if key not in values and len(values) >= MAX_SYSCTLS:
            problems.add(number, cut_short(len(values), MAX_SYSCTLS, "sysctl keys"))
            break
        if key in values:
            repeats += 1
            if first_repeat is None:
                first_repeat = number
        values[key] = value
        lines[key] = number

    if first_repeat is not None:
        problems.add(
            first_repeat,
            f"{repeats} keys repeated (runs appended with >>); the last value of each is kept",
        )
    return outcome(path, result, problems.result())
