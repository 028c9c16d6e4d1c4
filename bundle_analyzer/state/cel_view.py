"""The node state as rules see it in CEL: plain maps and lists with stable, documented names.

Every list element carries ``ref`` ({path, line, excerpt}) so that a violation cites its line.
Absent values are empty strings / -1 rather than null, so expressions need no null checks.
The names here are part of the rule-writing contract (docs/writing-rules.md).
"""

from __future__ import annotations

from typing import Any

from bundle_analyzer.artifacts import Kind
from bundle_analyzer.models.common import SourceRef
from bundle_analyzer.versions import parse_version


def ref(source: SourceRef | None) -> dict[str, Any]:
    if source is None:
        return {"path": "", "line": 0, "excerpt": ""}
    return {"path": source.path, "line": source.line or 0, "excerpt": source.excerpt or ""}


def cel_variables(state, bundle) -> dict[str, Any]:
    version = parse_version(state.cni_version)
    low = parse_version(state.version.minimum)
    return {
        "cni": {
            "version": state.cni_version or "",
            "known": version is not None,
            "major": version[0] if version else -1,
            "minor": version[1] if version else -1,
            "patch": version[2] if version else -1,
            "at_least": list(version or low or (0, 0, 0)),
        },
        "node": {
            "primary_ip": state.primary_ip or "",
            "primary_interface": state.primary_interface or "",
            "vpc_cidrs": list(state.vpc_cidrs),
            "veth_prefix": state.veth_prefix,
            "instance_type": bundle.node.instance_type or "",
        },
        "has": dict(state.present),
        "config": {name: setting.value for name, setting in state.config.items()},
        "enis": [_eni(e) for e in state.enis],
        "ips": [_ip(p) for p in state.ips],
        "rules": [_rule(r) for r in state.rules],
        "routes": [_route(r) for r in state.routes],
        "iptables": _iptables(bundle),
        "sysctl": _sysctls(bundle),
        "links": _links(bundle),
        "metrics": _metrics(bundle),
    }


def _eni(eni) -> dict[str, Any]:
    return {
        "id": eni.id, "card": eni.network_card, "device_number": eni.device_number, "primary": eni.primary,
        "trunk": eni.trunk, "efa": eni.efa, "table": eni.table, "subnet": eni.subnet_id or "",
        "interface": eni.interface or "", "gateway": eni.gateway or "", "ips": eni.ips,
        "assigned": eni.assigned, "prefixes": eni.prefixes, "free": eni.free, "ref": ref(eni.ref),
    }


def _ip(pod) -> dict[str, Any]:
    return {
        "ip": pod.ip, "eni": pod.eni_id, "eni_primary": pod.eni_primary, "table": pod.table,
        "assigned": pod.assigned, "namespace": pod.namespace or "", "pod": pod.name or "",
        "container": pod.container_id or "", "veth": pod.expected_veth or "",
        "route_dev": pod.route_dev or "", "route_ref": ref(pod.route_ref),
        "from_rule_tables": pod.from_rule_tables, "has_to_rule": pod.to_rule is not None,
        "ref": ref(pod.ref),
    }


def _host(address: str | None) -> str:
    if address and address.endswith(("/32", "/128")):
        return address.rsplit("/", 1)[0]
    return address or ""


def _rule(item) -> dict[str, Any]:
    rule = item.rule
    return {
        "priority": rule.priority, "not": rule.invert, "src": _host(rule.src), "dst": _host(rule.dst),
        "table": rule.table or "", "action": rule.action, "fwmark": rule.fwmark if rule.fwmark is not None else -1,
        "iif": rule.iif or "", "oif": rule.oif or "", "text": rule.text, "ref": ref(item.ref),
    }


def _route(item) -> dict[str, Any]:
    route = item.route
    return {
        "table": route.table, "type": route.type, "dst": _host(route.dst), "via": route.via or "",
        "dev": route.dev or "", "proto": route.proto or "", "scope": route.scope or "", "src": route.src or "",
        "text": route.text, "ref": ref(item.ref),
    }


def _iptables(bundle) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for kind in (Kind.iptables_save, Kind.ip6tables_save):
        for artifact in bundle.all(kind):
            dump = artifact.parsed.value
            if dump is None:
                continue
            for table in dump.tables.values():
                for rule in table.rules:
                    rules.append({
                        "family": dump.family, "table": rule.table, "chain": rule.chain, "target": rule.target or "",
                        "target_args": " ".join(rule.target_args), "comment": rule.comment or "",
                        "src": rule.src or "", "dst": rule.dst or "", "src_not": rule.src_negated,
                        "dst_not": rule.dst_negated, "in": rule.in_iface or "", "out": rule.out_iface or "",
                        "text": rule.text, "ref": {"path": artifact.path, "line": rule.line, "excerpt": rule.text},
                    })
    return rules


def _sysctls(bundle) -> dict[str, str]:
    model = bundle.first(Kind.sysctls)
    return dict(getattr(model, "values", {}) or {})


def _links(bundle) -> list[dict[str, Any]]:
    model = bundle.first(Kind.ifconfig) or bundle.first(Kind.ip_addr)
    links = []
    for link in getattr(model, "links", []) or []:
        links.append({"name": link.name, "mac": link.mac or "", "mtu": link.mtu if link.mtu is not None else -1,
                      "up": bool(link.up), "ipv4": list(link.ipv4)})
    return links


def _metrics(bundle) -> dict[str, float]:
    """Unlabelled view: each metric name → the sum of its samples (enough for threshold checks)."""
    model = bundle.first(Kind.ipamd_metrics)
    totals: dict[str, float] = {}
    for sample in getattr(model, "samples", []) or []:
        if sample.value == sample.value and sample.value not in (float("inf"), float("-inf")):
            totals[sample.name] = totals.get(sample.name, 0.0) + sample.value
    return totals
