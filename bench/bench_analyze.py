"""End-to-end speed and memory of ``cnibundle analyze`` on large generated bundles (a script, not a test).

Generates realistic support bundles of both collector layouts straight to disk (never whole in
memory), runs ``cnibundle analyze --format json`` and ``tar -xzOf BUNDLE > /dev/null`` on the same
file alternately, and prints the median wall times, their ratio and the peak RSS of each child. It
also checks that every planted problem is reported by its rule with the right file and line,
including the ones planted inside gzip'd lumberjack backups.

    python bench/bench_analyze.py --size 100M --size 1G --layout eks --layout legacy --runs 5
    python bench/bench_analyze.py --size 1G --layout eks --profile /tmp/cnibench/profile.txt

Bundles (and a ``planted.json`` beside each) are cached under ``--work`` (default
``/tmp/cnibench``); ``--regenerate`` rebuilds them. ``--size`` counts the bytes ``tar -xzOf``
writes (the uncompressed tar); ``--measure logical`` counts the bytes the analysis reads instead
(gzip'd backups counted inflated). Sizes take K/M/G suffixes (powers of 1024).

Content (bundle-formats.md §1.2, §1.3, §4, §9):

* ``eks`` — the EKS log collector of 2026 (``./`` names, directory members, archive
  ``eks_<iid>_<time>-UTC_0.7.9.tar.gz``), the small files of ``fixtures/eks_…tar.gz``, and DEBUG-level
  zap logs: ``ipamd.log`` + 5 lumberjack ``ipamd-<ts>.log.gz`` backups, the same for ``plugin`` and
  ``network-policy-agent`` (2 backups), a 10-day kubelet journal, a containerd journal, an AL2
  ``var_log/messages`` and aws-node CRI container logs.
* ``legacy`` — ``aws-cni-support.sh`` of CNI v1.5 (``var/log/aws-routed-eni/`` names), the small
  files of ``fixtures/seed-net410-aws-cni-support.tar.gz``, 24 hourly seelog ``ipamd.log.<hour>``
  files (TAB after the level, milliseconds), 12 hourly ``plugin.log.<hour>`` files, a ``messages``
  file and two zap ``ipamd-<ts>.log.gz`` backups left by a later CNI (§1.2 allows both).

Values vary per line (IPs, ENI and container ids, pod names, counters, times) so the gzip ratio is
that of real logs (~8–12x), and about 2 % of ipamd lines are pool stats with addresses in cooldown:
the pool-stats signature of ``ip-cooldown-churn-starvation`` hits them all, as on a churny node.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
EKS_FIXTURE = FIXTURES / "eks_i-0a1b2c3d4e5f60718_2026-03-18_2047-UTC_0.7.9.tar.gz"
LEGACY_FIXTURE = FIXTURES / "seed-net410-aws-cni-support.tar.gz"
EKS_ARCHIVE = "eks_i-0a1b2c3d4e5f60718_2026-03-18_2047-UTC_0.7.9.tar.gz"
LEGACY_ARCHIVE = "aws-cni-support.tar.gz"
EKS_COLLECTED = datetime(2026, 3, 18, 20, 47, 0, tzinfo=UTC)
LEGACY_COLLECTED = datetime(2019, 8, 3, 10, 41, 0, tzinfo=UTC)
LEGACY_ROOT = "var/log/aws-routed-eni/"
GENERATOR_VERSION = 3  # bump when the content changes: cached bundles are rebuilt
GZIP_RATIO_GUESS = 10.0  # for planning sizes only; the real sizes are measured and printed

HOST = "ip-10-0-12-34.us-west-2.compute.internal"
SHORT_HOST = "ip-10-0-12-34"
NAMESPACES = ("default", "payments", "checkout", "batch", "monitoring", "kube-system", "search", "web")
WORDS = ("api", "worker", "frontend", "cart", "ledger", "indexer", "etl", "report", "auth", "cache", "queue", "mailer")


# -- value pools: varied, but cheap to pick per line ---------------------------------------


class Pools:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.picks = 0
        self.ips = [f"10.0.{rng.randrange(0, 64)}.{rng.randrange(1, 255)}" for _ in range(200)]
        self.enis = [f"eni-0{rng.getrandbits(64):016x}" for _ in range(8)]
        self.macs = [":".join(f"{rng.randrange(256):02x}" for _ in range(6)) for _ in range(8)]
        self.sandboxes = [f"{rng.getrandbits(256):064x}" for _ in range(400)]
        self.uuids = [self._uuid() for _ in range(400)]
        self.pods = [
            f"{rng.choice(WORDS)}-{rng.getrandbits(36):09x}-{''.join(rng.choices('bcdfghjklmnpqrstvwxz2456789', k=5))}"
            for _ in range(300)
        ]
        self.veths = [f"eni{rng.getrandbits(44):011x}" for _ in range(300)]

    def pick(self, values: list[str]) -> str:
        # Locality, as in a real log: the same few pods/sandboxes/IPs recur for a while, then others.
        self.picks += 1
        return values[(self.picks // 16 + self.rng.randrange(24)) % len(values)]

    def _uuid(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# -- line formats ------------------------------------------------------------------------------


def zap_ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def zap(level: str, t: datetime, caller: str, msg: str, logger: str | None = None) -> str:
    body = json.dumps(msg, ensure_ascii=False)
    named = f'"logger":"{logger}",' if logger else ""
    return f'{{"level":"{level}","ts":"{zap_ts(t)}",{named}"caller":"{caller}","msg":{body}}}'


def seelog(level: str, t: datetime, msg: str) -> str:
    # CNI v1.5.1: milliseconds, TAB after the level (§4.2).
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z [{level.upper()}]\t{msg}"


def journal(t: datetime, host: str, ident: str, msg: str) -> str:
    return f"{t:%b %d %H:%M:%S} {host} {ident}: {msg}"


def klog(level: str, t: datetime, pid: int, source: str, msg: str) -> str:
    return f"{level}{t:%m%d %H:%M:%S}.{t.microsecond:06d} {pid:>7} {source}] {msg}"


# A message maker: (rng, pools) -> (level, caller, msg)
Maker = Callable[[random.Random, Pools], tuple[str, str, str]]


def _ipamd_zap_messages() -> list[tuple[int, Maker]]:
    def pool_stats(r, p):
        total = r.randrange(9, 58)
        assigned = r.randrange(0, total)
        cooldown = 0 if r.random() < 0.6 else r.randrange(1, 4)
        return ("debug", "ipamd/ipamd.go:2141",
                f"IP pool stats for network card 0: Total IPs/Prefixes = {total}/0, AssignedIPs/CooldownIPs: "
                f"{assigned}/{cooldown}, c.maxIPsPerENI = 9")

    return [
        (5, pool_stats),
        (6, lambda r, p: ("debug", "ipamd/ipamd.go:1331",
                          f"Reconciling ENI/IP pool info because time since last 1m0.{r.randrange(10**8, 10**9)}s > 1m0s")),
        (10, lambda r, p: ("debug", "ipamd/ipamd.go:1489", f"Reconcile existing ENI {p.pick(p.enis)} IP pool")),
        (10, lambda r, p: ("debug", "ipamd/ipamd.go:1530",
                           f"Reconcile and skip primary IP {p.pick(p.ips)} on ENI {p.pick(p.enis)}")),
        (5, lambda r, p: ("debug", "ipamd/ipamd.go:1392", "Successfully Reconciled ENI/IP pool")),
        (5, lambda r, p: ("debug", "ipamd/ipamd.go:1355",
                          f"Found ENIs having {r.randrange(1, 10)} secondary IPs and {r.randrange(0, 2)} Prefixes")),
        (4, lambda r, p: ("debug", "awsutils/awsutils.go:584", f"Found ENI mac address : {p.pick(p.macs)}")),
        (4, lambda r, p: ("debug", "awsutils/awsutils.go:615",
                          f"Found ENI: {p.pick(p.enis)}, MAC {p.pick(p.macs)}, device {r.randrange(0, 4)}")),
        (8, lambda r, p: ("debug", "networkutils/network.go:1011",
                          f"rule nat/AWS-SNAT-CHAIN-0 rule {r.choice(('first SNAT rules for non-VPC outbound traffic', 'last SNAT rule for non-VPC outbound traffic'))} "
                          f"shouldExist true rule [-d 10.0.0.0/16 -m comment --comment AWS SNAT CHAIN -j RETURN] exists true, err <nil>")),
        (4, lambda r, p: ("debug", "networkutils/network.go:829",
                          "execute iptable rule : first SNAT rules for non-VPC outbound traffic")),
        (3, lambda r, p: ("info", "rpc/rpc.pb.go:863",
                          f"Received AddNetwork for NS /var/run/netns/cni-{p.pick(p.uuids)}, Sandbox {p.pick(p.sandboxes)}, ifname eth0")),
        (3, lambda r, p: ("debug", "datastore/data_store.go:795",
                          f"AssignPodIPv4Address: IP address pool stats: total {r.randrange(9, 58)}, assigned {r.randrange(0, 40)}")),
        (3, lambda r, p: ("info", "datastore/data_store.go:842",
                          f"AssignPodIPv4Address: Assign IP {p.pick(p.ips)} to sandbox aws-cni/{p.pick(p.sandboxes)}/eth0")),
        (3, lambda r, p: ("info", "rpc/rpc.pb.go:863",
                          f"Send AddNetworkReply: IPv4Addr: {p.pick(p.ips)}, IPv6Addr: , DeviceNumber: {r.randrange(0, 3)}, err: <nil>")),
        (3, lambda r, p: ("info", "rpc/rpc.pb.go:881", f"Received DelNetwork for Sandbox {p.pick(p.sandboxes)}")),
        (3, lambda r, p: ("debug", "datastore/data_store.go:1142",
                          f"UnassignPodIPAddress: IP address pool stats: total {r.randrange(9, 58)}, assigned {r.randrange(0, 40)}, "
                          f"sandbox aws-cni/{p.pick(p.sandboxes)}/eth0")),
        (3, lambda r, p: ("info", "rpc/rpc.pb.go:881",
                          f"Send DelNetworkReply: IPv4Addr: {p.pick(p.ips)}, DeviceNumber: {r.randrange(0, 3)}, err: <nil>")),
        (2, lambda r, p: ("debug", "ipamd/ipamd.go:2310",
                          f"IP Address Pool stats: total: {r.randrange(9, 58)}, assigned: {r.randrange(0, 40)}, cooldown: 0")),
        (2, lambda r, p: ("debug", "ipamd/ipamd.go:2205",
                          f"Getting running pod network for pod {p.pick(p.pods)} in namespace {r.choice(NAMESPACES)}")),
    ]


def _plugin_zap_messages() -> list[tuple[int, Maker]]:
    stdin = ('{"cniVersion":"0.4.0","mtu":"9001","name":"aws-cni","pluginLogFile":"/var/log/aws-routed-eni/plugin.log",'
             '"pluginLogLevel":"DEBUG","podSGEnforcingMode":"strict","type":"aws-cni","vethPrefix":"eni"}')

    def add(r, p):
        sb = p.pick(p.sandboxes)
        return ("info", "routed-eni-cni-plugin/cni.go:133",
                f"Received CNI add request: ContainerID({sb}) Netns(/var/run/netns/cni-{p.pick(p.uuids)}) IfName(eth0) "
                f"Args(K8S_POD_INFRA_CONTAINER_ID={sb};K8S_POD_UID={p.pick(p.uuids)};IgnoreUnknown=1;"
                f"K8S_POD_NAMESPACE={r.choice(NAMESPACES)};K8S_POD_NAME={p.pick(p.pods)}) Path(/opt/cni/bin) "
                f"argsStdinData({stdin})")

    def delete(r, p):
        sb = p.pick(p.sandboxes)
        return ("info", "routed-eni-cni-plugin/cni.go:310",
                f"Received CNI del request: ContainerID({sb}) Netns() IfName(eth0) "
                f"Args(K8S_POD_INFRA_CONTAINER_ID={sb};K8S_POD_UID={p.pick(p.uuids)};IgnoreUnknown=1;"
                f"K8S_POD_NAMESPACE={r.choice(NAMESPACES)};K8S_POD_NAME={p.pick(p.pods)}) Path(/opt/cni/bin) "
                f"argsStdinData({stdin})")

    return [
        (5, lambda r, p: ("info", "logger/logger.go:106", "Constructed new logger instance")),
        (4, add),
        (4, lambda r, p: ("debug", "routed-eni-cni-plugin/cni.go:133", "MTU value set is 9001:")),
        (2, lambda r, p: ("debug", "routed-eni-cni-plugin/cni.go:133", "Prev Result: <nil>\n")),
        (3, lambda r, p: ("info", "wrapper/grpc.go:36", "Connecting to ipamd at 127.0.0.1:50051")),
        (4, lambda r, p: ("info", "routed-eni-cni-plugin/cni.go:235",
                          f"Received add network response from ipamd for container {p.pick(p.sandboxes)} interface eth0: "
                          f"Success:true IPAllocationMetadata:{{IPv4Addr:\"{p.pick(p.ips)}\" DeviceNumber:{r.randrange(0, 3)} "
                          f"RouteTableId:{r.randrange(2, 5)}}} VPCv4CIDRs:\"10.0.0.0/16\" NetworkPolicyMode:\"standard\"")),
        (4, lambda r, p: ("debug", "driver/driver.go:281",
                          f"SetupPodNetwork: hostVethName={p.pick(p.veths)}, contVethName=eth0, "
                          f"netnsPath=/var/run/netns/cni-{p.pick(p.uuids)}, ipAddr={p.pick(p.ips)}/32, "
                          f"routeTableNumber={r.choice((254, 2, 3))}, mtu=9001")),
        (3, lambda r, p: ("info", "driver/driver.go:323", f"Added toContainer rule for {p.pick(p.ips)}/32")),
        (3, delete),
        (3, lambda r, p: ("info", "routed-eni-cni-plugin/cni.go:362",
                          f"Received del network response from ipamd for pod {p.pick(p.pods)} namespace "
                          f"{r.choice(NAMESPACES)} sandbox {p.pick(p.sandboxes)}: Success:true IPAllocationMetadata:"
                          f"{{IPv4Addr:\"{p.pick(p.ips)}\" DeviceNumber:1 RouteTableId:2}}")),
        (3, lambda r, p: ("debug", "driver/driver.go:378",
                          f"TeardownPodNetwork: containerAddr={p.pick(p.ips)}/32, routeTable={r.choice((254, 2, 3))}")),
        (2, lambda r, p: ("info", "routed-eni-cni-plugin/cni.go:280",
                          "Network Policy agent for EnforceNpToPod returned Success : true")),
    ]


def _npa_zap_messages() -> list[tuple[int, Maker]]:
    return [
        (5, lambda r, p: ("info", "controllers/policyendpoints_controller.go:161",
                          f"Received a new reconcile request for {r.choice(NAMESPACES)}/{p.pick(p.pods)}")),
        (4, lambda r, p: ("info", "ebpf/bpf_client.go:734",
                          f"Pod has an Ingress hook attached. Update the corresponding map progFD: {r.randrange(9, 400)}")),
        (3, lambda r, p: ("debug", "ebpf/bpf_client.go:622",
                          f"Current ingress map entry count {r.randrange(0, 40)} for pod {p.pick(p.pods)}")),
        (3, lambda r, p: ("info", "rpc/rpc_handler.go:77",
                          f"Received Enforce Network Policy Request for Pod {p.pick(p.pods)} Namespace {r.choice(NAMESPACES)}")),
    ]


def _seelog_ipamd_messages() -> list[tuple[int, Maker]]:
    return [
        (6, lambda r, p: ("debug", "", f"IP pool stats: total = {r.randrange(10, 30)}, used = {r.randrange(0, 10)}, c.maxIPsPerENI = 5")),
        (10, lambda r, p: ("debug", "", f"Reconcile existing ENI {p.pick(p.enis)} IP pool")),
        (10, lambda r, p: ("debug", "", f"Reconcile and skip primary IP {p.pick(p.ips)} on eni {p.pick(p.enis)}")),
        (5, lambda r, p: ("debug", "", "Successfully Reconciled ENI/IP pool")),
        (6, lambda r, p: ("debug", "", "Reconciling ENI/IP pool info...")),
        (4, lambda r, p: ("debug", "", f"Found eni mac address : {p.pick(p.macs)}")),
        (4, lambda r, p: ("debug", "", f"Using device number {r.randrange(0, 4)} for primary eni: {p.pick(p.enis)}")),
        (3, lambda r, p: ("info", "",
                          f"Received AddNetwork for NS /proc/{r.randrange(2000, 60000)}/ns/net, Pod {p.pick(p.pods)}, "
                          f"NameSpace {r.choice(NAMESPACES)}, Container {p.pick(p.sandboxes)}, ifname eth0")),
        (3, lambda r, p: ("debug", "", f"AssignIPv4Address: IP address pool stats: total: {r.randrange(10, 30)}, assigned {r.randrange(0, 10)}")),
        (3, lambda r, p: ("info", "", f"Send AddNetworkReply: IPv4Addr {p.pick(p.ips)}, DeviceNumber: {r.randrange(0, 3)}, err: <nil>")),
        (3, lambda r, p: ("info", "",
                          f"Received DelNetwork for IP {p.pick(p.ips)}, Pod {p.pick(p.pods)}, Namespace {r.choice(NAMESPACES)}, "
                          f"Container {p.pick(p.sandboxes)}")),
        (3, lambda r, p: ("info", "", f"Send DelNetworkReply: IPv4Addr {p.pick(p.ips)}, DeviceNumber: {r.randrange(0, 3)}, err: <nil>")),
        (2, lambda r, p: ("debug", "", f"Trying to allocate all available IP addresses on eni: {p.pick(p.enis)}")),
    ]


def _seelog_plugin_messages() -> list[tuple[int, Maker]]:
    return [
        (3, lambda r, p: ("info", "", "Starting CNI Plugin v1.5.1  ...")),
        (3, lambda r, p: ("info", "",
                          f"Received CNI add request: ContainerID({p.pick(p.sandboxes)}) Netns(/proc/{r.randrange(2000, 60000)}/ns/net) "
                          f"IfName(eth0) Args(IgnoreUnknown=1;K8S_POD_NAMESPACE={r.choice(NAMESPACES)};K8S_POD_NAME={p.pick(p.pods)};"
                          f"K8S_POD_INFRA_CONTAINER_ID={p.pick(p.sandboxes)}) Path(/opt/cni/bin) "
                          '''argsStdinData({"cniVersion":"0.3.1","name":"aws-cni","type":"aws-cni","vethPrefix":"eni","mtu":"9001"})''')),
        (3, lambda r, p: ("info", "",
                          f"Received add network response for pod {p.pick(p.pods)} namespace {r.choice(NAMESPACES)} container "
                          f"{p.pick(p.sandboxes)}: {p.pick(p.ips)}, table {r.randrange(0, 4)} ")),
        (3, lambda r, p: ("debug", "",
                          f"SetupNS: hostVethName={p.pick(p.veths)},contVethName=eth0, netnsPath=/proc/{r.randrange(2000, 60000)}/ns/net "
                          f"table={r.randrange(0, 4)}")),
        (2, lambda r, p: ("debug", "", f"Setup host route outgoing hostVeth, LinkIndex {r.randrange(4, 90)}")),
        (2, lambda r, p: ("debug", "", f"Successfully set host route to be {p.pick(p.ips)}/0")),
        (2, lambda r, p: ("info", "", f"Added toContainer rule for {p.pick(p.ips)}/32")),
        (2, lambda r, p: ("info", "", f"Added rule priority 1536 from {p.pick(p.ips)}/32 table {r.randrange(2, 5)}")),
    ]


KLOG_SOURCES = ("reconciler_common.go:245", "kubelet.go:2394", "prober_manager.go:312", "kuberuntime_manager.go:1031",
                "pod_workers.go:1298", "kubelet_pods.go:1115", "scope.go:117", "operation_generator.go:721")


def _kubelet_messages() -> list[tuple[int, Callable[[random.Random, Pools], str]]]:
    def pod(r, p):
        return f"{r.choice(NAMESPACES)}/{p.pick(p.pods)}"

    return [
        (4, lambda r, p: f'"SyncLoop UPDATE" source="api" pods=["{pod(r, p)}"]'),
        (3, lambda r, p: f'"operationExecutor.VerifyControllerAttachedVolume started for volume \\"kube-api-access-{p.pick(p.pods)[-5:]}\\" '
                         f'(UniqueName: \\"kubernetes.io/projected/{p.pick(p.uuids)}-kube-api-access\\") pod=\\"{pod(r, p)}\\""'),
        (3, lambda r, p: f'"No sandbox for pod can be found. Need to start a new one" pod="{pod(r, p)}"'),
        (3, lambda r, p: f'"SyncLoop (PLEG): event for pod" pod="{pod(r, p)}" event={{"ID":"{p.pick(p.uuids)}",'
                         f'"Type":"ContainerStarted","Data":"{p.pick(p.sandboxes)}"}}'),
        (2, lambda r, p: f'"RemoveContainer" containerID="{p.pick(p.sandboxes)}"'),
        (2, lambda r, p: f'"Killing container with a grace period" pod="{pod(r, p)}" podUID="{p.pick(p.uuids)}" '
                         f'containerName="app" containerID="containerd://{p.pick(p.sandboxes)}" gracePeriod=30'),
    ]


def _containerd_messages() -> list[tuple[int, Callable[[random.Random, Pools, datetime], str]]]:
    def ts(t):
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}412Z"

    return [
        (3, lambda r, p, t: f'time="{ts(t)}" level=info msg="RunPodSandbox for &PodSandboxMetadata{{Name:{p.pick(p.pods)},'
                            f'Uid:{p.pick(p.uuids)},Namespace:{r.choice(NAMESPACES)},Attempt:0,}} returns sandbox id \\"{p.pick(p.sandboxes)}\\""'),
        (3, lambda r, p, t: f'time="{ts(t)}" level=info msg="StartContainer for \\"{p.pick(p.sandboxes)}\\" returns successfully"'),
        (2, lambda r, p, t: f'time="{ts(t)}" level=info msg="StopPodSandbox for \\"{p.pick(p.sandboxes)}\\""'),
        (2, lambda r, p, t: f'time="{ts(t)}" level=info msg="TearDown network for sandbox \\"{p.pick(p.sandboxes)}\\" successfully"'),
        (2, lambda r, p, t: f'time="{ts(t)}" level=info msg="shim disconnected" id={p.pick(p.sandboxes)} namespace=k8s.io'),
    ]


# -- writing one log file ---------------------------------------------------------------------


@dataclass
class Planted:
    rule: str
    path: str  # member path as the report cites it (no leading "./")
    line: int
    what: str


@dataclass
class Plant:
    """A line to put at a fraction of a file (by bytes), for one rule."""

    at: float
    rule: str
    text: Callable[[datetime], str]  # the line, given the time at that point
    what: str


@dataclass
class LogSpec:
    """One log file: where it goes, how big, which line maker, its time range, what to plant."""

    rel: str  # member path relative to the layout root
    size: int  # uncompressed bytes
    make_line: Callable[[random.Random, Pools, datetime], str]
    start: datetime
    end: datetime
    gz: bool = False
    header: list[str] = field(default_factory=list)  # lines written first (version banners, journal header)
    plants: list[Plant] = field(default_factory=list)


def weighted(choices: list[tuple[int, object]], rng: random.Random, n: int) -> list[object]:
    items = [c for _, c in choices]
    weights = [w for w, _ in choices]
    return rng.choices(items, weights, k=n)


def write_log(spec: LogSpec, path: Path, rng: random.Random, pools: Pools, member_path: str) -> tuple[list[Planted], int]:
    """Write ``spec`` to ``path`` (gzip'd when asked); returns planted lines and compressed bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = open(path, "wb")  # noqa: SIM115 - closed below
    out: io.RawIOBase | gzip.GzipFile = (
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) if spec.gz else raw
    )
    # Time per line: the file's span over an estimate of its line count.
    sample = [spec.make_line(rng, pools, spec.start) for _ in range(400)]
    avg = sum(len(s) + 1 for s in sample) / len(sample)
    step = (spec.end - spec.start).total_seconds() / max(1.0, spec.size / avg)
    plants = sorted(spec.plants, key=lambda p: p.at)
    planted: list[Planted] = []
    written = 0
    lines = 0
    clock = spec.start
    jitter = max(step * 2, 0.000_001)
    buf: list[str] = []
    for text in spec.header:
        buf.append(text)
        lines += 1
        written += len(text.encode()) + 1
    while written < spec.size:
        batch = []
        for _ in range(2000):
            clock += timedelta(seconds=rng.random() * jitter)
            batch.append(spec.make_line(rng, pools, clock))
        for text in batch:
            if plants and written >= plants[0].at * spec.size:
                plant = plants.pop(0)
                line = plant.text(clock)
                buf.append(line)
                planted.append(Planted(plant.rule, member_path, lines + 1, plant.what))
                lines += line.count("\n") + 1
                written += len(line.encode()) + 1
            buf.append(text)
            lines += 1
            written += len(text) + 1  # ASCII
            if written >= spec.size:
                break
        out.write(("\n".join(buf) + "\n").encode())
        buf = []
    for plant in plants:  # a plant at 1.0: the last line
        line = plant.text(clock)
        out.write((line + "\n").encode())
        planted.append(Planted(plant.rule, member_path, lines + 1, plant.what))
        lines += line.count("\n") + 1
    if buf:
        out.write(("\n".join(buf) + "\n").encode())
    out.close()
    if spec.gz:
        raw.close()
    stamp = spec.end.timestamp()
    os.utime(path, (stamp, stamp))
    return planted, path.stat().st_size


