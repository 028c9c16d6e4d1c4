"""Run compiled rules against a loaded bundle: one result per rule, a finding per fired rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bundle_analyzer.artifacts import Kind, spec_for
from bundle_analyzer.bundle import Bundle
from bundle_analyzer.logs.events import LogEvent
from bundle_analyzer.report.model import Evidence, Finding, RuleResult, RuleStatus
from bundle_analyzer.rules.cel_runner import CelRunner
from bundle_analyzer.rules.compile import CompiledRule
from bundle_analyzer.rules.evaluate_log import HitIndex, LogMatch, match_log
from bundle_analyzer.rules.templating import render
from bundle_analyzer.versions import parse_version

MAX_EVIDENCE = 8
MAX_EXCERPT = 400


@dataclass
class Outcome:
    result: RuleResult
    finding: Finding | None = None


def run_rules(rules: list[CompiledRule], bundle: Bundle) -> list[Outcome]:
    context = CelContext(bundle, rules)
    try:
        return [run_rule(rule, bundle, context) for rule in rules]
    finally:
        context.close()


class CelContext:
    """The node state as CEL sees it, converted once per bundle and shared by every rule.

    Programs run through a :class:`~bundle_analyzer.rules.cel_runner.CelRunner`: each one is
    stopped at a time and memory limit, so one rule cannot stall the analysis of a big bundle.
    """

    def __init__(self, bundle: Bundle, rules: list[CompiledRule] = ()):
        self.bundle = bundle
        self._programs = [p for rule in rules if not rule.problems
                          for p in ([rule.program] if rule.program is not None else []) + rule.evidence_programs]
        self._variables: dict[str, Any] | None = None
        self._runner: CelRunner | None = None
        self._hits: HitIndex | None = None

    @property
    def hits(self) -> HitIndex:
        """Log hits by signature key, shared by every log rule of this bundle."""
        if self._hits is None:
            self._hits = HitIndex(self.bundle)
        return self._hits

    @property
    def variables(self) -> dict[str, Any]:
        if self._variables is None:
            self._variables = self.bundle.state.cel_variables() if self.bundle.state is not None else {}
        return self._variables

    def execute(self, program) -> Any:
        if self._runner is None:
            self._runner = CelRunner(self.variables, self._programs)
        return self._runner.execute(program)

    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()


def run_rule(compiled: CompiledRule, bundle: Bundle, context: CelContext) -> Outcome:
    rule = compiled.rule
    if compiled.problems:
        return _result(compiled, bundle, RuleStatus.error, "; ".join(str(p) for p in compiled.problems))
    if rule.unsupported:
        return _result(compiled, bundle, RuleStatus.skipped, f"cannot be decided from a bundle: {rule.unsupported}")
    version_skip = _version_skip(compiled, bundle)
    if version_skip:
        return _result(compiled, bundle, RuleStatus.skipped, version_skip)
    missing = _missing_inputs(compiled, bundle)
    if missing:
        return _result(compiled, bundle, RuleStatus.skipped, missing)
    try:
        return _evaluate(compiled, bundle, context)
    except Exception as exc:  # noqa: BLE001 - a broken rule must not stop the others
        return _result(compiled, bundle, RuleStatus.error, f"{compiled.loaded.location}: {type(exc).__name__}: {exc}")


def _evaluate(compiled: CompiledRule, bundle: Bundle, context: CelContext) -> Outcome:
    rule = compiled.rule
    template_values: dict[str, Any] = {"node": bundle.node.model_dump(), "cni_version": bundle.state.cni_version}
    evidence: list[Evidence] = []
    log_match: LogMatch | None = None
    if rule.log:
        log_match = match_log(compiled, bundle, context.hits)
        if not log_match.satisfied:
            return _result(compiled, bundle, RuleStatus.passed, _no_log_match(compiled, log_match))
        evidence.extend(_log_evidence(log_match.events))
        template_values.update(count=log_match.count, captures=log_match.captures,
                               capture={k: v[0] for k, v in log_match.captures.items()},
                               first_seen=log_match.first_seen, last_seen=log_match.last_seen)
    items: list[Any] = []
    if rule.check:
        violated = context.execute(compiled.program)
        if violated is False or violated == []:
            return _result(compiled, bundle, RuleStatus.passed, "invariant holds")
        items = violated if isinstance(violated, list) else []
        evidence.extend(_check_evidence(compiled, items, context))
        template_values.update(items=items, item=items[0] if items else {}, violations=len(items))
        template_values.setdefault("count", len(items) or 1)
    count = template_values.get("count", 1)
    finding = Finding(
        rule_id=rule.id, title=rule.title, severity=rule.severity, category=rule.category,
        message=render(compiled.message, template_values), bundle=bundle.path, evidence=evidence[:MAX_EVIDENCE],
        count=count, first_seen=log_match.first_seen if log_match else None,
        last_seen=log_match.last_seen if log_match else None,
        remediation=render(compiled.remediation, template_values), references=list(rule.references))
    return Outcome(RuleResult(rule_id=rule.id, status=RuleStatus.fired, reason=f"{count} occurrence(s)",
                              bundle=bundle.path), finding)


def _version_skip(compiled: CompiledRule, bundle: Bundle) -> str | None:
    if compiled.versions is None:
        return None
    running = parse_version(bundle.state.cni_version)
    if running is None or compiled.versions.contains(running):
        return None
    return f"applies to CNI {compiled.versions.text}; this node runs {bundle.state.cni_version}"


def _missing_inputs(compiled: CompiledRule, bundle: Bundle) -> str | None:
    rule = compiled.rule
    missing = [kind for kind in rule.requires if not bundle.has(Kind(kind))]
    if missing:
        return "needs " + ", ".join(_example_path(k) for k in missing)
    if rule.requires_any and not any(bundle.has(Kind(k)) for k in rule.requires_any):
        return "needs one of " + ", ".join(_example_path(k) for k in rule.requires_any)
    if rule.log and not rule.requires and not rule.requires_any:
        sources = {k for s in compiled.signatures for k in s.sources}
        if sources and not any(bundle.has(k) for k in sources):
            return "needs one of " + ", ".join(_example_path(k.value) for k in sorted(sources))
    return None


def _example_path(kind: str) -> str:
    spec = spec_for(Kind(kind))
    return spec.patterns[0] if spec.patterns else f"{spec.loose_names[0]} ({kind})"


def _no_log_match(compiled: CompiledRule, match: LogMatch) -> str:
    if not match.events:
        return "no matching log line"
    if match.unmatched_required:
        missing = match.unmatched_required[0]
        more = f" (+{len(match.unmatched_required) - 1} more)" if len(match.unmatched_required) > 1 else ""
        return f"{len(match.events)} matching line(s), but the 'all' signature {missing!r}{more} never matched"
    return f"{match.count} matching line(s), below the rule's threshold"


def _log_evidence(events: list[LogEvent]) -> list[Evidence]:
    picked = events if len(events) <= MAX_EVIDENCE else events[: MAX_EVIDENCE - 1] + events[-1:]
    return [Evidence(path=e.path, line=e.line, excerpt=_excerpt(e.raw), timestamp=e.timestamp) for e in picked]


def _check_evidence(compiled: CompiledRule, items: list[Any], context: CelContext) -> list[Evidence]:
    refs: list[Any] = []
    for item in items[:MAX_EVIDENCE]:
        if isinstance(item, dict) and isinstance(item.get("ref"), dict):
            refs.append(item["ref"])
    for program in compiled.evidence_programs:
        refs.extend(_flatten(context.execute(program)))
    evidence = []
    seen = set()
    for ref in refs:
        if not isinstance(ref, dict) or not ref.get("path"):
            continue
        key = (ref.get("path"), ref.get("line"))
        if key in seen:
            continue
        seen.add(key)
        line = ref.get("line")
        evidence.append(Evidence(path=str(ref["path"]), line=int(line) if isinstance(line, int) and line > 0 else None,
                                 excerpt=_excerpt(str(ref.get("excerpt") or "")) or None))
    return evidence


def _flatten(value: Any, depth: int = 0) -> list[Any]:
    if isinstance(value, list) and depth < 3:
        return [ref for element in value for ref in _flatten(element, depth + 1)]
    return [value]


def _excerpt(text: str) -> str:
    text = text.rstrip("\r\n")
    return text if len(text) <= MAX_EXCERPT else text[:MAX_EXCERPT] + " …"


def _result(compiled: CompiledRule, bundle: Bundle, status: RuleStatus, reason: str) -> Outcome:
    return Outcome(RuleResult(rule_id=compiled.id, status=status, reason=reason, bundle=bundle.path))
