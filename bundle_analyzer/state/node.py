"""The node state: ENIs → IPs/prefixes → pods → policy rules → route tables → links, joined.

Built once per bundle from the parsed models; rules read it (through :mod:`cel_view`), the
report draws it, ``trace`` walks it. Facts keep a reference to the line they came from.
"""

from __future__ import annotations

import ipaddress

from typing import Any

from pydantic import BaseModel, Field, PrivateAttr

from bundle_analyzer.artifacts import Kind
from bundle_analyzer.bundle import Bundle
from bundle_analyzer.models.common import SourceRef
from bundle_analyzer.models.routing import IpRule, Route, normalise_table
from bundle_analyzer.state.config import Setting, effective_config
from bundle_analyzer.state.veth import veth_name
from bundle_analyzer.state.version import VersionEvidence, infer_cni_version
from bundle_analyzer.versions import parse_version


class EniState(BaseModel):
    id: str
    network_card: int = 0
    device_number: int
    primary: bool
    trunk: bool = False
    efa: bool = False
    table: str
    table_source: str
    subnet_id: str | None = None
    interface: str | None = None
    gateway: str | None = None
    ips: list[str] = Field(default_factory=list)
    assigned: list[str] = Field(default_factory=list)
    prefixes: list[str] = Field(default_factory=list)
    free: int = 0
    ref: SourceRef


class PodIpState(BaseModel):
    ip: str
    family: int = 4
    eni_id: str
    eni_primary: bool
    table: str
    assigned: bool
    namespace: str | None = None
    name: str | None = None
    container_id: str | None = None
    expected_veth: str | None = None
    route_dev: str | None = None
    route_ref: SourceRef | None = None
    from_rules: list[SourceRef] = Field(default_factory=list)
    from_rule_tables: list[str] = Field(default_factory=list)
    to_rule: SourceRef | None = None
    ref: SourceRef


class RuleState(BaseModel):
    rule: IpRule
    ref: SourceRef


class RouteState(BaseModel):
    route: Route
    ref: SourceRef


class NodeState(BaseModel):
    cni_version: str | None = None
    cni_version_source: str | None = None
    version: VersionEvidence = Field(default_factory=VersionEvidence)
    enis: list[EniState] = Field(default_factory=list)
    ips: list[PodIpState] = Field(default_factory=list)
    rules: list[RuleState] = Field(default_factory=list)
    routes: list[RouteState] = Field(default_factory=list)
    config: dict[str, Setting] = Field(default_factory=dict)
    veth_prefix: str = "eni"
    primary_ip: str | None = None
    primary_interface: str | None = None
    vpc_cidrs: list[str] = Field(default_factory=list)
    present: dict[str, bool] = Field(default_factory=dict)
    bundle_path: str = ""
    # The bundle itself, for the CEL view and trace to reach parsed files; not serialised.
    _bundle: Any = PrivateAttr(default=None)

    def cel_variables(self) -> dict:
        from bundle_analyzer.state.cel_view import cel_variables

        return cel_variables(self, self._bundle)

    def eni(self, eni_id: str) -> EniState | None:
        return next((e for e in self.enis if e.id == eni_id), None)

    def ip(self, address: str) -> PodIpState | None:
        return next((p for p in self.ips if p.ip == address), None)


def build_node_state(bundle: Bundle) -> NodeState:
    version = infer_cni_version(bundle)
    config = effective_config(bundle)
    state = NodeState(cni_version=version.version, cni_version_source=version.source, version=version,
                      config=config, bundle_path=bundle.path,
                      present={kind.value: bundle.has(kind) for kind in Kind})
    state.veth_prefix = config["AWS_VPC_K8S_CNI_VETHPREFIX"].value if "AWS_VPC_K8S_CNI_VETHPREFIX" in config else "eni"
    state._bundle = bundle
    _add_rules_and_routes(state, bundle)
    _add_enis(state, bundle)
    _add_pod_identities(state, bundle)
    _add_node_facts(state, bundle)
    return state


