"""Configuration and metrics: ``10-aws.conflist`` per CNI era (§8) and Prometheus text for
``metrics.json`` (§2.7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bundle_analyzer.testing.content.common import Version, go_json


def conflist(
    version: Version,
    *,
    veth_prefix: str = "eni",
    mtu: int = 9001,
    log_level: str = "DEBUG",
    node_ip: str = "",
    sg_enforcing_mode: str = "strict",
) -> str:
    """``/etc/cni/net.d/10-aws.conflist`` (``aws.conf`` shape for v1.0–v1.1) as the CNI of
    ``version`` writes it from its template (§8)."""
    if version < (1, 2, 0):
        return go_json({"name": "aws-cni", "type": "aws-cni", "vethPrefix": veth_prefix}) + "\n"
    portmap = (
        '    {\n      "type": "portmap",\n      "capabilities": {"portMappings": true},\n      "snat": true\n    }'
    )
    if version < (1, 6, 0):
        return (
            '{\n  "name": "aws-cni",\n  "plugins": [\n    {\n      "name": "aws-cni",\n      "type": "aws-cni",\n'
            f'      "vethPrefix": "{veth_prefix}"\n    }},\n{portmap}\n  ]\n}}\n'
        )
    if version >= (1, 16, 0) and version < (1, 16, 2):
        cni_version = "1.0.0"
    elif version >= (1, 11, 0):
        cni_version = "0.4.0"
    else:
        cni_version = "0.3.1"
    head = f'{{\n  "cniVersion": "{cni_version}",\n  "name": "aws-cni",\n'
    if version >= (1, 11, 0):
        head += '  "disableCheck": true,\n'
    aws = [
        '      "name": "aws-cni"',
        '      "type": "aws-cni"',
        f'      "vethPrefix": "{veth_prefix}"',
        f'      "mtu": "{mtu}"',
    ]
    if version >= (1, 11, 0):
        aws.append(f'      "podSGEnforcingMode": "{sg_enforcing_mode}"')
    if version >= (1, 6, 1):
        aws.append('      "pluginLogFile": "/var/log/aws-routed-eni/plugin.log"')
        aws.append(f'      "pluginLogLevel": "{log_level}"')
    if version >= (1, 20, 0):
        aws.append('      "capabilities": {"io.kubernetes.cri.pod-annotations": true}')
    plugins = ["    {\n" + ",\n".join(aws) + "\n    }"]
    if version >= (1, 10, 0):
        v4 = version < (1, 13, 0)
        name = "egress-v4-cni" if v4 else "egress-cni"
        egress_mtu = str(mtu) if v4 else f'"{mtu}"'
        subnet, dst, data_dir = (
            ("169.254.172.0/22", "0.0.0.0/0", "/run/cni/v6pd/egress-v4-ipam")
            if v4
            else ("fd00::ac:00/118", "::/0", "/run/cni/v4pd/egress-v6-ipam")
        )
        egress = [
            f'      "name": "{name}"',
            f'      "type": "{name}"',
            f'      "mtu": {egress_mtu}',
            '      "enabled": "false"',
        ]
        if version >= (1, 11, 0):
            egress.append('      "randomizeSNAT": "prng"')
        egress += [
            f'      "nodeIP": "{node_ip}"',
            f'      "ipam": {{\n        "type": "host-local",\n        "ranges": [[{{"subnet": "{subnet}"}}]],\n'
            f'        "routes": [{{"dst": "{dst}"}}],\n        "dataDir": "{data_dir}"\n      }}',
            f'      "pluginLogFile": "/var/log/aws-routed-eni/egress-{"v4" if v4 else "v6"}-plugin.log"',
            f'      "pluginLogLevel": "{log_level}"',
        ]
        plugins.append("    {\n" + ",\n".join(egress) + "\n    }")
    plugins.append(portmap)
    return head + '  "plugins": [\n' + ",\n".join(plugins) + "\n  ]\n}\n"


@dataclass(frozen=True)
class Metric:
    """One Prometheus sample; ``help``/``type`` are printed once per metric family."""

    name: str
    value: float | int
    labels: tuple[tuple[str, str], ...] = ()
    type: str = "gauge"
    help: str = ""
    family: str = ""  # for summary/histogram parts (_sum, _count, _bucket): the family name


def _metric_value(v: float | int) -> str:
    if isinstance(v, int):
        return str(v)
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "+Inf" if v > 0 else "-Inf"
    text = repr(v)
    return text[:-2] if text.endswith(".0") else text


def metrics_text(samples: Sequence[Metric]) -> str:
    """Prometheus text exposition 0.0.4, families sorted by name as the Go client does."""
    families: dict[str, list[Metric]] = {}
    for sample in samples:
        families.setdefault(sample.family or sample.name, []).append(sample)
    out: list[str] = []
    for family in sorted(families):
        first = families[family][0]
        out.append(f"# HELP {family} {first.help or family.replace('_', ' ')}")
        out.append(f"# TYPE {family} {first.type}")
        for m in families[family]:
            labels = ",".join(f'{k}="{v}"' for k, v in m.labels)
            value = _metric_value(m.value)
            out.append(f"{m.name}{{{labels}}} {value}" if labels else f"{m.name} {value}")
    return "\n".join(out) + "\n"


def cni_metrics(
    version: Version,
    *,
    eni_allocated: int,
    eni_max: int,
    ip_max: int,
    total_ips: int,
    assigned_ips: int,
    add_requests: int = 0,
    del_requests: int = 0,
    extra: Sequence[Metric] = (),
    goversion: str = "go1.22.5",
) -> list[Metric]:
    """The core ipamd gauges named as CNI ``version`` names them (unprefixed before v1.4,
    ``awscni_build_info`` from v1.10)."""
    p = "awscni_" if version >= (1, 4, 0) else ""
    samples = [
        Metric(f"{p}eni_allocated", eni_allocated, help="The number of ENIs allocated"),
        Metric(
            f"{p}eni_max",
            eni_max,
            help="The maximum number of ENIs that can be attached to the instance, accounting for unmanaged ENIs",
        ),
        Metric(f"{p}ip_max", ip_max, help="The maximum number of IP addresses that can be allocated to the instance"),
        Metric(f"{p}total_ip_addresses", total_ips, help="The total number of IP addresses"),
        Metric(f"{p}assigned_ip_addresses", assigned_ips, help="The number of IP addresses assigned to pods"),
    ]
    if version >= (1, 2, 0):
        counter = "gauge" if (1, 16, 0) <= version < (1, 19, 0) else "counter"
        samples.append(
            Metric(f"{p}add_ip_req_count", add_requests, type=counter, help="The number of add IP address requests")
        )
        samples.append(
            Metric(
                f"{p}del_ip_req_count",
                del_requests,
                (("reason", "PodDeleted"),),
                type="counter",
                help="The number of delete IP address requests",
            )
        )
    if version >= (1, 10, 0):
        samples.append(
            Metric(
                "awscni_build_info",
                1,
                (("goversion", goversion), ("version", "v{}.{}.{}".format(*version))),
                help="A metric with a constant '1' value labeled by version, revision, and goversion from which amazon-vpc-cni-k8s was built.",
            )
        )
    return samples + list(extra)
