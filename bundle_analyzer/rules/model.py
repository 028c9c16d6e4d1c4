"""The rule model: what a YAML rule may say (``cnibundle rules schema`` exports it as JSON Schema).

A rule holds one or both kinds of condition:

* ``log`` — signatures (RE2 regexes) over log events, with level filters, counts and windows;
* ``check`` — a consistency invariant over the node state, written in CEL:
  for each element of ``over`` (named ``as``) where ``where`` holds, ``expect`` must hold.

A rule that cannot be decided from a bundle says so in ``unsupported`` and is always skipped
with that text, so the report shows what evidence would be needed instead of staying silent.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bundle_analyzer.models.common import Severity

RULE_ID = r"^[a-z0-9][a-z0-9-]{1,80}$"
WINDOW = re.compile(r"^(?P<n>\d+)\s*(?P<unit>s|m|h|d)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Maturity(StrEnum):
    experimental = "experimental"
    stable = "stable"
    deprecated = "deprecated"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Signature(Strict):
    """One regex (RE2 syntax) matched against each log line; named groups become captures."""

    regex: str = Field(description="RE2 regular expression, matched against the log message and raw line")
    levels: list[str] | None = Field(default=None, description="only events at these levels (debug, info, warn, error, critical)")
    sources: list[str] | None = Field(default=None, description="artifact kinds to look in, overriding the condition's")


class LogCondition(Strict):
    sources: list[str] = Field(description="log artifact kinds to scan, e.g. ipamd-log, plugin-log, kubelet-log")
    any: list[Signature] = Field(default_factory=list, description="fires when any of these matches")
    all: list[Signature] = Field(default_factory=list, description="fires only when every one of these matched")
    levels: list[str] | None = Field(default=None, description="default level filter for every signature")
    min_count: int = Field(default=1, ge=1, description="matching events needed")
    within: str | None = Field(default=None, description="window for min_count, e.g. '10m'")

    @field_validator("within")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        if value is not None and not WINDOW.match(value):
            raise ValueError("window must look like 30s, 10m, 2h or 1d")
        return value

    @model_validator(mode="after")
    def _some_signature(self) -> LogCondition:
        if not self.any and not self.all:
            raise ValueError("a log condition needs 'any' or 'all' signatures")
        return self

    def window_seconds(self) -> int | None:
        if self.within is None:
            return None
        found = WINDOW.match(self.within)
        assert found
        return int(found["n"]) * _UNIT_SECONDS[found["unit"]]

    def signatures(self) -> list[Signature]:
        return [*self.any, *self.all]


class Check(Strict):
    """A consistency invariant in CEL over the node state (see docs/writing-rules.md)."""

    over: str | None = Field(default=None, description="CEL list to iterate, e.g. 'ips'")
    as_: str = Field(default="item", alias="as", pattern=r"^[a-z_][a-z0-9_]*$", description="name of the element")
    where: str | None = Field(default=None, description="CEL: the elements the invariant applies to")
    expect: str = Field(description="CEL: what must hold; an element where it is false is a violation")
    evidence: list[str] = Field(default_factory=list,
                                description="CEL per violation: extra refs ({path, line, excerpt}) to cite")
    max_items: int = Field(default=50, ge=1, le=10000)


class Rule(Strict):
    id: str = Field(pattern=RULE_ID, description="stable id; the failure-catalog id where one exists")
    title: str
    category: str
    severity: Severity
    status: Maturity = Maturity.stable
    min_engine_version: str = Field(default="0.1", pattern=r"^\d+\.\d+(\.\d+)?$")
    cni_versions: str | None = Field(default=None, description="e.g. '>=1.9.0, <1.17.1'; outside: skipped")
    requires: list[str] = Field(default_factory=list, description="artifact kinds that must all be present")
    requires_any: list[str] = Field(default_factory=list, description="artifact kinds of which one must be present")
    log: LogCondition | None = None
    check: Check | None = None
    unsupported: str | None = Field(default=None, description="why a bundle cannot decide this; always skipped")
    message: str = Field(description="jinja2 template over the captured values")
    remediation: str = ""
    references: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    explains: list[str] = Field(default_factory=list, description="rule ids this one is a root cause of")

    @model_validator(mode="after")
    def _has_condition(self) -> Rule:
        if self.unsupported is None and self.log is None and self.check is None:
            raise ValueError("a rule needs 'log', 'check', or 'unsupported'")
        return self


class RuleFile(Strict):
    rules: list[Rule]


class Override(Strict):
    id: str = Field(pattern=RULE_ID)
    reason: str = Field(min_length=3, description="why: mandatory, shown in the report")
    disable: bool = False
    severity: Severity | None = None


class Overlay(Strict):
    """Local tuning: disable or re-level rules by id, always with a reason."""

    overrides: list[Override]
