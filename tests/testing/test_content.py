"""Content renderers reproduce the real formats (examples from bundle-formats.md and the seed)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.testing import content as c
from bundle_analyzer.testing.content.iptables import _probability

T = datetime(2024, 1, 10, 20, 46, 30, tzinfo=UTC)


# --------------------------------------------------------------------------- names and encodings


def test_veth_names() -> None:
    assert c.veth_name("default", "worker-hello-5d9b798f74-72q5t") == "eni61b9c53e3d2"  # the seed
    assert c.veth_name("default", "web-7d4b9c-x2x9q") == "enic0778f2fe26"  # bundle-formats §5.2
    assert c.veth_name("default", "web-7d4b9c-x2x9q", prefix="vlan").startswith("vlan")
    assert c.veth_name("default", "web-7d4b9c-x2x9q", index=1) != "enic0778f2fe26"


def test_go_time() -> None:
    assert c.go_time(None) == "0001-01-01T00:00:00Z"
    assert c.go_time(datetime(2026, 2, 20, 8, 0, 1, 500000, tzinfo=UTC)) == "2026-02-20T08:00:01.5Z"
    assert c.go_time(datetime(2026, 2, 20, 8, 0, 2, tzinfo=UTC)) == "2026-02-20T08:00:02Z"


def test_link_local_from_mac_matches_the_seed() -> None:
    assert c.link_local_from_mac("26:50:08:03:3e:a6") == "fe80::2450:8ff:fe03:3ea6"


# --------------------------------------------------------------------------- /v1/enis, checkpoint


def test_gen_a1_matches_the_spec_example() -> None:
    a = c.PoolAddr
    enis = [
        c.EniSpec("eni-0aaa1111bbbb2222c", 0, True, (a("10.0.12.50", True), a("10.0.12.51", True), a("10.0.12.52"))),
        c.EniSpec("eni-0ddd3333eeee4444f", 2, False, (a("10.0.41.7", True), a("10.0.41.8"))),
    ]
    assert c.enis_json_gen_a1(enis, total_ips=10) == (
        '{"TotalIPs":10,"AssignedIPs":3,"ENIIPPools":{"eni-0aaa1111bbbb2222c":{"IsPrimary":true,"ID":"eni-0aaa1111bbbb2222c",'
        '"DeviceNumber":0,"AssignedIPv4Addresses":2,"IPv4Addresses":{"10.0.12.50":{"Assigned":true},"10.0.12.51":'
        '{"Assigned":true},"10.0.12.52":{"Assigned":false}}},"eni-0ddd3333eeee4444f":{"IsPrimary":false,'
        '"ID":"eni-0ddd3333eeee4444f","DeviceNumber":2,"AssignedIPv4Addresses":1,"IPv4Addresses":{"10.0.41.7":'
        '{"Assigned":true},"10.0.41.8":{"Assigned":false}}}}}'
    )


def test_gen_f_matches_the_spec_example() -> None:
    addrs = (
        c.PoolAddr(
            "10.0.12.65",
            True,
            "kube-system",
            "coredns-5d8f7c9b6-4k2lp",
            "9a3e…77",
            assigned_at=datetime(2026, 2, 20, 8, 0, 1, 500000, tzinfo=UTC),
        ),
        c.PoolAddr(
            "10.0.12.66",
            assigned_at=datetime(2026, 2, 20, 8, 0, 2, tzinfo=UTC),
            unassigned_at=datetime(2026, 2, 20, 9, 13, 44, 100000, tzinfo=UTC),
        ),
    )
    eni = c.EniSpec(
        "eni-0aaa1111bbbb2222c",
        0,
        True,
        addrs,
        prefixes=("10.0.12.64/28",),
        route_table_id=254,
        subnet_id="subnet-0123456789abcdef0",
    )
    assert c.enis_json_gen_f({0: [eni]}, version=(1, 22, 0), totals={0: (32, 2)}) == (
        '{"0":{"TotalIPs":32,"AssignedIPs":2,"ENIs":{"eni-0aaa1111bbbb2222c":{"ID":"eni-0aaa1111bbbb2222c","IsPrimary":true,'
        '"IsTrunk":false,"IsEFA":false,"DeviceNumber":0,"AvailableIPv4Cidrs":{"10.0.12.64/28":{"Cidr":{"IP":"10.0.12.64",'
        '"Mask":"////8A=="},"IPAddresses":{"10.0.12.65":{"Address":"10.0.12.65","IPAMKey":{"networkName":"aws-cni",'
        '"containerID":"9a3e…77","ifName":"eth0"},"IPAMMetadata":{"k8sPodNamespace":"kube-system","k8sPodName":'
        '"coredns-5d8f7c9b6-4k2lp"},"AssignedTime":"2026-02-20T08:00:01.5Z","UnassignedTime":"0001-01-01T00:00:00Z"},'
        '"10.0.12.66":{"Address":"10.0.12.66","IPAMKey":{"networkName":"","containerID":"","ifName":""},"IPAMMetadata":{},'
        '"AssignedTime":"2026-02-20T08:00:02Z","UnassignedTime":"2026-02-20T09:13:44.1Z"}},"IsPrefix":true,'
        '"AddressFamily":""}},"IPv6Cidrs":{},"IsExcludedForPodIPs":false,"RouteTableID":254,'
        '"SubnetID":"subnet-0123456789abcdef0"}}}}'
    )


def test_gen_f_version_switches() -> None:
    eni = c.EniSpec("eni-1", 1, False, (c.PoolAddr("10.0.1.5", True, "ns", "p", "abc"),))
    v20 = json.loads(c.enis_json_gen_f({0: [eni]}, version=(1, 20, 0)))["0"]["ENIs"]["eni-1"]
    v23 = json.loads(c.enis_json_gen_f({0: [eni]}, version=(1, 23, 0)))["0"]["ENIs"]["eni-1"]
    assert "RouteTableID" not in v20 and "SubnetID" not in v20
    assert v23["RouteTableID"] == 2 and "SubnetID" in v23
    key = v23["AvailableIPv4Cidrs"]["10.0.1.5/32"]["IPAddresses"]["10.0.1.5"]["IPAMKey"]
    assert key == {"networkName": "aws-cni", "containerID": "", "ifName": ""}


def test_gen_b_c_d_e_shapes() -> None:
    eni = c.EniSpec("eni-1", 0, True, (c.PoolAddr("10.0.1.5", True, "ns", "p", "abc"), c.PoolAddr("10.0.1.6")))
    b = json.loads(c.enis_json_gen_b([eni]))["ENIs"]["eni-1"]
    assert set(b["IPv4Addresses"]) == {"10.0.1.5", "10.0.1.6"} and list(b["IPv4Addresses"]["10.0.1.5"]) == [
        "IPAMKey",
        "Address",
        "UnassignedTime",
    ]
    cidr_c = json.loads(c.enis_json_gen_c([eni]))["ENIs"]["eni-1"]["AvailableIPv4Cidrs"]["10.0.1.5/32"]
    assert "IPv4Addresses" in cidr_c and "AddressFamily" not in cidr_c
    cidr_d = json.loads(c.enis_json_gen_d([eni]))["ENIs"]["eni-1"]["AvailableIPv4Cidrs"]
    assert cidr_d["10.0.1.6/32"]["IPAddresses"] == {} and cidr_d["10.0.1.5/32"]["AddressFamily"] == ""
    e = json.loads(c.enis_json_gen_e([eni]))
    assert e["TotalIPs"] == 2 and e["AssignedIPs"] == 1
    rec = e["ENIs"]["eni-1"]["AvailableIPv4Cidrs"]["10.0.1.5/32"]["IPAddresses"]["10.0.1.5"]
    assert list(rec) == ["Address", "IPAMKey", "IPAMMetadata", "AssignedTime", "UnassignedTime"]


def test_ipam_checkpoint_matches_the_spec_example() -> None:
    alloc = c.PoolAddr(
        "10.0.12.65",
        True,
        "kube-system",
        "coredns-5d8f7c9b6-4k2lp",
        "9a3e…77",
        assigned_at=datetime(2026, 2, 20, 8, 0, 1, 500000, tzinfo=UTC),
    )
    assert c.ipam_checkpoint_json([alloc]) == (
        '{"version":"vpc-cni-ipam/1","allocations":[{"networkName":"aws-cni","containerID":"9a3e…77","ifName":"eth0",'
        '"ipv4":"10.0.12.65","allocationTimestamp":1771574401500000000,"metadata":{"k8sPodNamespace":"kube-system",'
        '"k8sPodName":"coredns-5d8f7c9b6-4k2lp"}}]}\n'
    )


def test_pods_json_keys() -> None:
    doc = json.loads(c.pods_json([c.LegacyPod("coredns-5d8f7c9b6-4k2lp", "kube-system", "10.0.41.7", 2)]))
    assert doc == {"coredns-5d8f7c9b6-4k2lp_kube-system_": {"IP": "10.0.41.7", "DeviceNumber": 2}}


# --------------------------------------------------------------------------- rules and routes


def test_cni_ip_rules_v1_20_matches_the_spec_example() -> None:
    rules = c.cni_ip_rules(
        pod_ips=["10.0.12.50", "10.0.41.7"],
        secondary_pod_tables={"10.0.41.7": 2},
        version=(1, 20, 3),
        eni_primary_ip_tables={"10.0.40.10": 2},
    )
    assert c.ip_rule_text(rules) == (
        "0:\tfrom all lookup local\n512:\tfrom all to 10.0.12.50 lookup main\n512:\tfrom all to 10.0.41.7 lookup main\n"
        "1024:\tfrom all fwmark 0x80/0x80 lookup main\n1536:\tfrom 10.0.41.7 lookup 2\n32765:\tfrom 10.0.40.10 lookup 2\n"
        "32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n"
    )


def test_cni_ip_rules_by_era() -> None:
    def text(version: tuple[int, int, int], **kw: object) -> str:
        return c.ip_rule_text(
            c.cni_ip_rules(pod_ips=["10.0.41.7"], secondary_pod_tables={"10.0.41.7": 2}, version=version, **kw)
        )

    assert "1024:\tnot from all to 10.0.0.0/16 lookup main" in text((1, 2, 1), node_port_support=False)
    assert "fwmark" not in text((1, 2, 1), node_port_support=False)
    assert "1536:\tfrom 10.0.41.7 to 10.0.0.0/16 lookup 2" in text((1, 5, 0))
    assert "1536:\tfrom 10.0.41.7 lookup 2" in text((1, 5, 0), external_snat=True)
    assert "not from all" not in text((1, 9, 0))
    assert "fwmark" in text((1, 13, 0), node_port_support=False)
    assert "32765" not in text((1, 19, 0), eni_primary_ip_tables={"10.0.40.10": 2})


def test_routes_helpers() -> None:
    assert c.eni_table_routes("10.0.32.1", "eth1", 2) == [
        "default via 10.0.32.1 dev eth1 table 2",
        "10.0.32.1 dev eth1 table 2 scope link",
    ]
    dump = c.ip_route_text([c.pod_route("10.0.12.50", "enic0778f2fe26")])
    assert c.legacy_route_output(dump, dump).count("ip route show table all\n") == 2


# --------------------------------------------------------------------------- iptables


def test_return_style_snat_and_connmark_match_the_spec() -> None:
    tables = c.cni_iptables_rules((1, 18, 3), primary_ip="10.0.12.34", exclude_cidrs=("172.16.0.0/12",))
    assert tables["nat"].rules == [
        '-A PREROUTING -i eni+ -m comment --comment "AWS, outbound connections" -j AWS-CONNMARK-CHAIN-0',
        '-A PREROUTING -m comment --comment "AWS, CONNMARK" -j CONNMARK --restore-mark --nfmask 0x80 --ctmask 0x80',
        '-A POSTROUTING -m comment --comment "AWS SNAT CHAIN" -j AWS-SNAT-CHAIN-0',
        '-A AWS-CONNMARK-CHAIN-0 -d 10.0.0.0/16 -m comment --comment "AWS CONNMARK CHAIN, VPC CIDR" -j RETURN',
        '-A AWS-CONNMARK-CHAIN-0 -d 172.16.0.0/12 -m comment --comment "AWS CONNMARK CHAIN, EXCLUDED CIDR" -j RETURN',
        '-A AWS-CONNMARK-CHAIN-0 -m comment --comment "AWS, CONNMARK" -j CONNMARK --set-xmark 0x80/0x80',
        '-A AWS-SNAT-CHAIN-0 -d 10.0.0.0/16 -m comment --comment "AWS SNAT CHAIN" -j RETURN',
        '-A AWS-SNAT-CHAIN-0 -d 172.16.0.0/12 -m comment --comment "AWS SNAT CHAIN EXCLUSION" -j RETURN',
        '-A AWS-SNAT-CHAIN-0 ! -o vlan+ -m comment --comment "AWS, SNAT" -m addrtype ! --dst-type LOCAL '
        "-j SNAT --to-source 10.0.12.34 --random-fully",
    ]
    assert len(tables["mangle"].rules) == 3


def test_older_snat_layouts() -> None:
    v12 = c.cni_iptables_rules((1, 2, 1), primary_ip="192.168.167.201", vpc_cidrs=("192.168.0.0/16",))
    assert v12["nat"].rules == [
        '-A POSTROUTING ! -d 192.168.0.0/16 -m comment --comment "AWS, SNAT" -m addrtype '
        "! --dst-type LOCAL -j SNAT --to-source 192.168.167.201"
    ]
    v13 = c.cni_iptables_rules((1, 3, 0), primary_ip="10.0.12.34")["nat"].rules
    assert any('"AWS SNAT CHAN"' in r for r in v13) and not any("random" in r for r in v13)
    v16 = c.cni_iptables_rules((1, 6, 3), primary_ip="10.0.12.34", exclude_cidrs=("172.16.0.0/12",))["nat"].rules
    assert (
        '-A AWS-SNAT-CHAIN-1 ! -d 172.16.0.0/12 -m comment --comment "AWS SNAT CHAIN EXCLUSION" -j AWS-SNAT-CHAIN-2'
        in v16
    )
    assert v16[-1].endswith("--to-source 10.0.12.34 --random") and "vlan" not in v16[-1]
    v23 = c.cni_iptables_rules((1, 23, 0), primary_ip="10.0.12.34", nftables_connmark=True)["nat"]
    assert not any("CONNMARK" in r for r in v23.rules) and ("AWS-CONNMARK-CHAIN-0", "-", (0, 0)) not in v23.chains
    ext = c.cni_iptables_rules((1, 18, 0), primary_ip="10.0.12.34", external_snat=True)
    assert ext["nat"].rules == []


def test_iptables_save_orders_rules_by_chain() -> None:
    nat = c.builtin_table("nat")
    nat.chain("AWS-SNAT-CHAIN-0")
    nat.rules += ["-A AWS-SNAT-CHAIN-0 -j RETURN", "-A POSTROUTING -j AWS-SNAT-CHAIN-0", "-A PREROUTING -j ACCEPT"]
    text = c.iptables_save_text([nat], saved_at=T)
    assert text.splitlines()[0] == "# Generated by iptables-save v1.8.4 on Wed Jan 10 20:46:30 2024"
    body = [line for line in text.splitlines() if line.startswith("-A")]
    assert body == ["-A PREROUTING -j ACCEPT", "-A POSTROUTING -j AWS-SNAT-CHAIN-0", "-A AWS-SNAT-CHAIN-0 -j RETURN"]
    assert "# Generated by iptables-nft-save v1.8.8 (nf_tables) on" in c.iptables_save_text(
        [nat], saved_at=T, version="v1.8.8", nft=True
    )


def test_kube_proxy_chain_names_match_real_ones() -> None:
    kubernetes = c.Service("default", "kubernetes", "https", "10.100.0.1", 443, "TCP", ("192.168.74.164:443",))
    assert c.kube_proxy_svc_chain(kubernetes) == "KUBE-SVC-NPX46M4PTMTKRN6Y"
    assert c.kube_proxy_sep_chain(kubernetes, "192.168.74.164:443") == "KUBE-SEP-5FZSVYKRYDUCHFON"
    dns = c.Service("kube-system", "kube-dns", "dns", "10.100.0.10", 53, "UDP", ())
    assert c.kube_proxy_svc_chain(dns) == "KUBE-SVC-TCOU7JCQXEZGVUNU"
    assert _probability(2) == "0.50000000000" and _probability(3) == "0.33333333349"


def test_nvl_text_matches_the_spec_example() -> None:
    chain = c.NvlChain(
        "AWS-SNAT-CHAIN-0",
        references=1,
        rows=(
            c.NvlRow("RETURN", destination="10.0.0.0/16", extra="/* AWS SNAT CHAIN */", pkts=120_000, bytes=9_876_000),
            c.NvlRow(
                "SNAT",
                out_if="!vlan+",
                extra="/* AWS, SNAT */ ADDRTYPE match dst-type !LOCAL to:10.0.12.34 random-fully",
                pkts=3456,
                bytes=210_000,
            ),
        ),
    )
    assert [line.rstrip() for line in c.iptables_nvl_text([chain]).splitlines()] == [
        "Chain AWS-SNAT-CHAIN-0 (1 references)",
        " pkts bytes target     prot opt in     out     source               destination",
        " 120K 9876K RETURN     all  --  *      *       0.0.0.0/0            10.0.0.0/16          /* AWS SNAT CHAIN */",
        " 3456  210K SNAT       all  --  *      !vlan+  0.0.0.0/0            0.0.0.0/0            /* AWS, SNAT */ "
        "ADDRTYPE match dst-type !LOCAL to:10.0.12.34 random-fully",
        "",
        "=======",
        "Total Number of Rules: 2",
    ]


def test_nvl_view_of_a_saved_table() -> None:
    nat = c.builtin_table("nat", {"POSTROUTING": (12_000_000, 3_456_000_000)})
    nat.extend(c.cni_iptables_rules((1, 18, 3), primary_ip="10.0.12.34")["nat"])
    chains = {ch.name: ch for ch in c.nvl_chains_from_table(nat)}
    assert chains["AWS-SNAT-CHAIN-0"].references == 1
    snat = chains["AWS-SNAT-CHAIN-0"].rows[-1]
    assert (snat.target, snat.out_if) == ("SNAT", "!vlan+")
    assert snat.extra == "/* AWS, SNAT */ ADDRTYPE match dst-type !LOCAL to:10.0.12.34 random-fully"
    text = c.iptables_nvl_text(list(chains.values()))
    assert "Chain POSTROUTING (policy ACCEPT 12M packets, 3456M bytes)" in text
    assert "CONNMARK restore mask 0x80" in text and text.endswith("Total Number of Rules: 7\n")


def test_nft_aws_cni_table_matches_the_spec_example() -> None:
    text = c.nft_aws_cni_table(
        vpc_cidrs=("10.0.0.0/16",),
        exclude_cidrs=("172.16.0.0/12",),
        counters=[(48211, 3911870), (97340, 8120332), (30112, 2409001), (11873, 950211), (6226, 552658)],
    )
    assert text.splitlines() == [
        "table ip aws-cni {",
        "\tchain nat-prerouting {",
        "\t\ttype nat hook prerouting priority dstnat + 10; policy accept;",
        "\t\tfib daddr type local return",
        '\t\tiifname "eni*" counter packets 48211 bytes 3911870 jump snat-mark',
        "\t\tcounter packets 97340 bytes 8120332 meta mark set ct mark & 0x00000080",
        "\t}",
        "",
        "\tchain snat-mark {",
        "\t\tcounter packets 30112 bytes 2409001 ip daddr 172.16.0.0/12 return",
        "\t\tcounter packets 11873 bytes 950211 ip daddr 10.0.0.0/16 return",
        "\t\tcounter packets 6226 bytes 552658 ct mark set ct mark | 0x00000080",
        "\t}",
        "}",
    ]


# --------------------------------------------------------------------------- host, config, logs


def test_ifconfig_block_matches_the_seed() -> None:
    iface = c.Iface(
        "eni61b9c53e3d2",
        1500,
        None,
        None,
        None,
        "fe80::2450:8ff:fe03:3ea6",
        "26:50:08:03:3e:a6",
        rx_packets=2,
        rx_bytes=126,
        tx_packets=15,
        tx_bytes=1191,
        txqueuelen=0,
    )
    assert c.ifconfig_text([iface]).splitlines()[:7] == [
        "eni61b9c53e3d2: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500",
        "        inet6 fe80::2450:8ff:fe03:3ea6  prefixlen 64  scopeid 0x20<link>",
        "        ether 26:50:08:03:3e:a6  txqueuelen 0  (Ethernet)",
        "        RX packets 2  bytes 126 (126.0 B)",
        "        RX errors 0  dropped 0  overruns 0  frame 0",
        "        TX packets 15  bytes 1191 (1.1 KiB)",
        "        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0",
    ]


def test_sysctl_and_conntrack_texts() -> None:
    assert (
        c.sysctl_text({"net.ipv4.ip_local_port_range": "32768\t60999"})
        == "net.ipv4.ip_local_port_range = 32768\t60999\n"
    )
    assert c.legacy_sysctls_out({"eth0": 2}).splitlines() == [
        "================== sysctls ==================",
        "/proc/sys/net/ipv4/conf/eth0/rp_filter = 2",
    ]
    assert c.conntrack_text([], []).startswith("*** Output of conntrack -S *** \n")
    assert c.conntrack_text([], [], nma=True).startswith("*** Output of conntrack -S ***\n")


def test_conflist_shapes_by_version() -> None:
    assert json.loads(c.conflist((1, 1, 0))) == {"name": "aws-cni", "type": "aws-cni", "vethPrefix": "eni"}
    v12 = json.loads(c.conflist((1, 2, 1)))
    assert "cniVersion" not in v12 and [p["type"] for p in v12["plugins"]] == ["aws-cni", "portmap"]
    v16 = json.loads(c.conflist((1, 6, 0)))
    assert v16["cniVersion"] == "0.3.1" and v16["plugins"][0]["mtu"] == "9001"
    v10 = json.loads(c.conflist((1, 10, 1)))
    assert v10["plugins"][1]["type"] == "egress-v4-cni" and v10["plugins"][1]["mtu"] == 9001
    assert json.loads(c.conflist((1, 16, 0)))["cniVersion"] == "1.0.0"
    v20 = json.loads(c.conflist((1, 20, 4)))
    assert v20["cniVersion"] == "0.4.0" and v20["disableCheck"] is True
    assert v20["plugins"][0]["capabilities"] == {"io.kubernetes.cri.pod-annotations": True}
    assert v20["plugins"][1]["enabled"] == "false"


def test_metrics_names_by_era() -> None:
    old = c.metrics_text(c.cni_metrics((1, 2, 1), eni_allocated=2, eni_max=3, ip_max=15, total_ips=10, assigned_ips=3))
    assert "\nassigned_ip_addresses 3\n" in old and "awscni_" not in old
    new = c.metrics_text(c.cni_metrics((1, 18, 3), eni_allocated=2, eni_max=3, ip_max=27, total_ips=18, assigned_ips=8))
    assert 'awscni_build_info{goversion="go1.22.5",version="v1.18.3"} 1' in new
    assert "# TYPE awscni_add_ip_req_count gauge" in new  # a gauge in v1.16–v1.18
    summary = c.metrics_text(
        [c.Metric("x_sum", 1.5, type="summary", family="x"), c.Metric("x_count", 2, type="summary", family="x")]
    )
    assert summary == "# HELP x x\n# TYPE x summary\nx_sum 1.5\nx_count 2\n"


def test_log_lines() -> None:
    assert c.seelog_line("info", T, "Starting L-IPAMD v1.2.1  ...", version=(1, 2, 1)) == (
        "2024-01-10T20:46:30Z [INFO] Starting L-IPAMD v1.2.1  ..."
    )
    assert c.seelog_line("debug", T, "x", version=(1, 5, 0)) == "2024-01-10T20:46:30Z [DEBUG]\tx"
    assert c.seelog_line("debug", T, "x", version=(1, 5, 1)) == "2024-01-10T20:46:30.000Z [DEBUG]\tx"
    assert c.seelog_line("debug", T, "x", version=(1, 6, 0)) == "2024-01-10T20:46:30.000Z [DEBUG] \tx"
    when = T + timedelta(microseconds=541000)
    assert c.zap_line("info", when, "ipamd/ipamd.go:1316", "m") == (
        '{"level":"info","ts":"2024-01-10T20:46:30.541Z","caller":"ipamd/ipamd.go:1316","msg":"m"}'
    )
    assert c.journal_line(T, "h", "kubelet", 3421, "m") == "Jan 10 20:46:30 h kubelet[3421]: m"
    assert (
        c.journal_line(T, "h", "kubelet", 3421, "m", iso=True) == "2024-01-10T20:46:30.000000+0000 h kubelet[3421]: m"
    )
    klog = c.klog_line("E", T + timedelta(microseconds=4551), 3421, "log.go:32", '"x"')
    assert klog == 'E0110 20:46:30.004551    3421 log.go:32] "x"'
    assert c.cri_log_line(T, "stderr", "m", partial=True) == "2024-01-10T20:46:30.000000000Z stderr P m"


# --------------------------------------------------------------------------- properties

_ns = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(ns=_ns, pod=_ns)
def test_veth_name_shape(ns: str, pod: str) -> None:
    assert re.fullmatch(r"eni[0-9a-f]{11}", c.veth_name(ns, pod))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_go_time_parses_back(when: datetime) -> None:
    assert datetime.fromisoformat(c.go_time(when)) == when


_octet = st.integers(min_value=1, max_value=254)
_ip = st.tuples(_octet, _octet, _octet, _octet).map(lambda t: ".".join(map(str, t)))


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    pool=st.dictionaries(_ip, st.booleans(), min_size=1, max_size=12),
    version=st.sampled_from([(1, 20, 0), (1, 22, 0), (1, 23, 1)]),
)
def test_gen_f_counts_and_keys_round_trip(pool: dict[str, bool], version: tuple[int, int, int]) -> None:
    addrs = tuple(
        c.PoolAddr(ip, used, "ns", f"p{i}", f"c{i}") if used else c.PoolAddr(ip)
        for i, (ip, used) in enumerate(pool.items())
    )
    doc = json.loads(c.enis_json_gen_f({0: [c.EniSpec("eni-1", 0, True, addrs)]}, version=version))["0"]
    assert doc["TotalIPs"] == len(pool) and doc["AssignedIPs"] == sum(pool.values())
    cidrs = doc["ENIs"]["eni-1"]["AvailableIPv4Cidrs"]
    assert set(cidrs) == {f"{ip}/32" for ip in pool}
    listed = {ip for cidr in cidrs.values() for ip in cidr["IPAddresses"]}
    assert listed == {ip for ip, used in pool.items() if used}


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=32767),
            st.sampled_from(
                ["from all lookup main", "from 10.0.1.2 lookup 3", "not from all to 10.0.0.0/16 lookup main"]
            ),
        ),
        max_size=10,
    )
)
def test_ip_rule_text_parses_back(rules: list[tuple[int, str]]) -> None:
    lines = c.ip_rule_text(rules).splitlines()
    assert [(int(p), s) for p, s in (line.split(":\t", 1) for line in lines)] == rules
