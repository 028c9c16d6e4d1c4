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
            "instance_id": bundle.node.instance_id or "",
            "collected_at": bundle.collected_at.isoformat() if bundle.collected_at else "",
        },
        "has": dict(state.present),
        "config": {name: setting.value for name, setting in state.config.items()},
        "config_refs": {name: {"path": setting.source.split(" (")[0], "line": 0, "excerpt": f"{name}={setting.value}"}
                        for name, setting in state.config.items()},
        "enis": [_eni(e) for e in state.enis],
        "ips": [_ip(p) for p in state.ips],
        "rules": [_rule(r) for r in state.rules],
        "routes": [_route(r) for r in state.routes],
        "iptables": _iptables(bundle),
        "sysctl": _sysctls(bundle),
        "sysctl_refs": _sysctl_refs(bundle),
        "links": _links(bundle),
        "metrics": _metrics(bundle),
        "metric_samples": _metric_samples(bundle),
        "iptables_chains": _iptables_chains(bundle),
        "iptables_dumps": _iptables_dumps(bundle),
        "nftables": _nftables(bundle),
        "kubelet": _kubelet(bundle),
        "limits": _limits(bundle),
        "ec2": _ec2(bundle),
        "checkpoint": _checkpoint(bundle),
        "eni_config": _eni_config(bundle),
        "conflists": _conflists(bundle),
        "ethtool": _ethtool(bundle),
        "ethtool_refs": _ethtool_refs(bundle),
        "conntrack": _conntrack(bundle),
        "logs": [{"path": log.path, "kind": log.kind.value, "format": log.format, "lines": log.lines,
                  "bytes": log.size} for log in bundle.logs],
        "texts": dict(bundle.texts),
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
        "ip": pod.ip, "family": pod.family, "eni": pod.eni_id, "eni_primary": pod.eni_primary, "table": pod.table,
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
        "family": 6 if item.ref.path.endswith(("ip6rule.txt",)) or ":" in (rule.src or rule.dst or "") else 4,
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


def _sysctl_refs(bundle) -> dict[str, dict[str, Any]]:
    model = bundle.first(Kind.sysctls)
    path = bundle.path_of(Kind.sysctls) or ""
    values = getattr(model, "values", {}) or {}
    return {key: {"path": path, "line": line, "excerpt": f"{key} = {values.get(key, '')}"}
            for key, line in (getattr(model, "lines", {}) or {}).items()}


def _links(bundle) -> list[dict[str, Any]]:
    model = bundle.first(Kind.ifconfig) or bundle.first(Kind.ip_addr)
    links = []
    found = getattr(model, "links", None) or {}
    path = bundle.path_of(Kind.ifconfig) or bundle.path_of(Kind.ip_addr) or ""
    for link in (found.values() if isinstance(found, dict) else found):
        links.append({"name": link.name, "mac": link.mac or "", "mtu": link.mtu if link.mtu is not None else -1,
                      "up": bool(link.up), "flags": list(link.flags), "ipv4": list(link.ipv4),
                      "ref": {"path": path, "line": link.line, "excerpt": f"{link.name} {','.join(link.flags)}"}})
    return links


def _metrics(bundle) -> dict[str, float]:
    """Unlabelled view: each metric name → the sum of its samples (enough for threshold checks)."""
    model = bundle.first(Kind.ipamd_metrics)
    totals: dict[str, float] = {}
    for sample in getattr(model, "samples", []) or []:
        if sample.value == sample.value and sample.value not in (float("inf"), float("-inf")):
            totals[sample.name] = totals.get(sample.name, 0.0) + sample.value
    return totals


def _metric_samples(bundle) -> list[dict[str, Any]]:
    model = bundle.first(Kind.ipamd_metrics)
    path = bundle.path_of(Kind.ipamd_metrics) or ""
    return [{"name": s.name, "labels": dict(s.labels), "value": s.value,
             "ref": {"path": path, "line": s.line, "excerpt": f"{s.name}{s.labels or ''} {s.value}"}}
            for s in (getattr(model, "samples", []) or []) if s.value == s.value]


def _iptables_chains(bundle) -> list[dict[str, Any]]:
    chains = []
    for kind in (Kind.iptables_save, Kind.ip6tables_save):
        for artifact in bundle.all(kind):
            dump = artifact.parsed.value
            for table in (dump.tables.values() if dump is not None else []):
                for chain in table.chains.values():
                    chains.append({"family": dump.family, "table": table.name, "name": chain.name,
                                   "policy": chain.policy or "-", "rules": len(table.rules_in(chain.name))
                                   if hasattr(table, "rules_in") else -1,
                                   "ref": {"path": artifact.path, "line": chain.line, "excerpt": f":{chain.name}"}})
    return chains