def _ref(path: str | None, line: int | None, excerpt: str | None = None) -> SourceRef:
    return SourceRef(path=path or "", line=line, excerpt=excerpt)


def _add_rules_and_routes(state: NodeState, bundle: Bundle) -> None:
    for kind in (Kind.ip_rule, Kind.ip6_rule):
        for artifact in bundle.all(kind):
            for rule in getattr(artifact.parsed.value, "rules", []) or []:
                state.rules.append(RuleState(rule=rule, ref=_ref(artifact.path, rule.line, rule.text)))
    for kind in (Kind.ip_route, Kind.ip6_route):
        for artifact in bundle.all(kind):
            for route in getattr(artifact.parsed.value, "routes", []) or []:
                state.routes.append(RouteState(route=route, ref=_ref(artifact.path, route.line, route.text)))


def _host(address: str | None) -> str | None:
    """``10.0.41.7/32`` → ``10.0.41.7``; networks stay as they are."""
    if address and address.endswith(("/32", "/128")):
        return address.rsplit("/", 1)[0]
    return address


def _add_enis(state: NodeState, bundle: Bundle) -> None:
    dump = bundle.first(Kind.ipamd_enis)
    if dump is None:
        return
    path = bundle.path_of(Kind.ipamd_enis)
    from_rules: dict[str, list[RuleState]] = {}
    for item in state.rules:
        if item.rule.priority == 1536 and item.rule.src and item.rule.action == "lookup":
            from_rules.setdefault(_host(item.rule.src), []).append(item)
    for eni in dump.enis:
        table, source = _eni_table(eni, state, from_rules)
        listed = [a.ip for c in eni.cidrs for a in c.addresses if not c.is_prefix]
        state_eni = EniState(
            id=eni.id, network_card=eni.network_card, device_number=eni.device_number, primary=eni.is_primary,
            trunk=eni.is_trunk, efa=eni.is_efa, table=table, table_source=source, subnet_id=eni.subnet_id,
            ips=[c.cidr.rsplit("/", 1)[0] for c in eni.cidrs if not c.is_prefix] or listed,
            assigned=[a.ip for c in (*eni.cidrs, *eni.ipv6_cidrs) for a in c.addresses if a.assigned],
            prefixes=[c.cidr for c in (*eni.cidrs, *eni.ipv6_cidrs) if c.is_prefix],
            free=sum(c.free for c in eni.cidrs), ref=_ref(path, eni.line, f"ENI {eni.id}"))
        default = next((r.route for r in state.routes if r.route.table == table and r.route.dst == "default"), None)
        if default is not None:
            state_eni.interface, state_eni.gateway = default.dev, default.via
        state.enis.append(state_eni)
        for cidr in (*eni.cidrs, *eni.ipv6_cidrs):
            for address in cidr.addresses:
                state.ips.append(_pod_ip(address, eni, state_eni, from_rules, state, path))


def _eni_table(eni, state: NodeState, from_rules: dict[str, list[RuleState]]) -> tuple[str, str]:
    """The route table ipamd programmed for this ENI (§5.2): read it, or derive and confirm it."""
    if eni.route_table_id is not None:
        return normalise_table(str(eni.route_table_id)), "RouteTableID"
    if eni.is_primary:
        return "main", "primary ENI"
    # DeviceNumber was DeviceIndex + 1 up to v1.7.1 and the real index after: the table is
    # DeviceIndex + 1 in both eras. When the version is unknown, the pods' own rules decide.
    candidates = [str(eni.device_number), str(eni.device_number + 1)]
    seen = {t for a in eni.addresses if a.assigned for r in from_rules.get(a.ip, []) for t in [r.rule.table]}
    for candidate in candidates:
        if candidate in seen:
            return candidate, "the pods' ip rules"
    version = parse_version(state.cni_version)
    if version is not None:
        table = eni.device_number if version <= (1, 7, 1) else eni.device_number + 1
        return str(table), f"DeviceNumber on CNI {state.cni_version}"
    if eni.route_table is not None:
        return normalise_table(str(eni.route_table)), "ENI dump generation"
    return str(eni.device_number + 1), "DeviceNumber + 1 (version unknown)"


