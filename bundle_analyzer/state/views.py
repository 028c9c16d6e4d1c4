"""Tabular views of the node state for ``cnibundle show`` (the joined ``/v1/enis`` view)."""

from __future__ import annotations

from bundle_analyzer.artifacts import Kind
from bundle_analyzer.bundle import Bundle

Rows = tuple[list[str], list[list]]


def state_rows(bundle: Bundle, view: str) -> Rows:
    return {"enis": _enis, "ips": _ips, "pods": _pods, "rules": _rules, "routes": _routes,
            "iptables": _iptables, "config": _config, "control-plane": _control_plane}[view](bundle)


def _control_plane(bundle: Bundle) -> Rows:
    from bundle_analyzer.state.control_plane import control_plane_view

    view = control_plane_view(bundle)
    columns = ["what", "status", "detail"]
    rows = [[f"ENI {e.id}", "cross-account", f"cluster {e.cluster}, {e.private_ip} in {e.subnet_id}, groups "
             f"{', '.join(e.security_groups) or 'none'}, owner {e.owner_id}, requester {e.requester_id}"]
            for e in view.enis]
    rows += [[c.subject, {True: "ok", False: "PROBLEM", None: "unknown"}[c.ok], c.detail] for c in view.checks]
    return columns, rows


def _enis(bundle: Bundle) -> Rows:
    state = bundle.state
    columns = ["eni", "card", "device", "primary", "table", "interface", "gateway", "subnet", "ips", "assigned",
               "prefixes", "free", "table from"]
    rows = [[e.id, e.network_card, e.device_number, e.primary, e.table, e.interface, e.gateway, e.subnet_id,
             len(e.ips), len(e.assigned), e.prefixes, e.free, e.table_source] for e in state.enis]
    return columns, rows


def _ips(bundle: Bundle) -> Rows:
    columns = ["ip", "eni", "table", "assigned", "pod", "veth (route)", "veth (expected)", "from rule", "to rule",
               "problem"]
    rows = []
    for ip in bundle.state.ips:
        rows.append([ip.ip, ip.eni_id, ip.table, ip.assigned, f"{ip.namespace}/{ip.name}" if ip.name else "",
                     ip.route_dev, ip.expected_veth, ", ".join(ip.from_rule_tables), ip.to_rule is not None,
                     _ip_problem(bundle, ip)])
    return columns, rows


def _ip_problem(bundle: Bundle, ip) -> str:
    if not ip.assigned:
        return ""
    problems = []
    if bundle.state.routes and ip.route_dev is None:
        problems.append("no host route")
    elif ip.expected_veth and ip.route_dev and ip.route_dev != ip.expected_veth:
        problems.append(f"route via {ip.route_dev}, veth is {ip.expected_veth}")
    if bundle.state.rules and not ip.eni_primary and ip.table not in ip.from_rule_tables:
        problems.append(f"no 'from {ip.ip} lookup {ip.table}'")
    if bundle.state.rules and ip.to_rule is None:
        problems.append("no 512 'to' rule")
    return "; ".join(problems)


def _pods(bundle: Bundle) -> Rows:
    columns = ["namespace", "pod", "ip", "eni", "veth", "container"]
    rows = [[ip.namespace, ip.name, ip.ip, ip.eni_id, ip.route_dev or ip.expected_veth, ip.container_id]
            for ip in bundle.state.ips if ip.assigned]
    return columns, rows


def _rules(bundle: Bundle) -> Rows:
    columns = ["priority", "rule", "table", "file:line"]
    rows = [[r.rule.priority, r.rule.text.split(":", 1)[-1].strip(), r.rule.table, f"{r.ref.path}:{r.ref.line}"]
            for r in sorted(bundle.state.rules, key=lambda r: r.rule.priority)]
    return columns, rows


def _routes(bundle: Bundle) -> Rows:
    columns = ["table", "type", "destination", "via", "dev", "src", "file:line"]
    rows = [[r.route.table, r.route.type, r.route.dst, r.route.via, r.route.dev, r.route.src,
             f"{r.ref.path}:{r.ref.line}"] for r in bundle.state.routes]
    return columns, rows


def _iptables(bundle: Bundle) -> Rows:
    columns = ["table", "chain", "rule", "file:line"]
    rows = []
    for artifact in bundle.all(Kind.iptables_save) + bundle.all(Kind.ip6tables_save):
        dump = artifact.parsed.value
        for table in (dump.tables.values() if dump else []):
            for rule in table.rules:
                rows.append([table.name, rule.chain, rule.text, f"{artifact.path}:{rule.line}"])
    return columns, rows


def _config(bundle: Bundle) -> Rows:
    state = bundle.state
    columns = ["setting", "value", "from"]
    rows = [[s.name, s.value, s.source] for s in state.config.values()]
    rows.insert(0, ["CNI version", state.cni_version or "unknown", state.cni_version_source or ""])
    return columns, rows
