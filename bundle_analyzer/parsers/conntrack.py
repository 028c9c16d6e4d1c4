"""``networking/conntrack.txt`` / ``conntrack6.txt`` (collector 0.6.2+): ``conntrack -S`` per-CPU
counters and the ``conntrack -L`` flow table.

Sample (the first header really ends with a space)::

    *** Output of conntrack -S ***
    cpu=0   	found=12 invalid=3456 ignore=0 insert=0 insert_failed=0 drop=0 early_drop=0 error=7 search_restart=21
    *** Output of conntrack -L ***
    tcp      6 86396 ESTABLISHED src=10.0.41.7 dst=52.94.1.10 sport=41512 dport=443 src=52.94.1.10 dst=10.0.12.34 sport=443 dport=41512 [ASSURED] mark=128 use=1
    udp      17 25 src=10.0.12.50 dst=172.20.0.10 sport=53411 dport=53 src=10.0.12.65 dst=10.0.12.50 sport=53 dport=53411 mark=0 use=1

Counters are summed over CPUs. Every flow is counted (per ``mark=`` value and per protocol) but
only the first ``entries_cap`` are kept as models, since the table can hold hundreds of thousands
of flows. The file is appended with ``>>``: a second ``conntrack -S`` header starts over and marks
the file damaged. ``timeout 75`` can cut the last line; it is reported, not fatal.
"""

from __future__ import annotations

from bundle_analyzer.models.common import Parsed, decode_text, outcome
from bundle_analyzer.models.host import ConntrackDump, ConntrackEntry
from bundle_analyzer.parsers._netutil import ProblemLog, gc_paused, numbered_lines, small_int

DEFAULT_ENTRIES_CAP = 50_000
_MAX_DISTINCT_KEYS = 1024
_FAMILY_PREFIXES = frozenset({"ipv4", "ipv6"})


def parse_conntrack(data: bytes, path: str, *, entries_cap: int = DEFAULT_ENTRIES_CAP) -> Parsed[ConntrackDump]:
    """Parse the collector's conntrack file (either section may be missing)."""
    with gc_paused():
        return _parse(data, path, entries_cap)


def _parse(data: bytes, path: str, entries_cap: int) -> Parsed[ConntrackDump]:
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)

    problems = ProblemLog(path)
    dump = ConntrackDump(entries_cap=entries_cap)
    restarted_at: int | None = None

    for number, raw in numbered_lines(text):
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith("***"):
            if "conntrack -S" in stripped and (dump.per_cpu or dump.entry_count):
                restarted_at = restarted_at or number
                dump = ConntrackDump(entries_cap=entries_cap)
            continue
        if stripped.startswith("cpu="):
            error = _add_cpu_stats(dump, stripped)
            if error:
                problems.add(number, error)
            continue
        if stripped.startswith("conntrack v") or stripped.startswith("conntrack:"):
            continue  # summary/error text of conntrack itself
        error = _add_entry(dump, number, stripped)
        if error:
            problems.add(number, error)

    if restarted_at is not None:
        problems.add(restarted_at, "conntrack output appended again (>>); keeping the last run")
    return outcome(path, dump, problems.result())


def _add_cpu_stats(dump: ConntrackDump, line: str) -> str | None:
    counters: dict[str, int] = {}
    for token in line.split():
        key, equals, value = token.partition("=")
        number = small_int(value)
        if not equals or number is None:
            return f"unreadable conntrack -S token {token[:40]!r}"
        counters[key] = number
    dump.per_cpu.append(counters)
    totals = dump.totals
    for key, value in counters.items():
        if key != "cpu" and (key in totals or len(totals) < _MAX_DISTINCT_KEYS):
            totals[key] = totals.get(key, 0) + value
    return None


def _count(counter: dict, key: object) -> None:
    if key in counter or len(counter) < _MAX_DISTINCT_KEYS:
        counter[key] = counter.get(key, 0) + 1


def _add_entry(dump: ConntrackDump, number: int, line: str) -> str | None:
    tokens = line.split()
    if len(tokens) >= 2 and tokens[0] in _FAMILY_PREFIXES and small_int(tokens[1]) is not None:
        tokens = tokens[2:]  # "-o extended" prefixes the layer-3 family
    if len(tokens) < 4 or small_int(tokens[1]) is None or "=" in tokens[0]:
        return f"not a conntrack line: {line[:80]!r}"
    if not any(token.startswith("src=") for token in tokens):
        return f"conntrack entry without addresses (truncated?): {line[:80]!r}"

    mark: int | None = None
    if len(dump.entries) >= dump.entries_cap:
        for token in tokens:
            if token.startswith("mark="):
                mark = small_int(token[5:])
                break
    else:
        entry = _entry(number, tokens)
        dump.entries.append(entry)
        mark = entry.mark
    dump.entry_count += 1
    _count(dump.protocol_counts, tokens[0])
    if mark is not None:
        _count(dump.mark_counts, mark)
    if not any(token.startswith("use=") for token in tokens[-3:]):
        # conntrack prints use=N near the end of every flow (only id=… may follow); without it the
        # line was cut (timeout 75).
        return f"conntrack entry looks truncated: {line[-60:]!r}"
    return None


def _entry(number: int, tokens: list[str]) -> ConntrackEntry:
    fields: dict[str, object] = {
        "line": number,
        "protocol": tokens[0],
        "protocol_number": small_int(tokens[1]),
    }
    flags: list[str] = []
    rest = tokens[2:]
    if rest and small_int(rest[0]) is not None:
        fields["ttl"] = small_int(rest[0])
        rest = rest[1:]
    if rest and "=" not in rest[0] and not rest[0].startswith("["):
        fields["state"] = rest[0]
        rest = rest[1:]
    seen_src = False
    for token in rest:
        if token.startswith("[") and token.endswith("]"):
            flags.append(token[1:-1])
            continue
        key, equals, value = token.partition("=")
        if not equals:
            continue
        if key == "src" and seen_src:
            key = "reply_src"
        elif key == "src":
            seen_src = True
        elif key in ("dst", "sport", "dport") and "reply_src" in fields:
            key = f"reply_{key}"
        if key in ("src", "dst", "reply_src", "reply_dst"):
            fields.setdefault(key, value)
        elif key in ("sport", "dport", "reply_sport", "reply_dport", "mark", "zone", "use"):
            fields.setdefault(key, small_int(value))
    fields["flags"] = flags
    return ConntrackEntry(**fields)  # type: ignore[arg-type]
