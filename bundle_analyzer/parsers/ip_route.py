"""`ip route show table all` / `ip -6 route show table all` (``networking/iproute.txt``,
``ip6route.txt``; legacy ``route.out`` / ``route.output``), and plain `ip route`.

Sample (main-table routes carry no ``table`` token; every other table does)::

    default via 10.0.32.1 dev eth1 table 2
    10.0.32.1 dev eth1 table 2 scope link
    default via 10.0.0.1 dev eth0
    10.0.0.0/19 dev eth0 proto kernel scope link src 10.0.12.34
    10.0.12.50 dev enic0778f2fe26 scope link
    local 10.0.12.34 dev eth0 table local proto kernel scope host src 10.0.12.34

Legacy ``route.out`` wraps every run in a ``=====…`` line and an ``ip route show table all`` line
and accumulates runs with ``>>``; the collector's ``iproute.txt`` is also appended to, so an
aborted earlier run leaves a whole second dump without any header. Only the last dump is kept;
``RouteSet.dumps`` says how many there were. Multipath ``nexthop`` lines are folded into the
flags of the route they belong to. Output of ``ip route show table N`` has no ``table`` token
either: pass ``default_table="N"`` for such a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bundle_analyzer.models.common import Parsed, decode_text, outcome
from bundle_analyzer.models.routing import Route, RouteSet, normalise_table
from bundle_analyzer.parsers._netutil import (
    MAX_ROUTES,
    ProblemLog,
    cut_short,
    family_from_path,
    numbered_lines,
    parse_network,
    small_int,
    table_token,
)

ROUTE_TYPES = frozenset(
    {
        "unicast",
        "local",
        "broadcast",
        "multicast",
        "anycast",
        "unreachable",
        "blackhole",
        "prohibit",
        "throw",
        "nat",
        "xresolve",
    }
)
# Attributes printed as "<keyword> <value>" that end up in ``flags`` as one entry.
_FLAG_WITH_VALUE = frozenset(
    {
        "pref",
        "expires",
        "hoplimit",
        "mtu",
        "advmss",
        "rtt",
        "rttvar",
        "rto_min",
        "reordering",
        "window",
        "cwnd",
        "initcwnd",
        "initrwnd",
        "ssthresh",
        "realms",
        "realm",
        "quickack",
        "congctl",
        "features",
        "fastopen_no_cookie",
        "tos",
        "dsfield",
        "from",
        "nhid",
        "weight",
        "error",
        "as",
        "ttl-propagate",
    }
)
_MAX_TOKENS = 256


@dataclass
class _Dump:
    start_line: int
    routes: list[Route] = field(default_factory=list)


def parse_ip_routes(
    data: bytes, path: str, *, family: int | None = None, default_table: str = "main"
) -> Parsed[RouteSet]:
    """Parse a route dump; keep the last of several appended dumps."""
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)

    problems = ProblemLog(path)
    table_when_absent = normalise_table(default_table)
    dumps: list[_Dump] = []
    current: _Dump | None = None
    first_text: str | None = None
    kept = 0

    for number, raw in numbered_lines(text):
        stripped = raw.strip()
        if not stripped:
            continue
        if kept >= MAX_ROUTES:
            problems.add(number, cut_short(kept, MAX_ROUTES, "routes"))
            break
        if _is_header(stripped):
            if current is None or current.routes:
                current = _Dump(start_line=number)
                dumps.append(current)
                first_text = None
            continue
        if raw[:1].isspace() and stripped.startswith("nexthop"):
            if current is not None and current.routes:
                current.routes[-1].flags.append(stripped)
            else:
                problems.add(number, "nexthop line without a route")
            continue
        route, error = _parse_route_line(number, raw, table_when_absent)
        if route is None:
            problems.add(number, error or "unreadable route")
            continue
        if current is None or (first_text is not None and route.text == first_text):
            # Same first line again: `>>` appended a second run without a header.
            current = _Dump(start_line=number)
            dumps.append(current)
            first_text = None
        if first_text is None:
            first_text = route.text
        current.routes.append(route)
        kept += 1

    filled = [dump for dump in dumps if dump.routes]
    if dumps and not dumps[-1].routes and filled:
        problems.add(dumps[-1].start_line, "the last dump is empty; using the one before it")
    if len(filled) > 1:
        problems.add(
            filled[-1].start_line,
            f"{len(filled)} route dumps appended to one file; using the last one",
        )
    routes = filled[-1].routes if filled else []
    resolved = family or family_from_path(path) or _family_from_routes(routes)
    for route in routes:
        if route.dst_network is None and route.dst == "default":
            route.dst_network = "::/0" if _route_family(route, resolved) == 6 else "0.0.0.0/0"
    result = RouteSet(family=resolved, routes=routes, dumps=len(filled))
    return outcome(path, result, problems.result())


def _is_header(line: str) -> bool:
    if len(line) >= 3 and line.strip("=") == "":
        return True
    return line.startswith(("ip route", "ip -6 route", "ip -4 route", "ip -f inet"))


def _parse_route_line(number: int, raw: str, table_when_absent: str) -> tuple[Route | None, str | None]:
    tokens = raw.split()
    if len(tokens) > _MAX_TOKENS:
        return None, f"route has {len(tokens)} tokens; refusing to read it"
    index = 0
    route_type = "unicast"
    if tokens[0] in ROUTE_TYPES:
        route_type = tokens[0]
        index = 1
    if index >= len(tokens):
        return None, f"route without a destination: {raw.strip()[:80]!r}"
    dst = tokens[index]
    network = None
    if dst != "default":
        network = parse_network(dst)
        if network is None:
            return None, f"not a route line: {raw.strip()[:80]!r}"
    index += 1

    values: dict[str, str] = {}
    metric: int | None = None
    flags: list[str] = []
    count = len(tokens)
    while index < count:
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < count else None
        if token == "nexthop":
            flags.extend(_split_nexthops(tokens[index:]))
            break
        if token == "via" and following is not None:
            if following in ("inet", "inet6") and index + 2 < count:
                index += 1
                following = tokens[index + 1]
            values["via"] = following
            index += 2
            continue
        if token in ("dev", "table", "proto", "scope", "src") and following is not None:
            values.setdefault(token, following)
            index += 2
            continue
        if token == "metric" and following is not None:
            metric = small_int(following, max_digits=10)
            if metric is None:
                return None, f"unreadable metric {following!r}"
            index += 2
            continue
        if token in _FLAG_WITH_VALUE and following is not None:
            flags.append(f"{token} {following}")
            index += 2
            continue
        flags.append(token)
        index += 1

    if "table" in values:
        table = table_token(values["table"])
        if table is None:
            return None, f"impossible table {values['table'][:40]!r}"
    else:
        table = table_when_absent
    route = Route(
        line=number,
        type=route_type,
        dst=dst,
        dst_network=str(network) if network is not None else None,
        via=values.get("via"),
        dev=values.get("dev"),
        table=table,
        proto=values.get("proto"),
        scope=values.get("scope"),
        src=values.get("src"),
        metric=metric,
        flags=flags,
        text=raw,
    )
    return route, None


def _split_nexthops(tokens: list[str]) -> list[str]:
    """``nexthop via A dev X weight 1 nexthop via B …`` -> one flag per next hop."""
    hops: list[str] = []
    for token in tokens:
        if token == "nexthop" or not hops:
            hops.append(token)
        else:
            hops[-1] = f"{hops[-1]} {token}"
    return hops


def _route_family(route: Route, fallback: int) -> int:
    for address in (route.via, route.src):
        if address:
            return 6 if ":" in address else 4
    return fallback


def _family_from_routes(routes: list[Route]) -> int:
    for route in routes:
        for address in (route.dst, route.via, route.src):
            if address and ":" in address:
                return 6
    return 4