def zap_maker(messages: list[tuple[int, Maker]], logger: str | None = None):
    items = [m for _, m in messages]
    weights = [w for w, _ in messages]
    cum = list(_accumulate(weights))

    def make(rng: random.Random, pools: Pools, t: datetime) -> str:
        maker = rng.choices(items, cum_weights=cum)[0]
        level, caller, msg = maker(rng, pools)
        return zap(level, t, caller, msg, logger)

    return make


def seelog_maker(messages: list[tuple[int, Maker]]):
    items = [m for _, m in messages]
    cum = list(_accumulate([w for w, _ in messages]))

    def make(rng: random.Random, pools: Pools, t: datetime) -> str:
        level, _, msg = rng.choices(items, cum_weights=cum)[0](rng, pools)
        return seelog(level, t, msg)

    return make


def journal_maker(host: str, kubelet_ident: str, containerd_ident: str, *, messages_file: bool):
    kubelet = _kubelet_messages()
    containerd = _containerd_messages()
    k_items, k_cum = [m for _, m in kubelet], list(_accumulate([w for w, _ in kubelet]))
    c_items, c_cum = [m for _, m in containerd], list(_accumulate([w for w, _ in containerd]))

    def make(rng: random.Random, pools: Pools, t: datetime) -> str:
        roll = rng.random()
        if not messages_file or roll < 0.55:
            level = "I" if rng.random() < 0.93 else "W"
            msg = klog(level, t, 3421, rng.choice(KLOG_SOURCES), rng.choices(k_items, cum_weights=k_cum)[0](rng, pools))
            return journal(t, host, kubelet_ident, msg)
        if roll < 0.78:
            return journal(t, host, containerd_ident, rng.choices(c_items, cum_weights=c_cum)[0](rng, pools, t))
        if roll < 0.86:
            return journal(t, host, "systemd", f"Started Session {rng.randrange(1, 9999)} of user root.")
        if roll < 0.90:
            return journal(t, host, f"dhclient[{2911}]", f"XMT: Solicit on eth0, interval {rng.randrange(100000, 130000)}ms.")
        if roll < 0.96:
            return journal(t, host, "kernel", f"IPv6: ADDRCONF(NETDEV_CHANGE): {pools.pick(pools.veths)}: link becomes ready")
        return journal(t, host, f"amazon-ssm-agent[{2411}]",
                       f"INFO [HealthCheck] HealthCheck reporting agent health. {pools.pick(pools.uuids)}")

    return make


