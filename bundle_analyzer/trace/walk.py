"""Walk a packet from a pod through the node, the way the NET410 workshop does by hand.

Order (netfilter + routing): the pod's own default route to 169.254.1.1 and its host veth;
mangle/nat PREROUTING (kube-proxy DNAT, CNI connmark); the policy-routing decision; filter
FORWARD; nat POSTROUTING (kube-proxy masquerade, AWS-SNAT-CHAIN); the egress interface and its
ENI; then the reply's way back (the ``to <pod> lookup main`` rule, the veth route, rp_filter).
Each hop names the bundle line that decided it; a break names the rule of the pack that explains it.
"""

from __future__ import annotations

import ipaddress

from bundle_analyzer.artifacts import Kind
from bundle_analyzer.state.node import NodeState, PodIpState
from bundle_analyzer.trace.iptables_eval import EvalContext, chain_jumps, run_chain
from bundle_analyzer.trace.model import Hop, HopVerdict, TraceResult
from bundle_analyzer.trace.packet import Packet, in_network
from bundle_analyzer.trace.routing import decide, longest_match


class TraceError(ValueError):
    """The trace cannot start: the source is not a pod on this node, or an address is malformed."""


def resolve_endpoint(state: NodeState, text: str) -> str:
    """An IP as given, or a pod name (``name`` or ``namespace/name``) known to the bundle."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    namespace, _, name = text.rpartition("/")
    for pod in state.ips:
        if pod.name == name and (not namespace or pod.namespace == namespace):
            return pod.ip
    raise TraceError(f"{text!r} is neither an IP address nor a pod this bundle knows")


def trace_path(bundle, source: str, destination: str, *, proto: str = "tcp", port: int | None = None) -> TraceResult:
    state: NodeState = bundle.state
    src = resolve_endpoint(state, source)
    dst = resolve_endpoint(state, destination)
    pod = state.ip(src)
    if pod is None or not pod.assigned:
        raise TraceError(f"{src} is not an assigned pod IP in this bundle's /v1/enis (trace starts from a pod)")
    result = TraceResult(source=src, destination=dst, protocol=proto, port=port)
    walker = _Walker(bundle, state, result)
    walker.run(pod, Packet(src=src, dst=dst, proto=proto, dport=port, sport=40000 if port else None))
    return result


class _Walker:
    def __init__(self, bundle, state: NodeState, result: TraceResult):
        self.bundle = bundle
        self.state = state
        self.result = result
        self.dump = bundle.first(Kind.iptables_save)
        self.iptables_path = bundle.path_of(Kind.iptables_save)
        self.locals = self._local_addresses()

    # -- helpers ---------------------------------------------------------------------------
    def hop(self, stage: str, decision: str, verdict: HopVerdict = HopVerdict.ok, *, ref=None, table=None,
            interface=None, explained_by=None, rule=None) -> Hop:
        path = line = excerpt = None
        if ref is not None:
            path, line, excerpt = ref.path, ref.line, ref.excerpt
        if rule is not None:
            path, line, excerpt = self.iptables_path, rule.line, rule.text
        hop = Hop(stage=stage, decision=decision, verdict=verdict, table=table, interface=interface,
                  path=path, line=line, excerpt=excerpt, explained_by=explained_by)
        self.result.hops.append(hop)
        return hop

    def broken(self, stage: str, decision: str, explained_by: str | None = None, **kw) -> None:
        self.hop(stage, decision, HopVerdict.broken, explained_by=explained_by, **kw)
        self.result.summary = decision

    def _local_addresses(self) -> set[str]:
        found = {r.route.dst for r in self.state.routes if r.route.type == "local" and "/" not in r.route.dst}
        if self.state.primary_ip:
            found.add(self.state.primary_ip)
        return found

    # -- the walk --------------------------------------------------------------------------
    def run(self, pod: PodIpState, packet: Packet) -> None:
        veth = self.pod_side(pod)
        if veth is None:
            return
        packet = packet.with_(iif=veth)
        packet, ctmark = self.prerouting(packet)
        if packet is None:
            return
        decision = self.route(packet, pod)
        if decision is None:
            return
        out_if, local = decision
        if local:
            self.hop("local", f"{packet.dst} is an address of this node: delivered to the host stack")
            self.result.delivered = True
            return
        target_pod = self.state.ip(packet.dst)
        if not self.forward(packet, out_if):
            return
        packet = self.postrouting(packet, out_if, ctmark)
        if target_pod is not None and target_pod.assigned and out_if == target_pod.route_dev:
            self.hop("delivery", f"stays on the node: into the veth {out_if} of "
                     f"{_pod_name(target_pod)}", interface=out_if, ref=target_pod.route_ref)
            self.result.delivered = True
            self.result.summary = f"{self.result.source} → {packet.dst} stays on the node through {out_if}"
            return
        self.egress(pod, packet, out_if)
        if self.result.broken:
            return
        self.return_path(pod, packet, out_if)
        if not self.result.broken:
            self.result.delivered = True
            self.result.summary = self.result.summary or f"{self.result.source} → {self.result.destination} leaves by {out_if}"

    def pod_side(self, pod: PodIpState) -> str | None:
        self.hop("pod", f"inside the pod: default via 169.254.1.1 dev eth0; 169.254.1.1 is a permanent ARP entry "
                 f"for the host-side veth's MAC (set by the CNI at ADD)", HopVerdict.note, ref=pod.ref)
        if pod.route_dev is None:
            if not self.state.routes:
                self.hop("pod", "no route dump in the bundle: the host veth is unknown", HopVerdict.note)
                return pod.expected_veth or "eni+"
            self.broken("pod", f"no main-table route to {pod.ip} on the host: the pod's veth is not wired "
                        f"(expected {pod.expected_veth or 'a veth'})", "pod-host-route-missing-or-wrong-veth")
            return None
        if pod.expected_veth and pod.route_dev != pod.expected_veth:
            self.broken("pod", f"host route to {pod.ip} points at {pod.route_dev}, but the pod's veth is "
                        f"{pod.expected_veth}", "pod-host-route-missing-or-wrong-veth", ref=pod.route_ref)
            return None
        self.hop("pod", f"enters the host through veth {pod.route_dev} ({_pod_name(pod)})", ref=pod.route_ref,
                 interface=pod.route_dev)
        return pod.route_dev

    def prerouting(self, packet: Packet) -> tuple[Packet | None, int]:
        ctmark = 0
        if self.dump is None:
            self.hop("prerouting", "no iptables-save in the bundle: NAT and marks not evaluated", HopVerdict.note)
            return packet, ctmark
        context = EvalContext(self.dump, self.locals)
        for table in ("mangle", "nat"):
            if table not in self.dump.tables:
                continue
            outcome = run_chain(context, table, "PREROUTING", packet, ctmark)
            for step in outcome.steps:
                changed = step.effect.startswith(("DNAT", "mark", "restore", "connmark"))
                self.hop("prerouting", f"{table}/{step.rule.chain}: {step.effect}",
                         HopVerdict.changed if changed else HopVerdict.ok, rule=step.rule, table=f"{table} {step.rule.chain}")
            for note in outcome.notes:
                self.hop("prerouting", note, HopVerdict.note)
            ctmark = outcome.ctmark
            if outcome.verdict in ("DROP", "REJECT"):
                self.broken("prerouting", f"{table} PREROUTING {outcome.verdict}s the packet",
                            "unexpected-iptables-reject-rule")
                return None, ctmark
            if table == "nat" and not self._service_checked(outcome, packet):
                return None, ctmark
            packet = outcome.packet
        return packet, ctmark

    def _service_checked(self, outcome, before: Packet) -> bool:
        """A ClusterIP whose KUBE-SVC chain has no endpoints is a break, not a silent pass."""
        for step in outcome.steps:
            target = step.rule.target or ""
            if target.startswith("KUBE-SVC-"):
                endpoints = chain_jumps(self.dump, "nat", target)
                names = ", ".join(_sep_destination(self.dump, r.target) for r in endpoints)
                self.hop("prerouting", f"service {before.dst}:{before.dport} has {len(endpoints)} endpoint(s): "
                         f"{names or 'none'}", HopVerdict.note, rule=step.rule)
                if not endpoints:
                    self.broken("prerouting", f"service {before.dst}:{before.dport} has no endpoints",
                                rule=step.rule)
                    return False
        filter_table = self.dump.tables.get("filter")
        if filter_table is not None:
            for rule in filter_table.rules_in("KUBE-SERVICES"):
                if rule.target == "REJECT" and rule.dst and in_network(before.dst, rule.dst) and \
                        "--dport" in rule.args and str(before.dport) in rule.args:
                    self.broken("prerouting", f"kube-proxy rejects {before.dst}:{before.dport}: "
                                f"{rule.comment or 'service has no endpoints'}", rule=rule)
                    return False
        return True

    def route(self, packet: Packet, pod: PodIpState) -> tuple[str, bool] | None:
        if not self.state.rules:
            route = longest_match(self.state, "main", packet.dst)
            self.hop("routing", "no ip rule dump in the bundle: assumed the default rules (main table)",
                     HopVerdict.note)
            if route is None:
                self.broken("routing", f"no route to {packet.dst} in the main table",
                            "eni-route-table-missing-default")
                return None
            self.hop("routing", f"main: {route.route.text}", ref=route.ref, table="main", interface=route.route.dev)
            return route.route.dev or "", False
        decision = decide(self.state, packet)
        for item in decision.tried[:-1] if decision.route else decision.tried:
            self.hop("routing", f"rule {item.rule.priority} matched but table {item.rule.table} has no route "
                     f"to {packet.dst}: next rule", HopVerdict.note, ref=item.ref, table=item.rule.table)
        if decision.verdict == "none":
            self.broken("routing", f"no policy rule leads to a table with a route to {packet.dst}",
                        "eni-route-table-missing-default")
            return None
        rule, route = decision.rule, decision.route
        self.hop("routing", f"ip rule {rule.rule.priority}: {rule.rule.text.split(':', 1)[-1].strip()}",
                 ref=rule.ref, table=rule.rule.table)
        if decision.verdict == "unreachable":
            self.broken("routing", f"table {rule.rule.table} marks {packet.dst} unreachable", ref=route.ref if route else None)
            return None
        assert route is not None
        if decision.verdict == "local":
            return route.route.dev or "lo", True
        via = f" via {route.route.via}" if route.route.via else ""
        self.hop("routing", f"table {route.route.table}: {route.route.dst}{via} dev {route.route.dev}",
                 ref=route.ref, table=route.route.table, interface=route.route.dev)
        self._check_source_rule(packet, pod, rule)
        return route.route.dev or "", False

    def _check_source_rule(self, packet: Packet, pod: PodIpState, chosen) -> None:
        """A pod on a secondary ENI whose rule is missing egresses through the wrong ENI."""
        eni = self.state.eni(pod.eni_id)
        if eni is None or eni.primary or chosen.rule.table == eni.table:
            return
        if any(in_network(packet.dst, c) for c in self.state.vpc_cidrs) or not self.state.vpc_cidrs:
            if eni.table not in pod.from_rule_tables:
                self.hop("routing", f"no 'from {pod.ip} lookup {eni.table}' rule: traffic of a pod on {eni.id} "
                         f"(table {eni.table}) takes table {chosen.rule.table}", HopVerdict.note,
                         explained_by="pod-egress-rule-missing")

    def forward(self, packet: Packet, out_if: str) -> bool:
        if self.dump is None or "filter" not in self.dump.tables:
            return True
        outcome = run_chain(EvalContext(self.dump, self.locals, out_if), "filter", "FORWARD", packet)
        decisive = [s for s in outcome.steps if s.effect in ("DROP", "REJECT", "ACCEPT")]
        if outcome.verdict in ("DROP", "REJECT"):
            step = decisive[-1] if decisive else None
            self.broken("forward", f"filter FORWARD {outcome.verdict}s the packet"
                        + (f" ({step.rule.comment})" if step and step.rule.comment else ""),
                        "host-forward-chain-drop" if not step else "unexpected-iptables-reject-rule",
                        rule=step.rule if step else None, table="filter FORWARD")
            return False
        if decisive:
            self.hop("forward", f"filter/{decisive[-1].rule.chain}: {decisive[-1].effect}", rule=decisive[-1].rule)
        return True

    def postrouting(self, packet: Packet, out_if: str, ctmark: int) -> Packet:
        if self.dump is None or "nat" not in self.dump.tables:
            return packet
        outcome = run_chain(EvalContext(self.dump, self.locals, out_if), "nat", "POSTROUTING", packet, ctmark)
        for step in outcome.steps:
            changed = step.effect.startswith(("SNAT", "MASQUERADE"))
            self.hop("postrouting", f"nat/{step.rule.chain}: {step.effect}",
                     HopVerdict.changed if changed else HopVerdict.ok, rule=step.rule)
        if outcome.packet.src == packet.src and not any(in_network(packet.dst, c) for c in self.state.vpc_cidrs):
            external = self.state.config.get("AWS_VPC_K8S_CNI_EXTERNALSNAT")
            why = ("AWS_VPC_K8S_CNI_EXTERNALSNAT=true: SNAT is left to a NAT gateway"
                   if external and external.value == "true" else "no SNAT rule matched")
            self.hop("postrouting", f"source stays {packet.src}: {why}", HopVerdict.note)
        return outcome.packet

    def egress(self, pod: PodIpState, packet: Packet, out_if: str) -> None:
        out_eni = next((e for e in self.state.enis if e.interface == out_if), None)
        if out_eni is None and out_if == self.state.primary_interface:
            out_eni = next((e for e in self.state.enis if e.primary), None)
        if out_eni is None:
            self.hop("egress", f"leaves by {out_if}", interface=out_if)
            return
        own = packet.src == pod.ip
        if own and out_eni.id != pod.eni_id:
            pod_eni = self.state.eni(pod.eni_id)
            table_empty = pod_eni is not None and pod_eni.table in pod.from_rule_tables and not any(
                r.route.table == pod_eni.table and r.route.dst == "default" for r in self.state.routes)
            cause = "eni-route-table-missing-default" if table_empty else "pod-egress-rule-missing"
            why = (f"table {pod_eni.table} has no default route, so the lookup fell through to the main table"
                   if table_empty else f"no 'from {pod.ip}' rule sent it to table {pod_eni.table if pod_eni else '?'}")
            self.broken("egress", f"leaves by {out_if} ({out_eni.id}) with source {pod.ip}, which belongs to "
                        f"{pod.eni_id} ({why}): EC2 source/destination checking drops it", cause, interface=out_if)
            return
        self.hop("egress", f"leaves by {out_if} ({out_eni.id}) with source {packet.src}", interface=out_if)

    def return_path(self, pod: PodIpState, packet: Packet, out_if: str) -> None:
        arrival = out_if
        reply = Packet(src=self.result.destination if packet.dst == self.result.destination else packet.dst,
                       dst=pod.ip, proto=packet.proto, iif=arrival)
        decision = decide(self.state, reply) if self.state.rules else None
        if decision is not None and decision.route is not None:
            self.hop("return", f"reply to {pod.ip}: ip rule {decision.rule.rule.priority} → table "
                     f"{decision.route.route.table}: {decision.route.route.text}", ref=decision.route.ref)
            if decision.route.route.dev != pod.route_dev:
                self.broken("return", f"the reply to {pod.ip} would leave by {decision.route.route.dev}, not the pod's "
                            f"veth {pod.route_dev}", "pod-ingress-to-rule-missing", ref=decision.route.ref)
                return
        self._rp_filter(pod, reply, arrival)

    def _rp_filter(self, pod: PodIpState, reply: Packet, arrival: str) -> None:
        sysctls = self.bundle.first(Kind.sysctls)
        if sysctls is None or not hasattr(sysctls, "effective_rp_filter"):
            return
        level = sysctls.effective_rp_filter(arrival)
        if level != 1:
            return
        # Strict mode: the route back to the reply's source must leave by the interface it came in on.
        back = decide(self.state, Packet(src=pod.ip, dst=reply.src, proto=reply.proto, mark=0))
        back_dev = back.route.route.dev if back.route else None
        if back_dev and back_dev != arrival:
            self.broken("return", f"rp_filter=1 (strict) on {arrival}: the reply from {reply.src} arrives on {arrival} "
                        f"but the route back leaves by {back_dev}; the kernel drops it", "rp-filter-strict-on-primary")
        else:
            self.hop("return", f"rp_filter=1 on {arrival} passes: the route back leaves by {arrival}", HopVerdict.note)


def _pod_name(pod: PodIpState) -> str:
    return f"{pod.namespace}/{pod.name}" if pod.name else f"pod {pod.ip}"


def _sep_destination(dump, chain: str | None) -> str:
    for rule in dump.rules_in("nat", chain or ""):
        if rule.target == "DNAT":
            for index, token in enumerate(rule.target_args[:-1]):
                if token == "--to-destination":
                    return rule.target_args[index + 1]
    return chain or "?"