def _pod_ip(address, eni, state_eni: EniState, from_rules, state: NodeState, path: str | None) -> PodIpState:
    ip = address.ip
    pod = PodIpState(ip=ip, family=6 if ":" in ip else 4, eni_id=eni.id, eni_primary=eni.is_primary, table=state_eni.table,
                     assigned=address.assigned, namespace=address.pod_namespace, name=address.pod_name,
                     container_id=address.container_id or None, ref=_ref(path, eni.line, f"{ip} on {eni.id}"))
    for item in from_rules.get(ip, []):
        pod.from_rules.append(item.ref)
        pod.from_rule_tables.append(item.rule.table or "")
    for item in state.rules:
        if item.rule.priority == 512 and _host(item.rule.dst) == ip:
            pod.to_rule = item.ref
            break
    for item in state.routes:
        route = item.route
        if route.table == "main" and route.type == "unicast" and _host(route.dst_network or route.dst) == ip:
            pod.route_dev, pod.route_ref = route.dev, item.ref
            break
    return pod


def _add_pod_identities(state: NodeState, bundle: Bundle) -> None:
    """Fill pod names where the ENI dump lacks them: the checkpoint (v1.7+) or /v1/pods (≤ v1.6)."""
    by_ip = {p.ip: p for p in state.ips}
    checkpoint = bundle.first(Kind.ipam_checkpoint)
    for allocation in getattr(checkpoint, "allocations", []) or []:
        target = by_ip.get(getattr(allocation, "ipv4", None) or getattr(allocation, "ipv6", None) or "")
        if target is None:
            continue
        target.namespace = target.namespace or allocation.pod_namespace
        target.name = target.name or allocation.pod_name
        target.container_id = target.container_id or allocation.container_id
    pods = bundle.first(Kind.ipamd_pods)
    for pod in getattr(pods, "pods", []) or []:
        target = by_ip.get(pod.ip)
        if target is not None:
            target.namespace = target.namespace or pod.namespace
            target.name = target.name or pod.pod_name
            target.container_id = target.container_id or pod.container_id
    for target in state.ips:
        if target.namespace and target.name:
            target.expected_veth = veth_name(target.namespace, target.name, state.veth_prefix)


def _add_node_facts(state: NodeState, bundle: Bundle) -> None:
    main_default = next((r.route for r in state.routes if r.route.table == "main" and r.route.dst == "default"), None)
    if main_default is not None:
        state.primary_interface = main_default.dev
    for item in state.routes:
        route = item.route
        if route.table == "main" and route.proto == "kernel" and route.dev == state.primary_interface and route.src:
            state.primary_ip = route.src
            break
    cidrs: list[str] = []
    for item in state.rules:
        rule = item.rule
        if rule.invert and rule.dst and rule.table == "main" and rule.src is None:
            cidrs.append(rule.dst)
        elif rule.priority == 1536 and rule.dst:
            cidrs.append(rule.dst)
    dump = bundle.first(Kind.iptables_save)
    nat = dump.tables.get("nat") if dump is not None else None
    for rule in (nat.rules if nat is not None else []):
        comment = rule.comment or ""
        if rule.dst and ("VPC CIDR" in comment or comment in ("AWS SNAT CHAIN", "AWS SNAT CHAN", "AWS, SNAT")):
            cidrs.append(rule.dst)
        if rule.target == "SNAT" and not state.primary_ip:
            for index, token in enumerate(rule.target_args):
                if token == "--to-source" and index + 1 < len(rule.target_args):
                    state.primary_ip = rule.target_args[index + 1]
    state.vpc_cidrs = sorted({c for c in cidrs if _is_network(c)})
    if state.primary_ip and not bundle.node.primary_ip:
        bundle.node.primary_ip = state.primary_ip


def _is_network(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return "/" in text