def containerd_maker(host: str):
    items = _containerd_messages()
    c_items, c_cum = [m for _, m in items], list(_accumulate([w for w, _ in items]))

    def make(rng: random.Random, pools: Pools, t: datetime) -> str:
        return journal(t, host, "containerd[2876]", rng.choices(c_items, cum_weights=c_cum)[0](rng, pools, t))

    return make


def cri_maker():
    def make(rng: random.Random, pools: Pools, t: datetime) -> str:
        stamp = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}{rng.randrange(1000):03d}Z"
        inner = zap("info", t, "ipamd/ipamd.go:1489", f"Reconcile existing ENI {pools.pick(pools.enis)} IP pool")
        return f"{stamp} stdout F {inner}"

    return make


def _accumulate(weights: list[int]) -> Iterator[int]:
    total = 0
    for w in weights:
        total += w
        yield total


# -- the bundle plans ------------------------------------------------------------------------


def lumberjack_name(family: str, when: datetime) -> str:
    return f"{family}-{when:%Y-%m-%dT%H-%M-%S}.{when.microsecond // 1000:03d}.log.gz"


def _eni(rng: random.Random) -> str:
    return f"eni-0{rng.getrandbits(64):016x}"


def eks_plan(unit: float, rng: random.Random) -> list[LogSpec]:
    """EKS collector bundle: weights are logical (uncompressed) bytes per unit."""
    end = EKS_COLLECTED - timedelta(seconds=20)
    specs: list[LogSpec] = []
    e = "var_log/aws-routed-eni/"

    def family(name: str, messages, weight: float, backups: int, span_days: float, plants: dict[int, list[Plant]],
               header: dict[int, list[str]] | None = None, logger: str | None = None):
        files = backups + 1
        per = span_days / files
        for k in range(files):
            start = end - timedelta(days=span_days) + timedelta(days=per * k)
            stop = start + timedelta(days=per)
            live = k == files - 1
            rel = e + (f"{name}.log" if live else lumberjack_name(name, stop))
            specs.append(LogSpec(rel, int(weight * unit), zap_maker(messages, logger), start, stop, gz=not live,
                                 plants=plants.get(k, []), header=(header or {}).get(k, [])))

    subnet_eni = _eni(rng)
    request_id = f"{rng.getrandbits(128):032x}"
    no_ip = lambda t: zap("error", t, "datastore/data_store.go:858", "DataStore has no available IP/Prefix addresses")  # noqa: E731
    subnet = lambda t: zap(  # noqa: E731
        "error", t, "awsutils/awsutils.go:2082",
        f"Failed to allocate a private IP/Prefix addresses on ENI {subnet_eni}: InsufficientFreeAddressesInSubnet: "
        f"The specified subnet does not have enough free addresses to satisfy the request.\n\tstatus code: 400, "
        f"request id: {request_id}")
    container = f"{rng.getrandbits(256):064x}"
    assign_failed = lambda t: zap("error", t, "routed-eni-cni-plugin/cni.go:262",  # noqa: E731
                                  f"Failed to assign an IP address to container {container}")
    family("ipamd", _ipamd_zap_messages(), 12, 5, 5.0, {
        1: [Plant(0.61, "subnet-out-of-ip-addresses", subnet, "InsufficientFreeAddressesInSubnet in a gzip'd backup")],
        3: [Plant(0.27, "ipamd-datastore-no-free-ip", no_ip, "no available IP in a gzip'd backup")],
        5: [Plant(0.43, "ipamd-datastore-no-free-ip", no_ip, "no available IP in the live ipamd.log"),
            Plant(0.88, "subnet-out-of-ip-addresses", subnet, "InsufficientFreeAddressesInSubnet in the live ipamd.log")],
    }, header={0: [zap("info", end - timedelta(days=5), "aws-k8s-agent/main.go:42", "Starting L-IPAMD v1.19.2  ...")]})
    family("plugin", _plugin_zap_messages(), 8, 5, 5.0, {
        2: [Plant(0.5, "ipamd-datastore-no-free-ip", assign_failed, "plugin failure in a gzip'd backup")],
    })
    family("network-policy-agent", _npa_zap_messages(), 2, 2, 5.0, {}, logger="ebpf-client")
    kubelet_fail = lambda t: journal(t, SHORT_HOST, "kubelet", klog(  # noqa: E731
        "E", t, 3421, "log.go:32",
        '"RunPodSandbox from runtime service failed" err="rpc error: code = Unknown desc = failed to setup network for '
        f'sandbox \\"{container}\\": plugin type=\\"aws-cni\\" name=\\"aws-cni\\" failed (add): add cmd: failed to '
        'assign an IP address to container"'))
    specs.append(LogSpec("var_log/messages", int(10 * unit), journal_maker(SHORT_HOST, "kubelet", "containerd", messages_file=True),
                         end - timedelta(days=2), end,
                         plants=[Plant(0.71, "ipamd-datastore-no-free-ip", kubelet_fail, "kubelet failure in messages")]))
    specs.append(LogSpec("kubelet/kubelet.log", int(5 * unit),
                         journal_maker(HOST, "kubelet[3421]", "containerd[2876]", messages_file=False),
                         end - timedelta(days=10), end,
                         header=["-- Logs begin at Sun 2026-03-08 20:47:00 UTC, end at Wed 2026-03-18 20:47:12 UTC. --"]))
    specs.append(LogSpec("containerd/containerd-log.txt", int(3 * unit), containerd_maker(HOST),
                         end - timedelta(days=10), end,
                         header=["-- Logs begin at Sun 2026-03-08 20:47:00 UTC, end at Wed 2026-03-18 20:47:12 UTC. --"]))
    pod_log = "aws-node-7xq2n_kube-system_aws-node-63c8ffd98b975cc233c6737f3330dd9213b5f0e9a47f9790056ffc268cdb7239.log"
    specs.append(LogSpec("var_log/" + pod_log, int(0.5 * unit), cri_maker(), end - timedelta(days=2), end))
    specs.append(LogSpec("var_log/kube-system_aws-node-7xq2n_c417a312-0c3a-4004-a42d-724c521db974/aws-node/0.log",
                         int(0.5 * unit), cri_maker(), end - timedelta(days=2), end))
    return specs


