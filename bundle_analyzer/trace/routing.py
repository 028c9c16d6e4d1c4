"""Policy routing as the kernel does it: rules by priority, then the table's longest prefix.

A lookup that finds no route in a rule's table falls through to the next rule, like the kernel.
"""

from __future__ import annotations

from dataclasses import dataclass

from bundle_analyzer.state.node import NodeState, RouteState, RuleState
from bundle_analyzer.trace.packet import Packet, in_network, prefix_length

UNROUTABLE = {"unreachable", "blackhole", "prohibit"}


@dataclass
class RouteDecision:
    rule: RuleState | None
    route: RouteState | None
    tried: list[RuleState]
    verdict: str  # "route", "local", "unreachable", "none"


def rule_matches(item: RuleState, packet: Packet) -> bool:
    rule = item.rule
    if rule.fwmark is not None:
        mask = rule.fwmask if rule.fwmask is not None else 0xFFFFFFFF
        if packet.mark & mask != rule.fwmark & mask:
            return rule.invert
    if rule.iif and rule.iif != packet.iif:
        return rule.invert
    if rule.src and not in_network(packet.src, rule.src):
        return rule.invert
    if rule.dst and not in_network(packet.dst, rule.dst):
        return rule.invert
    return not rule.invert


def longest_match(state: NodeState, table: str, destination: str) -> RouteState | None:
    best: RouteState | None = None
    best_length = -1
    for item in state.routes:
        route = item.route
        if route.table != table or route.type in ("broadcast", "multicast"):
            continue
        network = route.dst_network or route.dst
        if not in_network(destination, network):
            continue
        length = prefix_length(network)
        metric_better = best is not None and length == best_length and (route.metric or 0) < (best.route.metric or 0)
        if length > best_length or metric_better:
            best, best_length = item, length
    return best


def decide(state: NodeState, packet: Packet) -> RouteDecision:
    tried: list[RuleState] = []
    for item in sorted(state.rules, key=lambda r: r.rule.priority):
        if ":" in packet.dst and ":" not in (item.rule.src or item.rule.dst or ":"):
            continue
        if not rule_matches(item, packet):
            continue
        tried.append(item)
        if item.rule.action in UNROUTABLE:
            return RouteDecision(item, None, tried, "unreachable")
        if item.rule.action != "lookup" or not item.rule.table:
            continue
        route = longest_match(state, item.rule.table, packet.dst)
        if route is None:
            continue
        if route.route.type == "local":
            return RouteDecision(item, route, tried, "local")
        if route.route.type in UNROUTABLE:
            return RouteDecision(item, route, tried, "unreachable")
        return RouteDecision(item, route, tried, "route")
    return RouteDecision(None, None, tried, "none")
