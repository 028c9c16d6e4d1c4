"""The report: the public JSON contract (docs/report-schema.json is generated from these models).

Field names here are the contract in ``report-contract.md``; fields may be added, never renamed.
Renderers (console, Markdown, HTML, JSON) read only this model, so a report can be rendered
again later from its JSON alone.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from bundle_analyzer.models.common import ArtifactStatus, Severity, SourceRef

SCHEMA_VERSION = "1"


class Layout(StrEnum):
    eks_log_collector = "eks-log-collector"
    aws_cni_support_legacy = "aws-cni-support-legacy"
    eks_node_monitoring_agent = "eks-node-monitoring-agent"
    directory = "directory"
    files = "files"


class RuleStatus(StrEnum):
    """Every loaded rule ends in exactly one of these."""

    fired = "fired"
    passed = "passed"
    skipped = "skipped"
    error = "error"


class ToolInfo(BaseModel):
    name: Literal["cnibundle"] = "cnibundle"
    version: str


class NodeInfo(BaseModel):
    instance_id: str | None = None
    instance_type: str | None = None
    region: str | None = None
    az: str | None = None
    primary_ip: str | None = None
    hostname: str | None = None


class InventoryEntry(BaseModel):
    path: str
    kind: str | None = None
    status: ArtifactStatus
    detail: str = ""
    size: int | None = None


class Evidence(SourceRef):
    """A line of the bundle behind a finding (path inside the bundle, 1-based line)."""


class Finding(BaseModel):
    rule_id: str
    title: str
    severity: Severity
    category: str
    message: str
    bundle: str
    evidence: list[Evidence] = Field(default_factory=list)
    count: int = 1
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    remediation: str = ""
    references: list[str] = Field(default_factory=list)
    # Ids of findings (rule ids) this one explains or is explained by: the root cause leads.
    caused_by: list[str] = Field(default_factory=list)
    explains: list[str] = Field(default_factory=list)
    suppressed: str | None = None


class RuleResult(BaseModel):
    rule_id: str
    status: RuleStatus
    reason: str = ""
    bundle: str | None = None


class Summary(BaseModel):
    critical: int = 0
    error: int = 0
    warning: int = 0
    info: int = 0
    rules_run: int = 0
    rules_skipped: int = 0
    rules_errored: int = 0
    suppressed: int = 0


class NetworkLink(BaseModel):
    """One edge of the node network view: e.g. pod IP -> veth, IP -> ENI, rule -> table."""

    source: str
    target: str
    kind: str
    broken: bool = False
    note: str = ""


class NetworkNode(BaseModel):
    id: str
    kind: Literal["eni", "ip", "prefix", "pod", "veth", "rule", "table", "interface"]
    label: str
    detail: str = ""
    broken: bool = False


class NetworkView(BaseModel):
    """The picture an engineer draws by hand: ENIs -> IPs -> pods -> rules -> tables -> links."""

    nodes: list[NetworkNode] = Field(default_factory=list)
    links: list[NetworkLink] = Field(default_factory=list)


class TimelineEvent(BaseModel):
    timestamp: datetime
    path: str
    line: int | None = None
    level: str | None = None
    message: str
    rule_id: str | None = None


class ConfigValue(BaseModel):
    name: str
    value: str
    source: str


class EniSummary(BaseModel):
    """One ENI as ipamd saw it, joined with its route table and interface."""

    id: str
    device_number: int
    network_card: int = 0
    primary: bool
    table: str
    interface: str | None = None
    subnet_id: str | None = None
    ips: int = 0
    prefixes: list[str] = Field(default_factory=list)
    assigned: list[str] = Field(default_factory=list)


class BundleReport(BaseModel):
    path: str
    layout: Layout
    collector_version: str | None = None
    cni_version: str | None = None
    cni_version_source: str | None = None
    collected_at: datetime | None = None
    node: NodeInfo = Field(default_factory=NodeInfo)
    inventory: list[InventoryEntry] = Field(default_factory=list)
    archive_problems: list[str] = Field(default_factory=list)
    config: list[ConfigValue] = Field(default_factory=list)
    enis: list[EniSummary] = Field(default_factory=list)
    network: NetworkView = Field(default_factory=NetworkView)
    timeline: list[TimelineEvent] = Field(default_factory=list)


class Report(BaseModel):
    schema_version: Literal["1"] = SCHEMA_VERSION
    tool: ToolInfo
    bundles: list[BundleReport] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    rule_results: list[RuleResult] = Field(default_factory=list)
    summary: Summary = Field(default_factory=Summary)
    redacted: bool = False

    def worst_severity(self) -> Severity | None:
        active = [f.severity for f in self.findings if f.suppressed is None]
        return max(active, key=lambda s: s.rank) if active else None
