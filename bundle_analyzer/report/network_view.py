"""The node network picture from the node state: ENIs → IPs → pods/veths → rules → tables → links.

Broken links are computed from the state itself (a pod IP on a secondary ENI without its
``from`` rule, a host route through the wrong veth, a table without a default route), so the
picture shows damage even when no rule pack is loaded.
"""

from __future__ import annotations

from bundle_analyzer.report.model import NetworkLink, NetworkNode, NetworkView
from bundle_analyzer.state.node import NodeState

MAX_IPS = 200


def build_network_view(state: NodeState) -> NetworkView:
    view = NetworkView()
    nodes: dict[str, NetworkNode] = {}

    def node(node_id: str, kind: str, label: str, detail: str = "", broken: bool = False) -> str:
        existing = nodes.get(node_id)
        if existing is None:
            nodes[node_id] = NetworkNode(id=node_id, kind=kind, label=label, detail=detail, broken=broken)
        elif broken:
            existing.broken = True
        return node_id

    def link(source: str, target: str, kind: str, broken: bool = False, note: str = "") -> None:
        view.links.append(NetworkLink(source=source, target=target, kind=kind, broken=broken, note=note))

    tables_with_default = {r.route.table for r in state.routes if r.route.dst == "default"}
    for eni in state.enis:
        eni_id = node(f"eni:{eni.id}", "eni", eni.id,
                      f"device {eni.device_number}, table {eni.table}" + (", primary" if eni.primary else ""))
        table_broken = eni.table not in tables_with_default and bool(state.routes)
        table_id = node(f"table:{eni.table}", "table", f"table {eni.table}",
                        "no default route" if table_broken else "", table_broken)
        if eni.interface:
            link(table_id, node(f"if:{eni.interface}", "interface", eni.interface, eni.gateway or ""), "default via")
        elif table_broken:
            link(eni_id, table_id, "route table", broken=True, note="table has no default route")
    shown = [ip for ip in state.ips if ip.assigned][:MAX_IPS]
    for ip in shown:
        eni = state.eni(ip.eni_id)
        ip_id = node(f"ip:{ip.ip}", "ip", ip.ip)
        link(f"eni:{ip.eni_id}", ip_id, "holds")
        if ip.name:
            link(ip_id, node(f"pod:{ip.namespace}/{ip.name}", "pod", f"{ip.namespace}/{ip.name}"), "assigned to")
        _veth_link(ip, ip_id, node, link, bool(state.routes))
        needs_rule = eni is not None and not eni.primary
        if needs_rule and state.rules:
            rule_ok = eni.table in ip.from_rule_tables
            rule_id = node(f"rule:from:{ip.ip}", "rule", f"from {ip.ip} lookup {eni.table}",
                           "" if rule_ok else "missing", not rule_ok)
            link(ip_id, rule_id, "policy rule", broken=not rule_ok, note="" if rule_ok else "rule missing")
            link(rule_id, f"table:{eni.table}", "lookup")
        elif eni is not None and eni.primary:
            link(ip_id, node("table:main", "table", "table main"), "main table")
    view.nodes = list(nodes.values())
    known = {n.id for n in view.nodes}
    view.links = [lk for lk in view.links if lk.source in known and lk.target in known]
    return view


def _veth_link(ip, ip_id: str, node, link, have_routes: bool) -> None:
    if ip.route_dev:
        wrong = bool(ip.expected_veth) and ip.route_dev != ip.expected_veth
        veth = node(f"veth:{ip.route_dev}", "veth", ip.route_dev, "host route", wrong)
        link(ip_id, veth, "host route", broken=wrong,
             note=f"expected {ip.expected_veth}" if wrong else "")
    elif have_routes:
        label = ip.expected_veth or "no veth"
        veth = node(f"veth:missing:{ip.ip}", "veth", label, "no host route", True)
        link(ip_id, veth, "host route", broken=True, note="no main-table route to the pod")