def legacy_plan(unit: float, rng: random.Random) -> list[LogSpec]:
    end = LEGACY_COLLECTED
    specs: list[LogSpec] = []
    subnet_eni = _eni(rng)
    request_id = f"{rng.getrandbits(128):032x}"
    no_ip_seelog = lambda t: seelog("error", t, "DataStore has no available IP addresses")  # noqa: E731
    subnet_seelog = lambda t: (  # noqa: E731  a two-line record: the AWS SDK error continues on the next line
        seelog("error", t, f"Failed to allocate a private IP addresses on ENI {subnet_eni}: InsufficientFreeAddressesInSubnet: "
                           "The specified subnet does not have enough free addresses to satisfy the request.")
        + f"\n\tstatus code: 400, request id: {request_id}")
    first_hour = end.replace(minute=0, second=0, microsecond=0) - timedelta(hours=23)
    plants = {6: [Plant(0.35, "ipamd-datastore-no-free-ip", no_ip_seelog, "no available IP in a seelog hourly file")],
              17: [Plant(0.52, "subnet-out-of-ip-addresses", subnet_seelog, "multi-line InsufficientFreeAddressesInSubnet record")],
              23: [Plant(0.8, "ipamd-datastore-no-free-ip", no_ip_seelog, "no available IP in the newest hourly file")]}
    for h in range(24):
        start = first_hour + timedelta(hours=h)
        stop = min(start + timedelta(minutes=59, seconds=59), end)
        header = [seelog("info", start, "Starting L-IPAMD v1.5.1  ...")] if h == 0 else []
        specs.append(LogSpec(LEGACY_ROOT + f"ipamd.log.{start:%Y-%m-%d-%H}", int(3 * unit), seelog_maker(_seelog_ipamd_messages()),
                             start, stop, header=header, plants=plants.get(h, [])))
    container = f"{rng.getrandbits(256):064x}"
    for h in range(12):
        start = first_hour + timedelta(hours=2 * h)
        stop = start + timedelta(minutes=59)
        pl = ([Plant(0.4, "ipamd-datastore-no-free-ip",
                     lambda t: seelog("error", t, f"Failed to assign an IP address to pod web-7d4b9c-x2x9q, namespace default "
                                                  f"container {container}"), "plugin failure in a seelog hourly file")]
              if h == 8 else [])
        specs.append(LogSpec(LEGACY_ROOT + f"plugin.log.{start:%Y-%m-%d-%H}", int(1 * unit),
                             seelog_maker(_seelog_plugin_messages()), start, stop, plants=pl))
    specs.append(LogSpec(LEGACY_ROOT + "messages", int(10 * unit),
                         journal_maker(SHORT_HOST, "kubelet", "dockerd", messages_file=True), end - timedelta(days=2), end,
                         plants=[Plant(0.66, "ipamd-datastore-no-free-ip", lambda t: journal(t, SHORT_HOST, "kubelet", klog(
                             "E", t, 4021, "cni.go:260",
                             'Error adding network: add cmd: failed to assign an IP address to container')),
                             "kubelet failure in messages")]))
    # Lumberjack backups left by a later zap-era CNI (§1.2): gzip'd, inside the legacy tree.
    zap_no_ip = lambda t: zap("error", t, "datastore/data_store.go:858", "DataStore has no available IP/Prefix addresses")  # noqa: E731
    zap_subnet = lambda t: zap("error", t, "awsutils/awsutils.go:2082",  # noqa: E731
                               f"Failed to allocate a private IP/Prefix addresses on ENI {subnet_eni}: "
                               "InsufficientFreeAddressesInSubnet: The specified subnet does not have enough free addresses")
    base = first_hour - timedelta(days=2)
    for k in range(2):
        start = base + timedelta(days=k)
        stop = start + timedelta(hours=23)
        pl = ([Plant(0.3, "subnet-out-of-ip-addresses", zap_subnet, "InsufficientFreeAddressesInSubnet in a gzip'd backup"),
               Plant(0.9, "ipamd-datastore-no-free-ip", zap_no_ip, "no available IP in a gzip'd backup")] if k == 1 else [])
        specs.append(LogSpec(LEGACY_ROOT + lumberjack_name("ipamd", stop), int(3 * unit), zap_maker(_ipamd_zap_messages()),
                             start, stop, gz=True, plants=pl))
    return specs


