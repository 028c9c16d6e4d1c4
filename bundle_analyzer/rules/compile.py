"""Turn loaded rules into runnable ones: RE2 regexes, CEL programs, jinja2 templates.

A rule whose regex, CEL or template does not compile keeps its problems; it ends as an
``error`` result with the location, and every other rule still runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import re2

from bundle_analyzer import __version__
from bundle_analyzer.artifacts import Kind
from bundle_analyzer.logs.scanner import LogScanner, PatternSetError, ScanPattern
from bundle_analyzer.rules.cel_cost import static_problem
from bundle_analyzer.rules.cel_module import cel
from bundle_analyzer.rules.loader import LoadedRule, RuleProblem
from bundle_analyzer.rules.model import Signature
from bundle_analyzer.rules.templating import TemplateError, compile_template
from bundle_analyzer.versions import VersionRange, parse_range, parse_version

KNOWN_KINDS = frozenset(k.value for k in Kind)
_QUIET = re2.Options()
_QUIET.log_errors = False  # RE2 would print its parse errors on stderr; they are reported as problems
MAX_CEL_CHARS = 10_000
LEVELS = frozenset({"trace", "debug", "info", "warn", "error", "critical"})


@dataclass
class CompiledSignature:
    key: str
    regex: str
    pattern: Any  # re2 compiled pattern
    levels: frozenset[str] | None
    sources: tuple[Kind, ...]
    required: bool  # from 'all' (must match at least once) rather than 'any'


@dataclass
class CompiledRule:
    loaded: LoadedRule
    signatures: list[CompiledSignature] = field(default_factory=list)
    program: Any = None
    evidence_programs: list[Any] = field(default_factory=list)
    message: Any = None
    remediation: Any = None
    versions: VersionRange | None = None
    problems: list[RuleProblem] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.loaded.rule.id

    @property
    def rule(self):
        return self.loaded.rule


def compile_rules(loaded: list[LoadedRule]) -> tuple[list[CompiledRule], list[RuleProblem]]:
    """Compile every rule; problems that concern the whole set (duplicate ids) come back apart."""
    compiled = [compile_rule(item) for item in loaded]
    seen: dict[str, LoadedRule] = {}
    set_problems: list[RuleProblem] = []
    for item in loaded:
        first = seen.setdefault(item.rule.id, item)
        if first is not item:
            set_problems.append(RuleProblem(item.locate("id"), f"duplicate rule id (first at {first.location})",
                                            item.rule.id))
    return compiled, set_problems


def compile_rule(item: LoadedRule) -> CompiledRule:
    rule = item.rule
    out = CompiledRule(item)

    def problem(message: str, *where: str | int) -> None:
        out.problems.append(RuleProblem(item.locate(*where), message, rule.id))

    if parse_version(rule.min_engine_version) > parse_version(__version__):
        problem(f"needs engine {rule.min_engine_version}, this is {__version__}", "min_engine_version")
    if rule.cni_versions:
        try:
            out.versions = parse_range(rule.cni_versions)
        except ValueError as exc:
            problem(str(exc), "cni_versions")
    for name in ("requires", "requires_any"):
        for index, kind in enumerate(getattr(rule, name)):
            if kind not in KNOWN_KINDS:
                problem(f"unknown artifact kind {kind!r}", name, index)
    if rule.log:
        _compile_log(rule, out, problem)
    if rule.check:
        _compile_check(rule, out, problem)
    for name in ("message", "remediation"):
        try:
            setattr(out, name, compile_template(getattr(rule, name)))
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)
            where = f" (template line {line})" if line else ""
            problem(f"template does not compile{where}: {_first_line(exc)}", name)
    return out


def _compile_log(rule, out: CompiledRule, problem) -> None:
    log = rule.log
    for index, kind in enumerate(log.sources):
        if kind not in KNOWN_KINDS:
            problem(f"unknown log kind {kind!r}", "log", "sources", index)
    groups = (("any", log.any, False), ("all", log.all, True))
    for group, signatures, required in groups:
        for index, signature in enumerate(signatures):
            compiled = _compile_signature(rule.id, len(out.signatures), signature, log, required)
            if isinstance(compiled, str):
                problem(compiled, "log", group, index, "regex")
            else:
                out.signatures.append(compiled)


def _compile_signature(rule_id: str, number: int, signature: Signature, log, required: bool):
    try:
        pattern = re2.compile(signature.regex, _QUIET)
    except re2.error as exc:
        return f"regex does not compile under RE2: {exc}"
    try:  # the log scanner compiles it again, line-local and Latin-1: its refusals must show here
        LogScanner([ScanPattern(f"{rule_id}#{number}", signature.regex)])
    except PatternSetError as exc:
        return f"regex cannot be used by the log scanner: {exc.reason}"
    levels = signature.levels or log.levels
    if levels and not set(levels) <= LEVELS:
        return f"unknown level in {sorted(set(levels) - LEVELS)}; use {sorted(LEVELS)}"
    sources = tuple(Kind(k) for k in (signature.sources or log.sources) if k in KNOWN_KINDS)
    return CompiledSignature(key=f"{rule_id}#{number}", regex=signature.regex, pattern=pattern,
                             levels=frozenset(levels) if levels else None, sources=sources, required=required)


def _compile_check(rule, out: CompiledRule, problem) -> None:
    check = rule.check
    violations = (f"({check.over}).filter({check.as_}, ({check.where or 'true'}) && !({check.expect}))"
                  if check.over else None)
    source = violations or f"!({check.expect})"
    if len(source) > MAX_CEL_CHARS:
        problem(f"CEL expressions longer than {MAX_CEL_CHARS} characters", "check")
        return
    try:
        program = cel.compile(source)
    except (ValueError, RuntimeError) as exc:
        problem(f"CEL does not compile: {_first_line(exc)}", "check", "expect")
        return
    too_costly = static_problem(source)
    if too_costly:
        problem(too_costly, "check", "over" if check.over else "expect")
        return
    out.program = program
    for index, expression in enumerate(check.evidence):
        # Evidence is computed per violation: map over the same violating elements.
        composed = f"{violations}.map({check.as_}, {expression})" if violations else expression
        if len(composed) > 2 * MAX_CEL_CHARS:
            problem(f"CEL expressions longer than {MAX_CEL_CHARS} characters", "check", "evidence", index)
            continue
        try:
            evidence_program = cel.compile(composed)
        except (ValueError, RuntimeError) as exc:
            problem(f"CEL does not compile: {_first_line(exc)}", "check", "evidence", index)
            continue
        too_costly = static_problem(composed)
        if too_costly:
            problem(too_costly, "check", "evidence", index)
            continue
        out.evidence_programs.append(evidence_program)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
