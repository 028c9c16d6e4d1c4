"""Evaluate iptables chains, as iptables-save shows them, for one packet.

Covers what decides CNI and kube-proxy paths: addresses, interfaces (``eni+``), protocol and
ports (tcp/udp/multiport), ``addrtype`` LOCAL, ``mark``, ``conntrack``/``state`` (a new flow),
``statistic`` (kube-proxy's endpoint choice: the first endpoint is taken and every endpoint is
listed), and the targets ACCEPT, DROP, REJECT, RETURN, jumps/gotos, DNAT, SNAT, MASQUERADE,
MARK and CONNMARK. A match it cannot evaluate (ipsets, BPF, owner…) is treated as not matching
and named in the notes, so a verdict never rests on a silent guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bundle_analyzer.models.iptables import IptablesDump, IptablesRule
from bundle_analyzer.trace.packet import Packet, in_network, interface_matches

MAX_DEPTH = 32
TERMINAL = {"ACCEPT", "DROP", "REJECT"}
KNOWN_MODULES = {"comment", "tcp", "udp", "icmp", "multiport", "addrtype", "mark", "conntrack", "state",
                 "statistic", "connmark", "physdev", "limit", "recent"}


@dataclass
class Step:
    rule: IptablesRule
    effect: str


@dataclass
class ChainOutcome:
    verdict: str  # ACCEPT, DROP, REJECT, or POLICY when the built-in chain's policy applied
    packet: Packet
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ctmark: int = 0


@dataclass
class EvalContext:
    dump: IptablesDump
    local_addresses: set[str]
    out_interface: str | None = None


def run_chain(ctx: EvalContext, table: str, chain: str, packet: Packet, ctmark: int = 0) -> ChainOutcome:
    outcome = ChainOutcome("POLICY", packet, ctmark=ctmark)
    verdict = _walk(ctx, table, chain, outcome, depth=0)
    if verdict in (None, "RETURN"):
        chains = ctx.dump.tables.get(table)
        policy = chains.chains.get(chain).policy if chains and chain in chains.chains else None
        outcome.verdict = policy if policy in TERMINAL else "POLICY"
    else:
        outcome.verdict = verdict
    return outcome


def _walk(ctx: EvalContext, table: str, chain: str, outcome: ChainOutcome, depth: int) -> str | None:
    if depth > MAX_DEPTH:
        outcome.notes.append(f"chain nesting deeper than {MAX_DEPTH} at {chain}: stopped")
        return None
    rules = ctx.dump.rules_in(table, chain) if ctx.dump.tables.get(table) else []
    for rule in rules:
        if not _matches(ctx, rule, outcome):
            continue
        target = rule.target
        if target is None:
            continue
        if target in TERMINAL:
            outcome.steps.append(Step(rule, target))
            return target
        if target == "RETURN":
            outcome.steps.append(Step(rule, "RETURN"))
            return "RETURN"
        if target in ("DNAT", "SNAT", "MASQUERADE"):
            outcome.packet = _nat(ctx, rule, outcome.packet)
            outcome.steps.append(Step(rule, f"{target} → {_describe(outcome.packet, target)}"))
            return "ACCEPT"
        if target == "MARK":
            outcome.packet = outcome.packet.with_(mark=_apply_mark(outcome.packet.mark, rule.target_args))
            outcome.steps.append(Step(rule, f"mark {outcome.packet.mark:#x}"))
            continue
        if target == "CONNMARK":
            _connmark(rule, outcome)
            continue
        if ctx.dump.tables[table].chains.get(target) is not None or ctx.dump.rules_in(table, target):
            outcome.steps.append(Step(rule, f"jump {target}"))
            verdict = _walk(ctx, table, target, outcome, depth + 1)
            if verdict not in (None, "RETURN"):
                return verdict
            if rule.goto:
                return "RETURN"
            continue
        outcome.steps.append(Step(rule, f"{target} (no effect on the path)"))
    return None


def _matches(ctx: EvalContext, rule: IptablesRule, outcome: ChainOutcome) -> bool:
    packet = outcome.packet
    if rule.src and in_network(packet.src, rule.src) == rule.src_negated:
        return False
    if rule.dst and in_network(packet.dst, rule.dst) == rule.dst_negated:
        return False
    if rule.in_iface and interface_matches(rule.in_iface, packet.iif) == rule.in_negated:
        return False
    if rule.out_iface and interface_matches(rule.out_iface, ctx.out_interface) == rule.out_negated:
        return False
    if rule.protocol and rule.protocol not in ("all", "0") and (rule.protocol == packet.proto) == rule.protocol_negated:
        return False
    unknown = [m for m in rule.matches if m not in KNOWN_MODULES]
    if unknown:
        outcome.notes.append(f"line {rule.line}: match {', '.join(unknown)} not evaluated (taken as not matching)")
        return False
    return _options_match(ctx, rule.args, packet, outcome)


def _options_match(ctx: EvalContext, args: list[str], packet: Packet, outcome: ChainOutcome) -> bool:
    negate = False
    index = 0
    while index < len(args):
        token = args[index]
        value = args[index + 1] if index + 1 < len(args) else ""
        if token == "!":
            negate = True
            index += 1
            continue
        result: bool | None = None
        if token in ("--dport", "--destination-port"):
            result = _port_in(packet.dport, value)
        elif token in ("--sport", "--source-port"):
            result = _port_in(packet.sport, value)
        elif token in ("--dports", "--destination-ports"):
            result = any(_port_in(packet.dport, part) for part in value.split(","))
        elif token == "--dst-type":
            result = value == "LOCAL" and packet.dst in ctx.local_addresses
        elif token == "--src-type":
            result = value == "LOCAL" and packet.src in ctx.local_addresses
        elif token == "--mark":
            result = _mark_matches(packet.mark, value)
        elif token in ("--ctstate", "--state"):
            result = "NEW" in value.split(",")
        elif token == "--probability" or token in ("--every",):
            result = True  # kube-proxy endpoint choice: the first endpoint is followed
        elif token in ("--rcheck", "--update"):
            result = False  # session affinity: a new flow has no "recent" entry yet
            if result == negate:
                return False
            index += 1
            negate = False
            continue
        if result is not None:
            if result == negate:
                return False
            index += 2
        else:
            index += 1
        negate = False
    return True


def _port_in(port: int | None, spec: str) -> bool:
    if port is None:
        return False
    if ":" in spec:
        low, _, high = spec.partition(":")
        return int(low or 0) <= port <= int(high or 65535)
    return spec.isdigit() and int(spec) == port


def _mark_matches(mark: int, spec: str) -> bool:
    value, _, mask = spec.partition("/")
    try:
        wanted = int(value, 0)
        bits = int(mask, 0) if mask else 0xFFFFFFFF
    except ValueError:
        return False
    return mark & bits == wanted & bits


def _apply_mark(mark: int, args: list[str]) -> int:
    for index, token in enumerate(args[:-1]):
        value, _, mask = args[index + 1].partition("/")
        try:
            number, bits = int(value, 0), int(mask, 0) if mask else 0xFFFFFFFF
        except ValueError:
            continue
        if token == "--set-xmark":
            return (mark & ~bits) ^ number
        if token == "--set-mark":
            return (mark & ~bits) | number
        if token == "--or-mark":
            return mark | number
    return mark


def _connmark(rule: IptablesRule, outcome: ChainOutcome) -> None:
    args = rule.target_args
    if "--restore-mark" in args:
        mask = 0xFFFFFFFF
        for index, token in enumerate(args[:-1]):
            if token in ("--nfmask", "--mask"):
                mask = int(args[index + 1], 0)
        outcome.packet = outcome.packet.with_(mark=(outcome.packet.mark & ~mask) | (outcome.ctmark & mask))
        outcome.steps.append(Step(rule, f"restore connmark → mark {outcome.packet.mark:#x}"))
    elif "--set-xmark" in args or "--set-mark" in args:
        outcome.ctmark = _apply_mark(outcome.ctmark, args)
        outcome.steps.append(Step(rule, f"connmark {outcome.ctmark:#x}"))


def _nat(ctx: EvalContext, rule: IptablesRule, packet: Packet) -> Packet:
    args = rule.target_args
    for index, token in enumerate(args[:-1]):
        if token == "--to-destination":
            host, _, port = args[index + 1].rpartition(":") if args[index + 1].count(":") == 1 else (args[index + 1], "", "")
            return packet.with_(dst=host or args[index + 1], dport=int(port) if port.isdigit() else packet.dport)
        if token == "--to-source":
            return packet.with_(src=args[index + 1].split(":")[0].split("-")[0])
    if rule.target == "MASQUERADE":
        return packet.with_(src="(address of the outgoing interface)")
    return packet


def _describe(packet: Packet, target: str) -> str:
    if target == "DNAT":
        return f"{packet.dst}" + (f":{packet.dport}" if packet.dport else "")
    return packet.src


def chain_jumps(dump: IptablesDump, table: str, chain: str) -> list[IptablesRule]:
    """kube-proxy's endpoints of a KUBE-SVC chain: one rule per KUBE-SEP chain (affinity rules repeat them)."""
    seen: dict[str, IptablesRule] = {}
    for rule in dump.rules_in(table, chain):
        if rule.target and rule.target.startswith("KUBE-SEP") and rule.target not in seen:
            seen[rule.target] = rule
    return list(seen.values())