def _weights(specs: list[LogSpec]) -> tuple[float, float]:
    logical = sum(s.size for s in specs)
    tar = sum(s.size / GZIP_RATIO_GUESS if s.gz else s.size for s in specs)
    return logical, tar


# -- building a bundle ----------------------------------------------------------------------------


@dataclass
class BuiltBundle:
    path: Path
    layout: str
    tar_bytes: int  # what `tar -xzOf` writes
    logical_bytes: int  # what the analysis reads (gzip'd members inflated)
    compressed_bytes: int
    planted: list[Planted]


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def _copy_fixture_small_files(fixture: Path, stage: Path, strip_prefix: str = "") -> None:
    """The fixture's non-log members (introspection JSON, routes, iptables …) go in as they are."""
    sys.path.insert(0, str(REPO))
    from bundle_analyzer.artifacts import classify_path, spec_for

    with tarfile.open(fixture, "r:gz") as tar:
        for info in tar.getmembers():
            name = info.name[2:] if info.name.startswith("./") else info.name
            if not info.isfile():
                continue
            kind = classify_path(name)
            if kind is not None and spec_for(kind).stream:
                continue
            target = stage / name
            target.parent.mkdir(parents=True, exist_ok=True)
            data = tar.extractfile(info).read()  # small files only
            target.write_bytes(data)
            os.utime(target, (info.mtime, info.mtime))


