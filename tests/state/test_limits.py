"""Instance-type limits and max-pods arithmetic (bundle-formats §11, pitfall 44)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.parsers.aws_cli import parse_aws_json
from bundle_analyzer.state.limits import (
    InstanceLimits,
    dump_limits,
    eni_max_pods_capped,
    limits_for,
    limits_from_instance_types,
    load_limits,
    max_pod_ips,
    max_pods,
    parse_go_limits,
)

REPO = Path(__file__).resolve().parents[2]

# Published max-pods values (the CNI's misc/eni-max-pods.txt, first column).
ENI_MAX_PODS = {
    "t2.micro": 4, "t2.small": 11, "t2.medium": 17, "t2.large": 35, "t2.xlarge": 44, "t2.2xlarge": 44,
    "t3.nano": 4, "t3.micro": 4, "t3.small": 11, "t3.medium": 17, "t3.large": 35, "t3.xlarge": 58, "t3.2xlarge": 58,
    "t3a.small": 8, "t3a.medium": 17, "t3a.large": 35, "t3a.2xlarge": 58,
    "t4g.micro": 4, "t4g.small": 11, "t4g.medium": 17, "t4g.large": 35, "t4g.2xlarge": 58,
    "m4.large": 20, "m4.xlarge": 58, "m4.2xlarge": 58, "m4.4xlarge": 234, "m4.10xlarge": 234, "m4.16xlarge": 234,
    "m5.large": 29, "m5.xlarge": 58, "m5.2xlarge": 58, "m5.4xlarge": 234, "m5.8xlarge": 234, "m5.12xlarge": 234,
    "m5.16xlarge": 737, "m5.24xlarge": 737, "m5.metal": 737,
    "m5a.large": 29, "m5a.4xlarge": 234, "m5a.24xlarge": 737, "m5n.large": 29, "m5n.24xlarge": 737,
    "m5zn.2xlarge": 58, "m5zn.3xlarge": 234, "m5zn.12xlarge": 737,
    "m6i.large": 29, "m6i.xlarge": 58, "m6i.8xlarge": 234, "m6i.32xlarge": 737, "m6in.32xlarge": 394,
    "m6g.medium": 8, "m6g.large": 29, "m6g.16xlarge": 737,
    "m7i.large": 29, "m7i.48xlarge": 737, "m7g.medium": 8, "m7g.xlarge": 58, "m7g.metal": 737,
    "c4.large": 29, "c4.8xlarge": 234, "c5.large": 29, "c5.xlarge": 58, "c5.9xlarge": 234, "c5.18xlarge": 737,
    "c5n.large": 29, "c5n.18xlarge": 737, "c6i.large": 29, "c6i.32xlarge": 737, "c6in.32xlarge": 394,
    "c6g.medium": 8, "c6g.4xlarge": 234, "c7g.large": 29, "c7g.16xlarge": 737,
    "r5.large": 29, "r5.4xlarge": 234, "r5.24xlarge": 737, "r6i.large": 29, "r6i.32xlarge": 737,
    "r6g.medium": 8, "r6g.16xlarge": 737,
    "d3.xlarge": 10, "d3.2xlarge": 18, "d3.8xlarge": 59, "d3en.12xlarge": 89,
    "g4dn.xlarge": 29, "g4dn.16xlarge": 58, "g4ad.xlarge": 8, "g5.48xlarge": 345, "g6e.12xlarge": 292,
    "g6e.24xlarge": 492, "i4i.24xlarge": 437, "inf1.xlarge": 38, "inf1.24xlarge": 321, "hpc7g.16xlarge": 198,
    "m2.2xlarge": 118, "m3.medium": 12, "m1.small": 8, "t1.micro": 4, "x1e.xlarge": 29, "mac1.metal": 234,
    "u-12tb1.metal": 147, "p3.2xlarge": 58, "p4d.24xlarge": 737, "p5.48xlarge": 100, "p5en.48xlarge": 198,
    "i3.metal": 737, "i7ie.12xlarge": 394,
}  # fmt: skip


def test_table_is_shipped_and_large():
    table = load_limits()
    assert len(table) >= 1000
    assert load_limits() is table  # cached
    assert limits_for(" T3.Medium ") == table["t3.medium"]
    assert limits_for("x9.unknown") is None


@pytest.mark.parametrize(("instance_type", "expected"), sorted(ENI_MAX_PODS.items()))
def test_max_pods_match_published_values(instance_type, expected):
    assert max_pods(load_limits()[instance_type]) == expected


def test_headline_values():
    table = load_limits()
    assert max_pods(table["t3.medium"]) == 17
    assert max_pods(table["m5.large"]) == 29
    assert max_pods(table["m5.24xlarge"]) == 737
    assert (table["m5.xlarge"].enis, table["m5.xlarge"].ipv4_per_eni) == (4, 15)
    assert (table["t3.micro"].enis, table["t3.micro"].ipv4_per_eni) == (2, 2)


def test_prefix_delegation_and_custom_networking():
    m5 = load_limits()["m5.large"]
    assert max_pods(m5, prefix_delegation=True) == 3 * (9 * 16) + 2 == 434
    assert max_pods(m5, custom_networking=True) == 2 * 9 + 2 == 20
    assert max_pods(m5, prefix_delegation=True, custom_networking=True) == 2 * 144 + 2
    assert max_pods(m5, max_eni=2) == 20
    assert max_pods(m5, max_eni=10) == 29
    t3 = load_limits()["t3.medium"]
    assert max_pods(t3, custom_networking=True) == 12  # eni-max-pods.txt's custom-networking column


def test_p5_uses_only_the_default_card():
    p5 = load_limits()["p5.48xlarge"]
    assert p5.enis == 2 and p5.network_card_count == 32 and p5.total_enis == 64
    assert max_pods(p5) == 100
    assert p5.default_network_card_index == 0


def test_bare_metal():
    metal = load_limits()["i3.metal"]
    assert metal.bare_metal and metal.hypervisor == "unknown" and not metal.is_nitro
    assert load_limits()["c7g.metal"].bare_metal


def test_ipamd_capacity():
    m5 = load_limits()["m5.large"]
    assert max_pod_ips(m5) == 27
    assert max_pod_ips(m5, prefix_delegation=True) == 432
    assert max_pod_ips(m5, trunk_eni=True) == 18
    assert max_pod_ips(m5, unmanaged_enis=1, max_eni=2) == 9
    assert max_pod_ips(m5, custom_networking=True) == 18
    assert max_pod_ips(m5, unmanaged_enis=9) == 0


def test_calculator_caps():
    table = load_limits()
    assert eni_max_pods_capped(table["m5.large"], 2) == 29
    assert eni_max_pods_capped(table["m5.24xlarge"], 96) == 250
    assert eni_max_pods_capped(table["m5.8xlarge"], 32) == 234
    assert eni_max_pods_capped(table["m5.4xlarge"], 16) == 110
    assert eni_max_pods_capped(table["c5.9xlarge"], 36) == 234
    assert eni_max_pods_capped(table["m5.large"], 2, prefix_delegation=True) == 110
    assert eni_max_pods_capped(table["m5.large"], 30, prefix_delegation=True) == 110
    assert eni_max_pods_capped(table["m5.8xlarge"], 31, prefix_delegation=True) == 250
    # Prefix delegation is ignored on Xen, like the calculator does.
    assert eni_max_pods_capped(table["t2.medium"], 2, prefix_delegation=True) == 17


GOFMT = """package vpc

