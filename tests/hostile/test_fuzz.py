"""Fuzzing every parser, the log reader and the archive reader (seeded, bounded: CI stays fast).

Each parser gets arbitrary bytes and byte-level mutations of a realistic input (flips,
truncations, duplications, insertions of hostile bytes). Properties: it returns a ``Parsed``
with a known status; ``damaged`` always comes with problems; every problem names the file and a
line that exists. The archive reader gets mutated tar.gz, tar and zip bundles: ``load_bundle``
raises nothing but ``BundleRefused`` and writes nothing.
"""

from __future__ import annotations

import os

import pytest
from corpus import ESCAPE_MARK, healthy_builder, healthy_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundle_analyzer import load_bundle
from bundle_analyzer.errors import BundleRefused
from bundle_analyzer.logs import (
    LogFormat,
    LogScanner,
    ScanPattern,
    decode_hits,
    decode_line,
    scan_log,
)
from bundle_analyzer.models.common import ArtifactStatus, Parsed
from bundle_analyzer.parsers.aws_cli import parse_aws_json
from bundle_analyzer.parsers.conflist import parse_cni_config
from bundle_analyzer.parsers.conntrack import parse_conntrack
from bundle_analyzer.parsers.container_env import parse_container_env
from bundle_analyzer.parsers.eni_configs import parse_eni_configs
from bundle_analyzer.parsers.enis import parse_enis
from bundle_analyzer.parsers.env_settings import parse_ipamd_env, parse_networkutils_env
from bundle_analyzer.parsers.ip_route import parse_ip_routes
from bundle_analyzer.parsers.ip_rule import parse_ip_rules
from bundle_analyzer.parsers.ipam_checkpoint import parse_ipam_checkpoint
from bundle_analyzer.parsers.iptables_list import parse_iptables_listing
from bundle_analyzer.parsers.iptables_save import parse_iptables_save
from bundle_analyzer.parsers.kubelet_config import (
    parse_kubelet_config,
    parse_kubelet_service,
)
from bundle_analyzer.parsers.link_info import (
    parse_ethtool_stats,
    parse_ifconfig,
    parse_ip_addr,
)
from bundle_analyzer.parsers.metrics import parse_metrics
from bundle_analyzer.parsers.pods import parse_pods
from bundle_analyzer.parsers.sysctl import parse_sysctls

ARBITRARY = settings(max_examples=100, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MUTATED = settings(max_examples=200, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ARCHIVES = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])