def build(layout: str, size: int, measure: str, work: Path, seed: int, regenerate: bool) -> BuiltBundle:
    name = EKS_ARCHIVE if layout == "eks" else LEGACY_ARCHIVE
    folder = work / f"{layout}-{measure}-{human(size).replace(' ', '')}-s{seed}-g{GENERATOR_VERSION}"
    bundle = folder / name
    manifest = folder / "planted.json"
    if bundle.exists() and manifest.exists() and not regenerate:
        data = json.loads(manifest.read_text())
        return BuiltBundle(bundle, layout, data["tar_bytes"], data["logical_bytes"], bundle.stat().st_size,
                           [Planted(**p) for p in data["planted"]])
    if folder.exists():
        shutil.rmtree(folder)
    stage = folder / "stage"
    stage.mkdir(parents=True)
    rng = random.Random(seed)
    pools = Pools(rng)
    plan = eks_plan if layout == "eks" else legacy_plan
    logical_w, tar_w = _weights(plan(1.0, random.Random(seed)))
    unit = size / (tar_w if measure == "tar" else logical_w)
    specs = plan(unit, rng)
    t0 = time.perf_counter()
    if layout == "eks":
        _copy_fixture_small_files(EKS_FIXTURE, stage)
        for d in ("docker", "gpu", "nodeadm", "storage"):  # empty directories the collector leaves
            (stage / d).mkdir(exist_ok=True)
    else:
        _copy_fixture_small_files(LEGACY_FIXTURE, stage)
    planted: list[Planted] = []
    logical = 0
    for spec in specs:
        found, _ = write_log(spec, stage / spec.rel, rng, pools, spec.rel)
        planted.extend(found)
        logical += spec.size
    logical = sum(_inflated_size(p) for p in stage.rglob("*") if p.is_file())
    stamp = (EKS_COLLECTED if layout == "eks" else LEGACY_COLLECTED).timestamp()
    for p in sorted(stage.rglob("*"), reverse=True):
        if p.is_dir():
            os.utime(p, (stamp, stamp))
    # GNU tar with gzip -6, as both collectors run it (`tar --create --gzip`).
    if layout == "eks":
        cmd = ["tar", "--create", "--gzip", "--sort=name", "--owner=root", "--group=root",
               "--file", str(bundle), "--directory", str(stage), "."]
    else:
        cmd = ["tar", "--create", "--gzip", "--sort=name", "--owner=root", "--group=root",
               "--file", str(bundle), "--directory", str(stage), LEGACY_ROOT]
    subprocess.run(cmd, check=True)
    tar_bytes = _tar_content_size(bundle)
    shutil.rmtree(stage)
    manifest.write_text(json.dumps({"layout": layout, "size": size, "measure": measure, "seed": seed,
                                    "tar_bytes": tar_bytes, "logical_bytes": logical,
                                    "planted": [asdict(p) for p in planted]}, indent=1))
    print(f"  generated {bundle} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return BuiltBundle(bundle, layout, tar_bytes, logical, bundle.stat().st_size, planted)


def _inflated_size(path: Path) -> int:
    if not path.name.endswith(".gz"):
        return path.stat().st_size
    total = 0
    with gzip.open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            total += len(block)
    return total


def _tar_content_size(bundle: Path) -> int:
    proc = subprocess.Popen(["gzip", "-dc", str(bundle)], stdout=subprocess.PIPE)
    total = 0
    assert proc.stdout is not None
    while block := proc.stdout.read(1 << 20):
        total += len(block)
    proc.wait()
    return total


# -- running and measuring -----------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    max_rss_kib: int  # wait4: the largest single process of the tree
    tree_rss_kib: int  # PSS of the child and its helper together, sampled every 20 ms (0: not sampled)
    cpu: float  # user + system seconds of the child and its helper
    returncode: int


def _tree_rss_kib(pid: int) -> int:
    """Proportional resident memory (PSS) of a process and all its descendants (Linux /proc).

    PSS shares each page among the processes mapping it, so a helper's libraries (or a child
    between fork and exec) are not counted twice, as adding up plain RSS would."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def run_child(cmd: list[str], stdout, *, sample_pss: bool = False) -> Run:
    """Wall time, CPU and peak RSS (wait4) of one run; ``sample_pss``: also the peak PSS of
    the process tree, sampled every 20 ms. Sampling reads /proc/PID/smaps_rollup, which walks
    the page tables under the process's mmap lock and slows it down: timed runs go unsampled."""
    import threading

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _tree_rss_kib(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_pss:
        sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    if sample_pss:
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {err[-2000:]}")
    return Run(seconds, usage.ru_maxrss, peak[0], usage.ru_utime + usage.ru_stime, proc.returncode)


def cnibundle_cmd() -> list[str]:
    return [sys.executable, "-m", "bundle_analyzer", "analyze", "--format", "json"]


def check_planted(report_path: Path, planted: list[Planted]) -> list[str]:
    report = json.loads(report_path.read_text())
    by_rule: dict[str, set[tuple[str, int]]] = {}
    for finding in report.get("findings", []):
        refs = by_rule.setdefault(finding["rule_id"], set())
        for ev in finding.get("evidence", []):
            refs.add((ev.get("path"), ev.get("line")))
    missing = []
    for p in planted:
        if (p.path, p.line) not in by_rule.get(p.rule, set()):
            got = sorted(r for r in by_rule.get(p.rule, set()) if r[0] == p.path)
            missing.append(f"{p.rule}: {p.path}:{p.line} ({p.what}) not in the evidence; "
                           f"{'rule did not fire' if p.rule not in by_rule else f'same file cites {got[:5]}'}")
    return missing


def measure(built: BuiltBundle, runs: int, work: Path) -> dict:
    report = work / f"report-{built.layout}-{os.getpid()}.json"
    tar_cmd = ["tar", "-xzOf", str(built.path)]
    ours: list[Run] = []
    theirs: list[Run] = []
    # Warm the page cache and the bytecode caches once, unmeasured. A pip install writes the
    # bytecode; an editable checkout under PYTHONDONTWRITEBYTECODE=1 would compile every module
    # on every run, so it is written here explicitly.
    package = importlib.util.find_spec("bundle_analyzer")
    if package is not None and package.submodule_search_locations:
        subprocess.run([sys.executable, "-m", "compileall", "-q", *package.submodule_search_locations],
                       stdout=subprocess.DEVNULL, check=False)
    with open(os.devnull, "wb") as null:
        run_child(tar_cmd, null)
    with open(report, "wb") as out:  # the memory run: PSS of the process and its helper, sampled
        sampled = run_child(cnibundle_cmd() + [str(built.path)], out, sample_pss=True)
    for _ in range(runs):  # alternate, so that load from other processes hits both alike
        with open(report, "wb") as out:
            ours.append(run_child(cnibundle_cmd() + [str(built.path)], out))
        with open(os.devnull, "wb") as null:
            theirs.append(run_child(tar_cmd, null))
    missing = check_planted(report, built.planted)
    a = statistics.median(r.seconds for r in ours)
    b = statistics.median(r.seconds for r in theirs)
    return {
        "layout": built.layout, "tar_bytes": built.tar_bytes, "logical_bytes": built.logical_bytes,
        "compressed": built.compressed_bytes, "cnibundle_s": a, "tar_s": b, "ratio": a / b,
        "cnibundle_runs": [round(r.seconds, 3) for r in ours], "tar_runs": [round(r.seconds, 3) for r in theirs],
        "cnibundle_cpu_s": statistics.median(r.cpu for r in ours),
        "rss_mib": max(r.max_rss_kib for r in [*ours, sampled]) / 1024, "tree_rss_mib": sampled.tree_rss_kib / 1024,
        "tar_rss_mib": max(r.max_rss_kib for r in theirs) / 1024,
        "planted": len(built.planted), "missing": missing,
    }


def profile(built: BuiltBundle, out: Path) -> None:
    cmd = [sys.executable, "-m", "pyinstrument", "--renderer", "text", "--show-all", "-o", str(out),
           "-m", "bundle_analyzer", "analyze", "--format", "json", str(built.path)]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False)
    print(f"profile written to {out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", action="append", help="bundle size, e.g. 100M, 1G (repeatable)")
    parser.add_argument("--layout", action="append", choices=("eks", "legacy"), help="repeatable; default both")
    parser.add_argument("--measure", choices=("tar", "logical"), default="tar",
                        help="what --size counts: the uncompressed tar (default) or every byte analysed")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--work", type=Path, default=Path("/tmp/cnibench"))
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--profile", type=Path, help="also profile one run (pyinstrument) into this file")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args(argv)
    sizes = [parse_size(s) for s in (args.size or ["100M"])]
    layouts = args.layout or ["eks", "legacy"]
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    failed = False
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}; {args.runs} alternating runs each; "
          f"--size counts {'the uncompressed tar' if args.measure == 'tar' else 'every byte analysed'}")
    for size in sizes:
        for layout in layouts:
            built = build(layout, size, args.measure, args.work, args.seed, args.regenerate)
            ratio = built.tar_bytes / max(1, built.compressed_bytes)
            print(f"{layout} {human(size)}: {built.path} — {human(built.compressed_bytes)} compressed, "
                  f"tar {human(built.tar_bytes)} ({ratio:.1f}x), analysed {human(built.logical_bytes)}, "
                  f"{len(built.planted)} planted problems", flush=True)
            if args.generate_only:
                continue
            result = measure(built, args.runs, args.work)
            result["size"] = human(size)
            results.append(result)
            print(f"  cnibundle {result['cnibundle_s']:.2f} s (cpu {result['cnibundle_cpu_s']:.2f} s)  "
                  f"tar -xzOf {result['tar_s']:.2f} s  "
                  f"ratio {result['ratio']:.2f}  peak RSS {result['rss_mib']:.0f} MiB "
                  f"(PSS with its helper {result['tree_rss_mib']:.0f} MiB)  "
                  f"runs {result['cnibundle_runs']} / {result['tar_runs']}", flush=True)
            for m in result["missing"]:
                failed = True
                print(f"  MISSING {m}")
            if not result["missing"]:
                print(f"  all {result['planted']} planted problems found at the right file:line")
            if args.profile:
                profile(built, args.profile.with_name(f"{args.profile.stem}-{layout}-{human(size).replace(' ', '')}"
                                                      f"{args.profile.suffix}"))
    if results:
        print()
        print("| size | layout | tar bytes | analysed bytes | cnibundle median (cpu) | tar -xzOf median | ratio "
              "| peak RSS (largest process) | peak PSS (process + helper, one sampled run) |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in results:
            print(f"| {r['size']} | {r['layout']} | {human(r['tar_bytes'])} | {human(r['logical_bytes'])} | "
                  f"{r['cnibundle_s']:.2f} s ({r['cnibundle_cpu_s']:.2f} s) | {r['tar_s']:.2f} s | {r['ratio']:.2f} | "
                  f"{r['rss_mib']:.0f} MiB | "
                  f"{r['tree_rss_mib']:.0f} MiB |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
