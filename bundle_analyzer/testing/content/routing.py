"""``ip rule show`` and ``ip route show table all`` texts (§5), including the legacy
``route.out`` wrapper."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bundle_analyzer.testing.content.common import Version


def ip_rule_text(rules: Iterable[tuple[int, str]], *, trailing_space: bool = False) -> str:
    """``ip rule show``: ``<prio>:<TAB><selector>``. Old iproute2 (2018) ended lines with a
    space; pass ``trailing_space=True`` for that."""
    end = " \n" if trailing_space else "\n"
    return "".join(f"{prio}:\t{text}{end}" for prio, text in rules)


def cni_ip_rules(
    *,
    pod_ips: Sequence[str],
    secondary_pod_tables: Mapping[str, int],
    version: Version,
    vpc_cidrs: Sequence[str] = ("10.0.0.0/16",),
    external_snat: bool = False,
    node_port_support: bool = True,
    connmark: int = 0x80,
    eni_primary_ip_tables: Mapping[str, int] = {},
) -> list[tuple[int, str]]:
    """The policy rules a healthy node of CNI ``version`` has (§5.1), kernel defaults
    included. ``secondary_pod_tables`` maps pod IPs on non-primary ENIs to their table;
    ``eni_primary_ip_tables`` feeds the v1.20+ 32765 rules."""
    rules: list[tuple[int, str]] = [(0, "from all lookup local")]
    rules += [(512, f"from all to {ip} lookup main") for ip in pod_ips]
    if version < (1, 3, 0) and not external_snat:
        rules += [(1024, f"not from all to {cidr} lookup main") for cidr in vpc_cidrs[:1]]
    fwmark = node_port_support and version >= (1, 2, 0)
    if version >= (1, 13, 0) and not external_snat:
        fwmark = True
    if fwmark:
        rules.append((1024, f"from all fwmark {connmark:#x}/{connmark:#x} lookup main"))
    per_cidr = (1, 3, 0) <= version < (1, 9, 0) and not external_snat
    for ip, table in secondary_pod_tables.items():
        if per_cidr:
            rules += [(1536, f"from {ip} to {cidr} lookup {table}") for cidr in vpc_cidrs]
        elif version < (1, 3, 0) or version >= (1, 9, 0) or external_snat:
            rules.append((1536, f"from {ip} lookup {table}"))
    if version >= (1, 20, 0):
        rules += [(32765, f"from {ip} lookup {table}") for ip, table in eni_primary_ip_tables.items()]
    rules += [(32766, "from all lookup main"), (32767, "from all lookup default")]
    return rules


def ip_route_text(routes: Iterable[str], *, trailing_space: bool = False) -> str:
    """``ip route show`` lines (already formatted), one per line."""
    end = " \n" if trailing_space else "\n"
    return "".join(f"{r}{end}" for r in routes)


def eni_table_routes(gateway: str, dev: str, table: int) -> list[str]:
    """The two routes ipamd puts in a secondary ENI's table (§5.3)."""
    return [f"default via {gateway} dev {dev} table {table}", f"{gateway} dev {dev} table {table} scope link"]


def pod_route(ip: str, veth: str) -> str:
    return f"{ip} dev {veth} scope link"


def legacy_route_output(*dumps: str) -> str:
    """Legacy ``route.out``/``route.output``: each run appends a header and a dump (§1.2)."""
    return "".join(f"=============================================\nip route show table all\n{d}" for d in dumps)
