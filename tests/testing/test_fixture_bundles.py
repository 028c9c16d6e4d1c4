"""The shipped sample bundles say what fixtures/README.md says they say."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from functools import cache
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SEED = "seed-net410-aws-cni-support.tar.gz"
EKS = "eks_i-0a1b2c3d4e5f60718_2026-03-18_2047-UTC_0.7.9.tar.gz"
NMA = "ip-10-0-1-42.ec2.internal-logs.tar.gz"

# The seed's `curl http://localhost:61678/v1/enis | python -m json.tool`, as data.
SEED_ENIS = {
    "AssignedIPs": 3,
    "ENIIPPools": {
        "eni-001197a0eeab79df8": {
            "AssignedIPv4Addresses": 1,
            "DeviceNumber": 0,
            "ID": "eni-001197a0eeab79df8",
            "IPv4Addresses": {
                "192.168.141.2": {"Assigned": True},
                "192.168.145.92": {"Assigned": False},
                "192.168.155.88": {"Assigned": False},
                "192.168.160.34": {"Assigned": False},
                "192.168.172.159": {"Assigned": False},
            },
            "IsPrimary": True,
        },
        "eni-0d7778f429dda454f": {
            "AssignedIPv4Addresses": 2,
            "DeviceNumber": 3,
            "ID": "eni-0d7778f429dda454f",
            "IPv4Addresses": {
                "192.168.130.206": {"Assigned": True},
                "192.168.143.101": {"Assigned": False},
                "192.168.157.205": {"Assigned": True},
                "192.168.161.148": {"Assigned": False},
                "192.168.164.163": {"Assigned": False},
            },
            "IsPrimary": False,
        },
    },
    "TotalIPs": 10,
}
SEED_MAIN_ROUTES = [
    "default via 192.168.128.1 dev eth0",
    "169.254.169.254 dev eth0",
    "172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 linkdown",
    "192.168.128.0/18 dev eth0 proto kernel scope link src 192.168.167.201",
    "192.168.130.206 dev eni61b9c53e3d2 scope link",
    "192.168.141.2 dev eni3fd21969a5d scope link",
    "192.168.157.205 dev enid01321d94b0 scope link",
]


@cache
def _files(archive: str) -> dict[str, bytes]:
    with tarfile.open(FIXTURES / archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


@cache
def _names(archive: str) -> list[tuple[str, bool]]:
    with tarfile.open(FIXTURES / archive, "r:gz") as tar:
        return [(m.name, m.isdir()) for m in tar.getmembers()]


def _lines(archive: str, path: str) -> list[str]:
    data = _files(archive)[path]
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    return data.decode().splitlines()


# --------------------------------------------------------------------------- seed


def test_seed_is_a_legacy_v1_2_archive_with_the_seed_log_files() -> None:
    names = {n.removeprefix("var/log/aws-routed-eni/") for n, _ in _names(SEED)}
    assert all(n.startswith("var/log/aws-routed-eni") for n, _ in _names(SEED))
    assert {
        "ipamd.log.2018-07-17-22",
        "ipamd.log.2018-07-17-23",
        "ipamd.log.2018-07-18-00",
        "ipamd.log.2018-07-18-01",
        "plugin.log.2018-07-18-00",
        "plugin.log.2018-07-18-01",
    } <= names
    assert {
        "eni.output",
        "pod.output",
        "ifconig.output",
        "iprule.output",
        "route.output",
        "iptables-save.out",
        "iptables.out",
        "iptables-nat.out",
        "sysctls.out",
        "metrics.output",
        "cni/10-aws.conflist",
    } <= names


def test_seed_enis_document_is_the_seeds_in_go_form() -> None:
    raw = _files(SEED)["var/log/aws-routed-eni/eni.output"]
    assert len(raw) == 675  # the size curl reported in the seed
    assert json.loads(raw) == SEED_ENIS
    assert raw.startswith(b'{"TotalIPs":10,"AssignedIPs":3,"ENIIPPools":{"eni-001197a0eeab79df8":{"IsPrimary":true,')


def test_seed_routes_and_rules_match_the_seed() -> None:
    route = _lines(SEED, "var/log/aws-routed-eni/route.output")
    assert route[:2] == ["=============================================", "ip route show table all"]
    main = [r.rstrip() for r in route[2:] if " table " not in r]
    assert main == SEED_MAIN_ROUTES
    assert "default via 192.168.128.1 dev eth2 table 3 " in route
    rules = _lines(SEED, "var/log/aws-routed-eni/iprule.output")
    assert "1024:\tnot from all to 192.168.0.0/16 lookup main " in rules
    assert not any("fwmark" in r for r in rules)


def test_seed_veth_names_follow_the_sha1_formula() -> None:
    for pod, veth in (("72q5t", "eni61b9c53e3d2"), ("f9pkn", "enid01321d94b0"), ("sfgtb", "eni3fd21969a5d")):
        key = f"default.worker-hello-5d9b798f74-{pod}".encode()
        assert "eni" + hashlib.sha1(key).hexdigest()[:11] == veth
    ifconfig = _files(SEED)["var/log/aws-routed-eni/ifconig.output"].decode()
    assert "ether 26:50:08:03:3e:a6  txqueuelen 0  (Ethernet)" in ifconfig
    assert "TX packets 15  bytes 1191 (1.1 KiB)" in ifconfig


def test_seed_node_port_support_is_off_and_consistent() -> None:
    env = json.loads(_files(SEED)["var/log/aws-routed-eni/networkutils-env.output"])
    assert env["AWS_VPC_CNI_NODE_PORT_SUPPORT"] is False
    save = _files(SEED)["var/log/aws-routed-eni/iptables-save.out"].decode()
    assert "CONNMARK" not in save
    assert '-A POSTROUTING ! -d 192.168.0.0/16 -m comment --comment "AWS, SNAT"' in save
    assert "/proc/sys/net/ipv4/conf/eth0/rp_filter = 2" in _lines(SEED, "var/log/aws-routed-eni/sysctls.out")


# --------------------------------------------------------------------------- EKS: P1, P2


def test_eks_layout_has_dot_slash_and_empty_directories() -> None:
    names = dict(_names(EKS))
    assert names["."] is True and names["./gpu"] is True and names["./nodeadm"] is True
    assert all(n == "." or n.startswith("./") for n in names)


@pytest.mark.parametrize(
    ("path", "line", "text"),
    [
        ("./networking/iprule.txt", 8, "512:\tfrom all to 10.0.22.9 lookup main"),
        ("./networking/iprule.txt", 11, "1536:\tfrom 10.0.5.113 lookup 2"),
        ("./networking/iprule.txt", 12, "1536:\tfrom 10.0.30.250 lookup 2"),
        ("./networking/iproute.txt", 10, "10.0.22.9 dev eni81d933df327 scope link"),
        ("./var_log/aws-routed-eni/plugin.log", 155, "Added rule priority 1536 from 10.0.22.9/32 table 2"),
        ("./var_log/aws-routed-eni/ipamd-2026-03-17T10-00-00.000.log.gz", 70, "IP pool is too low for Network Card 0"),
        (
            "./var_log/aws-routed-eni/ipamd-2026-03-17T10-00-00.000.log.gz",
            78,
            "Failed to allocate a private IP/Prefix addresses on ENI eni-0ddd3333eeee4444f: InsufficientFreeAddressesInSubnet: "
            "There are not enough free addresses in subnet 'subnet-0123456789abcdef0' to satisfy the requested number of addresses.",
        ),
        (
            "./var_log/aws-routed-eni/ipamd-2026-03-17T10-00-00.000.log.gz",
            79,
            "Unable to attach IPs/Prefixes for the ENI",
        ),
        (
            "./var_log/aws-routed-eni/ipamd-2026-03-17T10-00-00.000.log.gz",
            95,
            "DataStore has no available IP/Prefix addresses",
        ),
        (
            "./var_log/aws-routed-eni/ipamd-2026-03-17T10-00-00.000.log.gz",
            96,
            "Failed to assign IPs from network card 0: AssignPodIPAddress: no available IP/Prefix addresses",
        ),
        ("./var_log/aws-routed-eni/plugin.log", 87, "Failed to assign an IP address to container "),
        (
            "./kubelet/kubelet.log",
            6,
            'plugin type=\\"aws-cni\\" name=\\"aws-cni\\" failed (add): add cmd: '
            "failed to assign an IP address to container",
        ),
        ("./containerd/containerd-log.txt", 2, "failed to assign an IP address to container"),
        (
            "./ipamd/metrics.json",
            23,
            'awscni_aws_api_error_count{api="AssignPrivateIpAddresses",error="InsufficientFreeAddressesInSubnet"} 9',
        ),
        ("./ipamd/metrics.json", 58, "awscni_no_available_ip_addresses 9"),
    ],
)
def test_eks_readme_line_references(path: str, line: int, text: str) -> None:
    assert text in _lines(EKS, path)[line - 1]


def test_eks_p1_only_10_0_22_9_lacks_its_rule() -> None:
    enis = json.loads(_files(EKS)["./ipamd/enis.json"])["0"]["ENIs"]
    secondary = enis["eni-0ddd3333eeee4444f"]
    assert secondary["RouteTableID"] == 2 and secondary["DeviceNumber"] == 1
    assigned = [
        ip
        for cidr in secondary["AvailableIPv4Cidrs"].values()
        for ip, rec in cidr["IPAddresses"].items()
        if any(rec["IPAMKey"].values())
    ]
    rules = _lines(EKS, "./networking/iprule.txt")
    missing = [ip for ip in assigned if f"1536:\tfrom {ip} lookup 2" not in rules]
    assert missing == ["10.0.22.9"]
    ipam = json.loads(_files(EKS)["./ipamd/ipam.json"])
    assert any(
        a["ipv4"] == "10.0.22.9" and a["metadata"]["k8sPodName"] == "api-6f8d9b7c5-t7wpl" for a in ipam["allocations"]
    )


def test_eks_p2_lives_only_in_the_rotated_backup() -> None:
    live = _files(EKS)["./var_log/aws-routed-eni/ipamd.log"].decode()
    backup = "\n".join(_lines(EKS, "./var_log/aws-routed-eni/ipamd-2026-03-17T10-00-00.000.log.gz"))
    for marker in (
        "InsufficientFreeAddressesInSubnet",
        "DataStore has no available",
        "Recently we had InsufficientCidr",
    ):
        assert marker in backup and marker not in live
    assert backup.count("InsufficientFreeAddressesInSubnet") == 9
    assert all(json.loads(line)["level"] for line in backup.splitlines())


def test_eks_everything_else_is_consistent() -> None:
    files = _files(EKS)
    rules = _lines(EKS, "./networking/iprule.txt")
    routes = _lines(EKS, "./networking/iproute.txt")
    sysctl = _lines(EKS, "./sysctls/sysctl_all.txt")
    ipam = json.loads(files["./ipamd/ipam.json"])["allocations"]
    for alloc in ipam:
        ip, ns, pod = alloc["ipv4"], alloc["metadata"]["k8sPodNamespace"], alloc["metadata"]["k8sPodName"]
        veth = "eni" + hashlib.sha1(f"{ns}.{pod}".encode()).hexdigest()[:11]
        assert f"512:\tfrom all to {ip} lookup main" in rules
        assert f"{ip} dev {veth} scope link" in routes
        assert f"net.ipv4.conf.{veth}.rp_filter = 1" in sysctl
    assert {"default via 10.0.0.1 dev eth1 table 2", "10.0.0.1 dev eth1 table 2 scope link"} <= set(routes)
    assert not any("dev eth1 proto kernel" in r and "table" not in r for r in routes)
    assert "32765:\tfrom 10.0.21.77 lookup 2" in rules
    assert "net.ipv4.conf.eth0.rp_filter = 2" in sysctl and "net.ipv4.ip_forward = 1" in sysctl
    assert 'awscni_build_info{goversion="go1.24.4",version="v1.20.4"} 1' in files["./ipamd/metrics.json"].decode()


# --------------------------------------------------------------------------- NMA


def test_nma_has_bare_names_no_directories_and_its_fingerprints() -> None:
    names = _names(NMA)
    assert not any(is_dir for _, is_dir in names)
    assert not any(n.startswith("./") for n, _ in names)
    files = _files(NMA)
    assert {"log-capture-errors.log", "networking/get_api_server.txt", "networking/nftables-ip-aws-cni.txt"} <= set(
        files
    )
    assert "system/script-params.txt" not in files
    assert files["networking/conntrack.txt"].startswith(b"*** Output of conntrack -S ***\n")
    assert _lines(NMA, "kubelet/kubelet.log")[0].startswith("2026-03-18T19:01:21.000000+0000 ")
    save = files["networking/iptables-save.txt"].decode()
    assert "AWS-CONNMARK-CHAIN-0" not in save and "AWS-SNAT-CHAIN-0" in save
    enis = json.loads(files["ipamd/enis.json"])["0"]["ENIs"]["eni-05f1a2b3c4d5e6f70"]
    records = [r for c in enis["AvailableIPv4Cidrs"].values() for r in c["IPAddresses"].values()]
    assert len(records) == 3 and all(
        r["IPAMKey"] == {"networkName": "aws-cni", "containerID": "", "ifName": ""} for r in records
    )


def test_fixtures_are_small() -> None:
    for name in (SEED, EKS, NMA):
        assert (FIXTURES / name).stat().st_size < 200_000
        with tarfile.open(fileobj=io.BytesIO((FIXTURES / name).read_bytes()), mode="r:gz") as tar:
            assert tar.getmembers()