_BASE = healthy_files()
# Realistic inputs: the healthy EKS v1.20 bundle where it has the file, spec samples otherwise.
SAMPLES: dict[str, tuple[object, str]] = {
    "parse_enis": (parse_enis, _BASE["ipamd/enis.json"]),
    "parse_pods": (parse_pods, ('{"web-7d4b9c-x2x9q_default_5f0c4d2ab1e6":{"IP":"10.0.12.50","DeviceNumber":0},'
                               '"coredns-5d8f7c9b6-4k2lp_kube-system_":{"IP":"10.0.41.7","DeviceNumber":2}}')),
    "parse_eni_configs": (parse_eni_configs, ('{"ENI":{"us-west-2a":{"securityGroups":["sg-0123"],'
                                             '"subnet":"subnet-0aaa"}},"MyENI":"us-west-2a",'
                                             '"EniConfigAnnotationDef":"k8s.amazonaws.com/eniConfig"}')),
    "parse_networkutils_env": (parse_networkutils_env, _BASE["ipamd/networkutils-env-settings.json"]),
    "parse_ipamd_env": (parse_ipamd_env, _BASE["ipamd/ipamd-env-settings.json"]),
    "parse_metrics": (parse_metrics, _BASE["ipamd/metrics.json"]),
    "parse_ipam_checkpoint": (parse_ipam_checkpoint, _BASE["ipamd/ipam.json"]),
    "parse_ip_rules": (parse_ip_rules, _BASE["networking/iprule.txt"]),
    "parse_ip_routes": (parse_ip_routes, _BASE["networking/iproute.txt"]),
    "parse_iptables_save": (parse_iptables_save, _BASE["networking/iptables-save.txt"]),
    "parse_iptables_listing": (parse_iptables_listing,
                               ("Chain PREROUTING (policy ACCEPT 0 packets, 0 bytes)\n"
                               " pkts bytes target     prot opt in     out     source               destination\n"
                               " 1234  100K KUBE-SERVICES  all  --  *      *       0.0.0.0/0            0.0.0.0/0"
                               "            /* kubernetes service portals */\n"
                               "Chain AWS-SNAT-CHAIN-0 (1 references)\n"
                               "    0     0 RETURN     all  --  *      *       0.0.0.0/0            10.0.0.0/16\n")),
    "parse_sysctls": (parse_sysctls, _BASE["sysctls/sysctl_all.txt"]),
    "parse_cni_config": (parse_cni_config, _BASE["cni/10-aws.conflist"]),
    "parse_kubelet_config": (parse_kubelet_config, _BASE["kubelet/kubelet-config.json"]),
    "parse_kubelet_service": (parse_kubelet_service,
                              ("# /etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf\n[Service]\n"
                              "Environment='KUBELET_EXTRA_ARGS=--max-pods=110 --node-ip=10.0.12.34'\n")),
    "parse_conntrack": (parse_conntrack,
                        ("*** Output of conntrack -S *** \ncpu=0   \tfound=12 invalid=3456 ignore=0 insert=0 "
                        "insert_failed=0 drop=0 early_drop=0 error=7 search_restart=21\n*** Output of conntrack -L ***\n"
                        "tcp      6 86396 ESTABLISHED src=10.0.41.7 dst=52.94.1.10 sport=41512 dport=443 src=52.94.1.10 "
                        "dst=10.0.12.34 sport=443 dport=41512 [ASSURED] mark=128 use=1\n")),
    "parse_container_env": (parse_container_env,
                            ('{\n    "ID": "5f1c",\n    "Labels": {"io.kubernetes.container.name": "aws-node"},\n'
                            '    "Image": "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.18.3",\n'
                            '    "CreatedAt": "2024-01-10T20:40:01.123456789Z",\n'
                            '    "Spec": {"process": {"env": ["WARM_ENI_TARGET=1"]}}\n}\n')),
    "parse_ifconfig": (parse_ifconfig,
                       ("eth0      Link encap:Ethernet  HWaddr 2E:9F:31:AB:BB:33\n"
                       "          inet addr:192.168.130.206  Bcast:192.168.130.206  Mask:255.255.255.255\n"
                       "eni61b9c53e3d2: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500\n"
                       "        ether 26:50:08:03:3e:a6  txqueuelen 0  (Ethernet)\n")),
    "parse_ip_addr": (parse_ip_addr,
                      ("2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state UP group default qlen 1000\n"
                      "    link/ether 0a:1b:2c:3d:4e:5f brd ff:ff:ff:ff:ff:ff\n"
                      "    inet 10.0.12.34/19 brd 10.0.31.255 scope global dynamic eth0\n")),
    "parse_ethtool_stats": (parse_ethtool_stats,
                            ("Interface eth0\nNIC statistics:\n     bw_in_allowance_exceeded: 0\n"
                            "     pps_allowance_exceeded: 12\nInterface lo\nno stats available\n")),
    "parse_aws_json": (parse_aws_json,
                       ('{"NetworkInterfaces":[{"NetworkInterfaceId":"eni-0aaa1111bbbb2222c","SubnetId":"subnet-0aaa",'
                       '"PrivateIpAddress":"10.0.12.34","PrivateIpAddresses":[{"Primary":true,"PrivateIpAddress":'
                       '"10.0.12.34"}],"Attachment":{"DeviceIndex":0,"NetworkCardIndex":0,"InstanceId":"i-0a1b"}}]}')),
}
HOSTILE_BYTES = [b"\x00", b"\xff\xfe", b"\r\n", b"\n", b"{", b"[", b"}", b"]", b'"', b"\\u0000", b"\\ud800",
                 b"9" * 30, b"-1e999", b"\x1b[2J", b"NaN", b":", b" ", b"\t", "²".encode(), b"0x" + b"f" * 40]


@st.composite
def mutated(draw, sample: bytes) -> bytes:
    data = bytearray(sample)
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            data += b"x"
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "truncate", "duplicate", "insert", "delete", "byte"]))
        if kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[at:]
        elif kind == "duplicate":
            end = draw(st.integers(at, min(len(data), at + 400)))
            data[at:at] = data[at:end] * draw(st.integers(1, 3))
        elif kind == "insert":
            data[at:at] = draw(st.sampled_from(HOSTILE_BYTES))
        elif kind == "delete":
            del data[at:draw(st.integers(at, min(len(data), at + 64)))]
        else:
            data[at] = draw(st.integers(0, 255))
    return bytes(data)