def _kubelet(bundle) -> dict[str, Any]:
    config = bundle.first(Kind.kubelet_config)
    service = bundle.first(Kind.kubelet_service)
    max_pods, source = -1, ""
    if config is not None and config.max_pods is not None:
        max_pods, source = config.max_pods, bundle.path_of(Kind.kubelet_config) or ""
    flag = service.max_pods if service is not None and hasattr(service, "max_pods") else None
    if isinstance(flag, int):
        max_pods, source = flag, bundle.path_of(Kind.kubelet_service) or ""
    raw = getattr(config, "raw", {}) or {}
    port = raw.get("port") if isinstance(raw.get("port"), int) else 10250
    return {"max_pods": max_pods, "max_pods_source": source, "port": port}


def _instance_type(bundle) -> str:
    if bundle.node.instance_type:
        return bundle.node.instance_type
    for doc in _ec2_docs(bundle):
        for instance in doc.instances:
            if instance.type and (not bundle.node.instance_id or instance.id == bundle.node.instance_id):
                return instance.type
    return ""


def _limits(bundle) -> dict[str, Any]:
    from bundle_analyzer.state.limits import limits_for, max_pods

    name = _instance_type(bundle)
    found = limits_for(name) if name else None
    if found is None:
        return {"instance_type": name, "known": False, "enis": -1, "ipv4_per_eni": -1, "max_pods": -1,
                "max_pods_pd": -1, "max_pods_custom": -1, "nitro": False, "bare_metal": False}
    return {"instance_type": name, "known": True, "enis": found.enis, "ipv4_per_eni": found.ipv4_per_eni,
            "max_pods": max_pods(found), "max_pods_pd": max_pods(found, prefix_delegation=True),
            "max_pods_custom": max_pods(found, custom_networking=True), "nitro": found.is_nitro,
            "bare_metal": bool(found.bare_metal)}


def _ec2_docs(bundle) -> list:
    return [a.parsed.value for a in bundle.all(Kind.ec2_json) if a.parsed.value is not None]


def _ec2(bundle) -> dict[str, Any]:
    enis, subnets, instances = [], [], []
    for artifact in bundle.all(Kind.ec2_json):
        doc = artifact.parsed.value
        if doc is None:
            continue
        for eni in doc.network_interfaces:
            attachment = eni.attachment
            enis.append({
                "id": eni.id or "", "status": eni.status or "", "description": eni.description or "",
                "type": eni.interface_type or "", "subnet": eni.subnet_id or "", "vpc": eni.vpc_id or "",
                "owner": eni.owner_id or "", "requester": eni.requester_id or "",
                "requester_managed": bool(eni.requester_managed), "mac": eni.mac or "",
                "private_ip": eni.private_ip or "", "private_ips": [p.ip for p in eni.private_ips],
                "prefixes": list(getattr(eni, "ipv4_prefixes", []) or []),
                "groups": [g.id or "" for g in eni.groups], "group_names": [g.name or "" for g in eni.groups],
                "tags": dict(eni.tags), "device_index": attachment.device_index if attachment and
                attachment.device_index is not None else -1,
                "card": attachment.network_card_index if attachment and attachment.network_card_index is not None else 0,
                "instance": (attachment.instance_id or "") if attachment else "",
                "instance_owner": (attachment.instance_owner_id or "") if attachment else "",
                "cni_managed": eni.is_cni_managed, "control_plane": eni.is_control_plane_eni,
                "cluster": eni.cluster_name or "", "trunk": eni.is_trunk, "branch": eni.is_branch,
                "ref": {"path": artifact.path, "line": eni.line or 0, "excerpt": f"{eni.id} {eni.description or ''}"}})
        for subnet in doc.subnets:
            subnets.append({"id": subnet.id or "", "cidr": subnet.cidr or "", "available": subnet.available_ips
                            if subnet.available_ips is not None else -1, "az": subnet.az or "",
                            "tags": dict(subnet.tags),
                            "ref": {"path": artifact.path, "line": subnet.line or 0, "excerpt": subnet.id or ""}})
        for instance in doc.instances:
            instances.append({"id": instance.id or "", "type": instance.type or "", "subnet": instance.subnet_id or "",
                              "vpc": instance.vpc_id or "", "private_ip": instance.private_ip or "",
                              "http_tokens": instance.http_tokens or "", "state": instance.state or "",
                              "ref": {"path": artifact.path, "line": instance.line or 0, "excerpt": instance.id or ""}})
    return {"present": bool(_ec2_docs(bundle)), "enis": enis, "subnets": subnets, "instances": instances}


