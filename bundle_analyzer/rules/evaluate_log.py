"""Log-signature conditions: which scanned events match, how many, when, with what captures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bundle_analyzer.bundle import Bundle, LogFile, LogHit
from bundle_analyzer.logs.events import LogEvent
from bundle_analyzer.rules.compile import CompiledRule, CompiledSignature

MAX_CAPTURE_VALUES = 20


@dataclass
class LogMatch:
    events: list[LogEvent] = field(default_factory=list)
    captures: dict[str, list[str]] = field(default_factory=dict)
    count: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    satisfied: bool = False
    # Regexes of 'all' signatures that never matched: why an 'all' rule passed.
    unmatched_required: list[str] = field(default_factory=list)


class HitIndex:
    """Per log file, the positions of its hits by signature key: built once per bundle.

    A frequent signature (pool stats on a DEBUG ipamd.log) leaves thousands of hits; without
    the index every log rule would walk all of them looking for its own keys.
    """

    def __init__(self, bundle: Bundle):
        self.bundle = bundle
        self._by_key: dict[int, dict[str, list[int]]] = {}
        self._group_names: dict[str, tuple[str, ...]] = {}

    def hits(self, position: int, log: LogFile, keys: set[str]) -> list[LogHit]:
        """The hits of ``log`` carrying any of ``keys``, in file order."""
        index = self._by_key.get(position)
        if index is None:
            index = {}
            for i, hit in enumerate(log.hits):
                for key in hit.keys:
                    index.setdefault(key, []).append(i)
            self._by_key[position] = index
        found = [index[k] for k in keys if k in index]
        if not found:
            return []
        positions = found[0] if len(found) == 1 else sorted(set().union(*found))
        return [log.hits[i] for i in positions]

    def group_names(self, signature: CompiledSignature) -> tuple[str, ...]:
        names = self._group_names.get(signature.key)
        if names is None:
            names = tuple(signature.pattern.groupindex)
            self._group_names[signature.key] = names
        return names


def match_log(compiled: CompiledRule, bundle: Bundle, index: HitIndex | None = None) -> LogMatch:
    """Events of the rule's sources that its signatures matched, then count and window checks.

    ``any`` signatures: one match of any of them counts as an occurrence. ``all`` signatures:
    each must have matched at least once somewhere in the bundle.
    """
    index = index if index is not None and index.bundle is bundle else HitIndex(bundle)
    log_condition = compiled.rule.log
    result = LogMatch()
    required_seen: set[str] = set()
    occurrences = 0
    for position, log in enumerate(bundle.logs):
        signatures = [s for s in compiled.signatures if log.kind in s.sources]
        if not signatures:
            continue
        listed: dict[str, int] = {}
        # Hits without any of these keys match none of the signatures: only the others are read.
        for hit in index.hits(position, log, {s.key for s in signatures}):
            for signature in _matching(signatures, hit):
                listed[signature.key] = listed.get(signature.key, 0) + 1
                if signature.required:
                    required_seen.add(signature.key)
                _collect(signature, hit.event, result.captures, index.group_names(signature))
            if any(s.key in hit.keys for s in signatures if not s.required) and _level_ok(signatures, hit):
                result.events.append(hit.event)
                occurrences += 1
            elif any(s.required and s.key in hit.keys for s in signatures):
                result.events.append(hit.event)
        # Past the scanner's hit cap only counts survive: add the lines it did not keep.
        for signature in signatures:
            if not signature.required and signature.levels is None:
                occurrences += max(0, log.hit_counts.get(signature.key, 0) - listed.get(signature.key, 0))
    result.count = occurrences if log_condition.any else len(result.events)
    stamps = sorted(e.timestamp for e in result.events if e.timestamp)
    result.first_seen = stamps[0] if stamps else None
    result.last_seen = stamps[-1] if stamps else None
    required = {s.key for s in compiled.signatures if s.required}
    result.unmatched_required = [s.regex for s in compiled.signatures if s.required and s.key not in required_seen]
    if not result.events or not required <= required_seen:
        return result
    if log_condition.any and occurrences == 0:
        return result
    window = log_condition.window_seconds()
    counted = _max_in_window(stamps, window) if window else result.count
    result.satisfied = counted >= log_condition.min_count
    return result


def _level_ok(signatures: list[CompiledSignature], hit: LogHit) -> bool:
    return any(not s.required and s.key in hit.keys and (not s.levels or (hit.event.level or "") in s.levels)
               for s in signatures)


def _matching(signatures: list[CompiledSignature], hit: LogHit) -> list[CompiledSignature]:
    return [s for s in signatures
            if s.key in hit.keys and (not s.levels or (hit.event.level or "") in s.levels)]


def _collect(signature: CompiledSignature, event: LogEvent, captures: dict[str, list[str]],
             names: tuple[str, ...]) -> None:
    if not names:
        return
    # Once every group has its share of values, another search could not add any.
    if all(len(captures.get(name, ())) >= MAX_CAPTURE_VALUES for name in names):
        return
    found = signature.pattern.search(event.message) or signature.pattern.search(event.raw)
    if not found:
        return
    for name, value in found.groupdict().items():
        if value is None:
            continue
        values = captures.setdefault(name, [])
        if value not in values and len(values) < MAX_CAPTURE_VALUES:
            values.append(value)


def _max_in_window(stamps: list[datetime], seconds: int) -> int:
    best = 0
    start = 0
    for end, stamp in enumerate(stamps):
        while (stamp - stamps[start]).total_seconds() > seconds:
            start += 1
        best = max(best, end - start + 1)
    return best