def check_outcome(result: object, data: bytes, path: str) -> None:
    assert isinstance(result, Parsed)
    assert result.status in set(ArtifactStatus)
    if result.status is ArtifactStatus.damaged:
        assert result.problems, "damaged says where"
    lines = data.count(b"\n") + 1
    for problem in result.problems:
        assert problem.path == path
        assert problem.line is None or 1 <= problem.line <= lines, (problem, lines)
    if not data.strip():
        assert result.status is ArtifactStatus.empty


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_arbitrary_bytes(name):
    parse, _ = SAMPLES[name]

    @ARBITRARY
    @given(st.binary(max_size=2048))
    def run(data):
        check_outcome(parse(data, f"fuzz/{name}"), data, f"fuzz/{name}")

    run()


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_mutated_real_input(name):
    parse, sample = SAMPLES[name]
    assert parse(sample.encode(), "real").status is ArtifactStatus.parsed, "the sample is realistic"

    @MUTATED
    @given(mutated(sample.encode()))
    def run(data):
        check_outcome(parse(data, f"fuzz/{name}"), data, f"fuzz/{name}")

    run()


_LOG_SAMPLE = (_BASE["var_log/aws-routed-eni/ipamd.log"] + _BASE["kubelet/kubelet.log"]
               + "2019-03-21T17:03:36Z [INFO] Starting L-IPAMD v1.3.2  ...\n  continuation\n"
               + 'time="2024-01-10T20:40:01Z" level=info msg="x"\n'
               + '{"log":"hi\\n","stream":"stdout","time":"2024-01-10T20:40:01Z"}\n').encode()
_SCANNER = LogScanner([ScanPattern("start", r"Starting (?P<what>L-IPAMD)"), ScanPattern("any", r"msg"),
                       ScanPattern("blank", r"^$")])


@MUTATED
@given(mutated(_LOG_SAMPLE), st.lists(st.integers(0, 4096), max_size=4))
def test_log_scan_and_decode(data, cuts):
    points = sorted({min(c, len(data)) for c in cuts})
    chunks = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]
    fmt, result = scan_log(_SCANNER, chunks, "var_log/aws-routed-eni/ipamd.log")
    whole_fmt, whole = scan_log(_SCANNER, [data], "var_log/aws-routed-eni/ipamd.log")
    assert (fmt, result.lines, result.hit_counts) == (whole_fmt, whole.lines, whole.hit_counts)
    for event in decode_hits(result, fmt, year_hint=2026):
        assert event.line >= 1
    for each in LogFormat:
        decode_line(data[:600], each, "x.log", 1, 2026)


# --- the archive reader -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    builder = healthy_builder()
    builder.add_gzip("var_log/aws-routed-eni/ipamd-2026-03-18T20-40-00.000.log.gz",
                     _BASE["var_log/aws-routed-eni/ipamd.log"] * 5)
    directory = tmp_path_factory.mktemp("fuzz-source")
    return {"tar.gz": builder.to_tar_gz_bytes(), "tar": builder.to_tar_bytes(),
            "zip": builder.write_zip(directory).read_bytes()}


@st.composite
def archive_mutation(draw, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(out) - 1)) if out else 0
        kind = draw(st.sampled_from(["flip", "truncate", "duplicate", "insert", "zero"]))
        if not out:
            break
        if kind == "flip":
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del out[max(at, 1):]
        elif kind == "duplicate":
            out[at:at] = out[at:at + draw(st.integers(1, 2048))]
        elif kind == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=64))
        else:
            width = draw(st.integers(1, 512))
            out[at:at + width] = bytes(len(out[at:at + width]))
    return bytes(out)


@pytest.mark.parametrize("kind", ["tar.gz", "tar", "zip"])
def test_mutated_archives_are_read_or_refused(kind, archives, tmp_path):
    source = archives[kind]
    workdir = tmp_path / "w"
    workdir.mkdir()
    before = set(os.listdir("/tmp"))

    @ARCHIVES
    @given(archive_mutation(source))
    def run(data):
        path = workdir / f"eks_i-0a1b2c3d4e5f60718_2026-03-18_2046-UTC_0.7.9.{kind}"
        path.write_bytes(data)
        try:
            bundle = load_bundle(path)
        except BundleRefused as refused:
            assert "\n" not in str(refused)
        else:
            assert bundle.inventory
        assert sorted(os.listdir(workdir)) == [path.name]

    run()
    created = {name for name in set(os.listdir("/tmp")) - before if ESCAPE_MARK in name or "cnibundle-crash" in name}
    assert not created