def _checkpoint(bundle) -> list[dict[str, Any]]:
    out = []
    for artifact in bundle.all(Kind.ipam_checkpoint):
        model = artifact.parsed.value
        for a in (getattr(model, "allocations", []) or []):
            out.append({"ip": a.ipv4 or a.ipv6 or "", "network": a.network_name or "", "container": a.container_id or "",
                        "if_name": a.if_name or "", "namespace": a.pod_namespace or "", "pod": a.pod_name or "",
                        "card": getattr(model, "network_card", 0),
                        "ref": {"path": artifact.path, "line": a.line, "excerpt": f"{a.ipv4 or a.ipv6} {a.container_id}"}})
    return out


def _eni_config(bundle) -> dict[str, Any]:
    model = bundle.first(Kind.eni_configs)
    if model is None:
        return {"present": False, "node_config": "", "configs": []}
    return {"present": True, "node_config": model.node_config_name or "",
            "configs": [{"name": c.name, "subnet": c.subnet or "", "security_groups": list(c.security_groups)}
                        for c in model.configs]}


def _conflists(bundle) -> list[dict[str, Any]]:
    artifacts = sorted((a for a in bundle.all(Kind.cni_config) if a.parsed.value is not None),
                       key=lambda a: a.path.rsplit("/", 1)[-1])
    out = []
    for index, artifact in enumerate(artifacts):
        config = artifact.parsed.value
        plugin = config.aws_plugin
        out.append({"path": artifact.path, "file": artifact.path.rsplit("/", 1)[-1], "effective": index == 0,
                    "name": config.name or "", "aws": bool(config.is_aws), "types": config.plugin_types,
                    "cni_version": config.cni_version or "",
                    "veth_prefix": (plugin.veth_prefix or "") if plugin else "",
                    "mtu": plugin.mtu if plugin and plugin.mtu is not None else -1,
                    "egress_enabled": _egress_enabled(config),
                    "ref": {"path": artifact.path, "line": config.line, "excerpt": artifact.path}})
    return out


def _ethtool(bundle) -> dict[str, dict[str, int]]:
    model = bundle.first(Kind.ethtool)
    return {k: dict(v) for k, v in (getattr(model, "interfaces", {}) or {}).items()}


def _ethtool_refs(bundle) -> dict[str, dict[str, Any]]:
    """Where each interface's block starts in ethtool.txt, to cite a counter's interface."""
    model = bundle.first(Kind.ethtool)
    path = bundle.path_of(Kind.ethtool) or ""
    return {name: {"path": path, "line": line, "excerpt": f"Interface {name}"}
            for name, line in (getattr(model, "lines", {}) or {}).items()}


def _conntrack(bundle) -> dict[str, Any]:
    model = bundle.first(Kind.conntrack)
    if model is None:
        return {"present": False, "entries": -1, "stats": {}}
    return {"present": True, "entries": model.entry_count, "stats": dict(model.totals)}


def _egress_enabled(config) -> str:
    plugin = config.egress_plugin
    if plugin is None or plugin.enabled is None:
        return ""
    return "true" if plugin.enabled else "false"


def _iptables_dumps(bundle) -> list[dict[str, Any]]:
    dumps = []
    for kind in (Kind.iptables_save, Kind.ip6tables_save):
        for artifact in bundle.all(kind):
            dump = artifact.parsed.value
            if dump is not None:
                dumps.append({"path": artifact.path, "family": dump.family, "generator": dump.generator or "",
                              "backend": dump.backend or "", "warnings": list(dump.warnings),
                              "tables": sorted(dump.tables)})
    return dumps


def _nftables(bundle) -> list[dict[str, Any]]:
    """``nft list table`` files of node-monitoring-agent bundles: family and table from the file name."""
    out = []
    for entry in bundle.inventory:
        if entry.kind != Kind.nftables.value:
            continue
        stem = entry.path.rsplit("/", 1)[-1].removeprefix("nftables-").removesuffix(".txt")
        family, _, table = stem.partition("-")
        out.append({"path": entry.path, "family": family, "table": table,
                    "text": bundle.text_files.get(entry.path, "")})
    return out
