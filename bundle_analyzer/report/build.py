"""Assemble the report's per-bundle section from a loaded bundle and its findings."""

from __future__ import annotations

from bundle_analyzer.bundle import Bundle
from bundle_analyzer.report.model import BundleReport, ConfigValue, EniSummary, Finding, NetworkView, TimelineEvent
from bundle_analyzer.report.network_view import build_network_view

MAX_TIMELINE = 300
NOTABLE_LEVELS = {"error", "critical"}


def bundle_report(bundle: Bundle, findings: list[Finding]) -> BundleReport:
    state = bundle.state
    return BundleReport(
        path=bundle.path, layout=bundle.layout, collector_version=bundle.collector_version,
        cni_version=state.cni_version if state else None,
        cni_version_source=state.cni_version_source if state else None,
        collected_at=bundle.collected_at, node=bundle.node, inventory=bundle.inventory,
        archive_problems=bundle.archive_problems,
        config=[ConfigValue(name=s.name, value=s.value, source=s.source) for s in state.config.values()] if state else [],
        enis=[EniSummary(id=e.id, device_number=e.device_number, network_card=e.network_card, primary=e.primary,
                         table=e.table, interface=e.interface, subnet_id=e.subnet_id, ips=len(e.ips),
                         prefixes=e.prefixes, assigned=e.assigned) for e in state.enis] if state else [],
        network=build_network_view(state) if state else NetworkView(),
        timeline=_timeline(bundle, findings),
    )


def _timeline(bundle: Bundle, findings: list[Finding]) -> list[TimelineEvent]:
    """Events behind findings, then other errors from the logs, in time order."""
    events: dict[tuple[str, int | None], TimelineEvent] = {}
    for finding in findings:
        for evidence in finding.evidence:
            if evidence.timestamp is not None:
                events[(evidence.path, evidence.line)] = TimelineEvent(
                    timestamp=evidence.timestamp, path=evidence.path, line=evidence.line,
                    message=evidence.excerpt or "", rule_id=finding.rule_id)
    for log in bundle.logs:
        for hit in log.hits:
            event = hit.event
            if len(events) >= MAX_TIMELINE:
                break
            if event.timestamp is None or (event.path, event.line) in events:
                continue
            if (event.level or "") in NOTABLE_LEVELS or any(k.startswith("fact:") for k in hit.keys):
                events[(event.path, event.line)] = TimelineEvent(
                    timestamp=event.timestamp, path=event.path, line=event.line, level=event.level,
                    message=event.message[:400])
    return sorted(events.values(), key=lambda e: (e.timestamp, e.path, e.line or 0))