var instanceNetworkingLimits = map[string]InstanceTypeLimits{
\t"p5.48xlarge": {
\t\tENILimit:                2,
\t\tIPv4Limit:               50,
\t\tDefaultNetworkCardIndex: 0,
\t\tNetworkCards: []NetworkCard{
\t\t\t{
\t\t\t\tMaximumNetworkInterfaces: 2,
\t\t\t\tNetworkCardIndex:         0,
\t\t\t},

\t\t\t{
\t\t\t\tMaximumNetworkInterfaces: 2,
\t\t\t\tNetworkCardIndex:         1,
\t\t\t},
\t\t},
\t\tHypervisorType: "nitro",
\t\tIsBareMetal:    false,
\t},
\t"t3.medium": {ENILimit: 3, IPv4Limit: 6, DefaultNetworkCardIndex: 0, NetworkCards: []NetworkCard{{MaximumNetworkInterfaces: 3, NetworkCardIndex: 0}}, HypervisorType: "nitro", IsBareMetal: false},
\t"c5.metal": {ENILimit: 15, IPv4Limit: 50, HypervisorType: "unknown", IsBareMetal: true},
}
"""  # noqa: E501


def test_parse_go_limits_layouts():
    table = parse_go_limits(GOFMT)
    assert set(table) == {"p5.48xlarge", "t3.medium", "c5.metal"}
    assert table["p5.48xlarge"].network_cards == [(0, 2), (1, 2)] and table["p5.48xlarge"].enis == 2
    assert table["t3.medium"] == load_limits()["t3.medium"]
    assert table["c5.metal"].bare_metal and table["c5.metal"].network_cards == [(0, 15)]
    v17 = (
        'var InstanceNetworkingLimits = map[string]InstanceTypeLimits{\n\t"a1.medium": {ENILimit: 2, IPv4Limit: 4},\n}'
    )
    assert parse_go_limits(v17)["a1.medium"].hypervisor == ""
    v10 = (
        'var InstanceENIsAvailable = map[string]int64{\n\t"c4.large": 3,\n\t"t2.micro": 2,\n}\n'
        'var InstanceIPsAvailable = map[string]int64{\n\t"c4.large": 10,\n\t"t2.micro": 2,\n}\n'
    )
    old = parse_go_limits(v10)
    assert max_pods(old["c4.large"]) == 29 and max_pods(old["t2.micro"]) == 4
    assert parse_go_limits("package vpc\n") == {}


def test_limits_from_describe_instance_types():
    text = json.dumps(
        {
            "InstanceTypes": [
                {
                    "InstanceType": "m5.large",
                    "Hypervisor": "nitro",
                    "BareMetal": False,
                    "VCpuInfo": {"DefaultVCpus": 2},
                    "NetworkInfo": {
                        "MaximumNetworkInterfaces": 3,
                        "MaximumNetworkCards": 1,
                        "DefaultNetworkCardIndex": 0,
                        "NetworkCards": [{"NetworkCardIndex": 0, "MaximumNetworkInterfaces": 3}],
                        "Ipv4AddressesPerInterface": 10,
                        "Ipv6AddressesPerInterface": 10,
                    },
                },
                {"InstanceType": "x9.broken", "NetworkInfo": {}},
            ]
        }
    )
    types = parse_aws_json(text.encode(), "types.json").value.instance_types
    table = limits_from_instance_types(types)
    assert set(table) == {"m5.large"}
    limits = table["m5.large"]
    assert (limits.enis, limits.ipv4_per_eni, limits.vcpus, limits.ipv6_per_eni) == (3, 10, 2, 10)
    assert max_pods(limits) == 29


def test_dump_and_reload_round_trip(tmp_path):
    table = {name: load_limits()[name] for name in ("t3.medium", "p5.48xlarge", "i3.metal")}
    text = dump_limits(table)
    assert text.count("\n") == len(table) + 2
    reloaded = {name: InstanceLimits.from_json_entry(name, entry) for name, entry in json.loads(text).items()}
    assert reloaded == table


def test_shipped_file_is_in_canonical_form():
    path = REPO / "bundle_analyzer" / "data" / "instance_limits.json"
    assert dump_limits(load_limits()) == path.read_text(encoding="utf-8")


def test_generator_script(tmp_path):
    spec = importlib.util.spec_from_file_location("gen_instance_limits", REPO / "scripts" / "gen_instance_limits.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    go = tmp_path / "vpc_ip_resource_limit.go"
    go.write_text(GOFMT, encoding="utf-8")
    out = tmp_path / "limits.json"
    assert module.main(["--go", str(go), "-o", str(out)]) == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert set(written) == {"p5.48xlarge", "t3.medium", "c5.metal", "i3.metal"}
    assert written["p5.48xlarge"]["network_cards"] == [[0, 2], [1, 2]]


@st.composite
def limits(draw):
    enis = draw(st.integers(min_value=1, max_value=24))
    cards = draw(st.integers(min_value=1, max_value=4))
    return InstanceLimits(
        name=draw(st.from_regex(r"[a-z][a-z0-9]{0,4}\.[a-z0-9]{1,8}", fullmatch=True)),
        enis=enis,
        ipv4_per_eni=draw(st.integers(min_value=1, max_value=64)),
        network_cards=[(index, enis) for index in range(cards)],
        hypervisor=draw(st.sampled_from(["nitro", "xen", "unknown", ""])),
        bare_metal=draw(st.booleans()),
    )


@settings(max_examples=200, deadline=None, derandomize=True)
@given(limits(), st.one_of(st.none(), st.integers(min_value=0, max_value=30)), st.integers(min_value=1, max_value=192))
def test_formula_properties(item, max_eni, vcpus):
    usable = item.enis if max_eni is None else min(item.enis, max_eni)
    base = max_pods(item, max_eni=max_eni)
    assert base == usable * (item.ipv4_per_eni - 1) + 2
    assert max_pods(item, prefix_delegation=True, max_eni=max_eni) == usable * (item.ipv4_per_eni - 1) * 16 + 2
    assert max_pods(item, custom_networking=True, max_eni=max_eni) == max(usable - 1, 0) * (item.ipv4_per_eni - 1) + 2
    assert max_pod_ips(item, max_eni=max_eni) == base - 2
    capped = eni_max_pods_capped(item, vcpus, max_eni=max_eni)
    assert capped == min(base, 250 if vcpus > 30 else 110)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(limits(), max_size=8))
def test_generated_tables_round_trip_through_json_and_go(items):
    table = {item.name: item for item in items}
    reloaded = {
        name: InstanceLimits.from_json_entry(name, entry) for name, entry in json.loads(dump_limits(table)).items()
    }
    assert reloaded == table
    go = "\n".join(
        f'"{lim.name}": {{ENILimit: {lim.enis}, IPv4Limit: {lim.ipv4_per_eni}, DefaultNetworkCardIndex: 0, '
        "NetworkCards: []NetworkCard{"
        + ", ".join(f"{{MaximumNetworkInterfaces: {m}, NetworkCardIndex: {i}}}" for i, m in lim.network_cards)
        + f'}}, HypervisorType: "{lim.hypervisor}", IsBareMetal: {str(lim.bare_metal).lower()}}},'
        for lim in table.values()
    )
    assert parse_go_limits(go) == table
