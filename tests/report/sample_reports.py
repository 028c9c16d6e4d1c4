"""Realistic Report objects for the renderer tests: a healthy seed-like node and a broken node.

The healthy node follows the 2018 workshop (seed): two ENIs, three pods, rules to table 3.
The broken node is an EKS log-collector bundle with an exhausted subnet, a missing pod rule,
damaged inventory entries, and hostile text in every place a bundle string can reach.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bundle_analyzer.models.common import ArtifactStatus, Severity
from bundle_analyzer.report.model import (
    BundleReport,
    ConfigValue,
    Evidence,
    Finding,
    InventoryEntry,
    Layout,
    NetworkLink,
    NetworkNode,
    NetworkView,
    NodeInfo,
    Report,
    RuleResult,
    RuleStatus,
    Summary,
    TimelineEvent,
    ToolInfo,
)

# Everything a log line may try: HTML/JS, rich markup, ANSI/OSC escapes, Markdown link and table.
HOSTILE_HTML = "<script>alert(1)</script><img src=x onerror=alert(2)>"
HOSTILE_PWN = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
HOSTILE_MARKUP = "[bold red]boom[/bold red]"
HOSTILE_ANSI = "\x1b[31mred\x1b[0m \x1b]0;pwned-title\x07 \x9b2J"
HOSTILE_MD = "[click me](javascript:alert(3)) | col | **bold** _it_ `tick` # not-a-heading"
HOSTILE_LINE = f"{HOSTILE_HTML} {HOSTILE_MARKUP} {HOSTILE_ANSI} {HOSTILE_MD} {HOSTILE_PWN} </script>"

HEALTHY_BUNDLE = "aws-cni-support.tar.gz"
BROKEN_BUNDLE = "eks_i-0a1b2c3d4e5f60718_2024-05-20_0930-UTC_0.7.9.tar.gz"

T0 = datetime(2024, 5, 20, 9, 12, 3, tzinfo=UTC)


def _seed_network() -> NetworkView:
    """The seed's node: eth0 on eni-001197a0eeab79df8, table 3 for the pods on the second ENI."""
    nodes = [
        NetworkNode(id="eni-001197a0eeab79df8", kind="eni", label="eni-001197a0eeab79df8", detail="primary, device 0"),
        NetworkNode(id="eni-0d7778f429dda454f", kind="eni", label="eni-0d7778f429dda454f", detail="device 3"),
        NetworkNode(id="ip-192.168.141.2", kind="ip", label="192.168.141.2", detail="assigned"),
        NetworkNode(id="ip-192.168.145.92", kind="ip", label="192.168.145.92", detail="warm"),
        NetworkNode(id="ip-192.168.130.206", kind="ip", label="192.168.130.206", detail="assigned"),
        NetworkNode(id="ip-192.168.157.205", kind="ip", label="192.168.157.205", detail="assigned"),
        NetworkNode(id="veth-eni3fd21969a5d", kind="veth", label="eni3fd21969a5d"),
        NetworkNode(id="veth-eni61b9c53e3d2", kind="veth", label="eni61b9c53e3d2"),
        NetworkNode(id="veth-enid01321d94b0", kind="veth", label="enid01321d94b0"),
        NetworkNode(id="rule-1536-192.168.130.206", kind="rule", label="1536: from 192.168.130.206 lookup 3"),
        NetworkNode(id="rule-1536-192.168.157.205", kind="rule", label="1536: from 192.168.157.205 lookup 3"),
        NetworkNode(id="table-main", kind="table", label="main"),
        NetworkNode(id="table-3", kind="table", label="table 3", detail="default via 192.168.128.1 dev eth2"),
        NetworkNode(id="if-eth0", kind="interface", label="eth0", detail="192.168.167.201/18"),
        NetworkNode(id="if-eth2", kind="interface", label="eth2"),
    ]
    links = [
        NetworkLink(source="eni-001197a0eeab79df8", target="ip-192.168.141.2", kind="has-ip"),
        NetworkLink(source="eni-001197a0eeab79df8", target="ip-192.168.145.92", kind="has-ip"),
        NetworkLink(source="eni-0d7778f429dda454f", target="ip-192.168.130.206", kind="has-ip"),
        NetworkLink(source="eni-0d7778f429dda454f", target="ip-192.168.157.205", kind="has-ip"),
        NetworkLink(source="ip-192.168.141.2", target="veth-eni3fd21969a5d", kind="host-route"),
        NetworkLink(source="ip-192.168.130.206", target="veth-eni61b9c53e3d2", kind="host-route"),
        NetworkLink(source="ip-192.168.157.205", target="veth-enid01321d94b0", kind="host-route"),
        NetworkLink(source="veth-eni61b9c53e3d2", target="rule-1536-192.168.130.206", kind="from-rule"),
        NetworkLink(source="veth-enid01321d94b0", target="rule-1536-192.168.157.205", kind="from-rule"),
        NetworkLink(source="veth-eni3fd21969a5d", target="table-main", kind="lookup"),
        NetworkLink(source="rule-1536-192.168.130.206", target="table-3", kind="lookup"),
        NetworkLink(source="rule-1536-192.168.157.205", target="table-3", kind="lookup"),
        NetworkLink(source="table-main", target="if-eth0", kind="default-route"),
        NetworkLink(source="table-3", target="if-eth2", kind="default-route"),
    ]
    return NetworkView(nodes=nodes, links=links)


def healthy_report() -> Report:
    bundle = BundleReport(
        path=HEALTHY_BUNDLE,
        layout=Layout.aws_cni_support_legacy,
        cni_version="v1.2.1",
        cni_version_source="ipamd.log: Starting L-IPAMD v1.2.1",
        collected_at=datetime(2018, 11, 19, 1, 40, tzinfo=UTC),
        node=NodeInfo(
            instance_id="i-0f1e2d3c4b5a69788",
            instance_type="m5.large",
            region="eu-west-1",
            az="eu-west-1a",
            primary_ip="192.168.167.201",
            hostname="ip-192-168-167-201.eu-west-1.compute.internal",
        ),
        inventory=[
            InventoryEntry(
                path="var/log/aws-routed-eni/ipamd.log.2018-11-19-01",
                kind="ipamd-log",
                status=ArtifactStatus.parsed,
                size=48211,
            ),
            InventoryEntry(
                path="var/log/aws-routed-eni/plugin.log.2018-11-19-01",
                kind="plugin-log",
                status=ArtifactStatus.parsed,
                size=9120,
            ),
            InventoryEntry(
                path="var/log/aws-routed-eni/enis.json", kind="ipamd-enis", status=ArtifactStatus.parsed, size=675
            ),
            InventoryEntry(
                path="var/log/aws-routed-eni/iprule.txt", kind="ip-rule", status=ArtifactStatus.parsed, size=412
            ),
        ],
        config=[
            ConfigValue(name="WARM_ENI_TARGET", value="1", source="default"),
            ConfigValue(name="AWS_VPC_K8S_CNI_EXTERNALSNAT", value="false", source="default"),
        ],
        network=_seed_network(),
        timeline=[
            TimelineEvent(
                timestamp=datetime(2018, 11, 19, 1, 27, 39, tzinfo=UTC),
                path="var/log/aws-routed-eni/ipamd.log.2018-11-19-01",
                line=1,
                level="info",
                message="Starting L-IPAMD v1.2.1  ...",
            ),
        ],
    )
    results = [
        RuleResult(rule_id=r, status=RuleStatus.passed, bundle=HEALTHY_BUNDLE)
        for r in ("pod-egress-rule-missing", "subnet-out-of-ip-addresses", "eni-route-table-missing-default")
    ]
    return Report(
        tool=ToolInfo(version="0.1.0"),
        bundles=[bundle],
        findings=[],
        rule_results=results,
        summary=Summary(rules_run=3),
    )


def _ipamd(line: int, seconds: int, level: str, msg: str) -> tuple[int, datetime, str]:
    ts = T0 + timedelta(seconds=seconds)
    stamp = ts.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return line, ts, f'{{"level":"{level}","ts":"{stamp}","caller":"ipamd/ipamd.go:986","msg":"{msg}"}}'


IPAMD = "var_log/aws-routed-eni/ipamd.log"
PLUGIN = "var_log/aws-routed-eni/plugin.log"

# Addresses and ids the redaction tests look for in every rendered format.
BROKEN_IPS = ["10.0.1.23", "10.0.1.57", "10.0.2.14", "10.0.2.15", "10.0.0.1", "10.0.1.10"]
BROKEN_ENIS = ["eni-0aa1bb2cc3dd4ee5f", "eni-0ff9ee8dd7cc6bb5a"]
BROKEN_INSTANCE = "i-0a1b2c3d4e5f60718"
BROKEN_ACCOUNT = "123456789012"


def _broken_network() -> NetworkView:
    primary, secondary = BROKEN_ENIS
    nodes = [
        NetworkNode(id=primary, kind="eni", label=primary, detail="primary, device 0, subnet-0123456789abcdef0"),
        NetworkNode(id=secondary, kind="eni", label=secondary, detail="device 1, route table 2"),
        NetworkNode(id="ip-10.0.1.23", kind="ip", label="10.0.1.23", detail="assigned to default/web-0"),
        NetworkNode(id="ip-10.0.1.57", kind="ip", label="10.0.1.57", detail="warm"),
        NetworkNode(id="ip-10.0.2.14", kind="ip", label="10.0.2.14", detail="assigned to default/api-7"),
        NetworkNode(id="ip-10.0.2.15", kind="ip", label="10.0.2.15", detail="assigned to kube-system/coredns-1"),
        NetworkNode(id="prefix-10.0.3.16/28", kind="prefix", label="10.0.3.16/28", detail="delegated prefix"),
        NetworkNode(id="pod-web-0", kind="pod", label="default/web-0"),
        NetworkNode(id="pod-api-7", kind="pod", label="default/api-7", broken=True, detail="no from-rule"),
        NetworkNode(id="pod-coredns-1", kind="pod", label=HOSTILE_PWN, detail=HOSTILE_LINE),
        NetworkNode(id="veth-enia1", kind="veth", label="enia1b2c3d4e5f"),
        NetworkNode(id="veth-enib2", kind="veth", label="enib2c3d4e5f6a"),
        NetworkNode(id="rule-512-10.0.2.14", kind="rule", label="512: from all to 10.0.2.14 lookup main"),
        NetworkNode(id="rule-1536-10.0.2.15", kind="rule", label="1536: from 10.0.2.15 lookup 2"),
        NetworkNode(id="table-main", kind="table", label="main", detail="default via 10.0.0.1 dev eth0"),
        NetworkNode(id="table-2", kind="table", label="table 2", broken=True, detail="no default route"),
        NetworkNode(id="if-eth0", kind="interface", label="eth0", detail="10.0.1.10/24 mtu 9001"),
        NetworkNode(id="if-eth1", kind="interface", label="eth1", detail="mtu 9001"),
    ]
    links = [
        NetworkLink(source=primary, target="ip-10.0.1.23", kind="has-ip"),
        NetworkLink(source=primary, target="ip-10.0.1.57", kind="has-ip"),
        NetworkLink(source=secondary, target="ip-10.0.2.14", kind="has-ip"),
        NetworkLink(source=secondary, target="ip-10.0.2.15", kind="has-ip"),
        NetworkLink(source=secondary, target="prefix-10.0.3.16/28", kind="has-prefix"),
        NetworkLink(source="ip-10.0.1.23", target="pod-web-0", kind="assigned"),
        NetworkLink(source="ip-10.0.2.14", target="pod-api-7", kind="assigned"),
        NetworkLink(source="ip-10.0.2.15", target="pod-coredns-1", kind="assigned"),
        NetworkLink(source="pod-web-0", target="veth-enia1", kind="veth"),
        NetworkLink(source="pod-api-7", target="veth-enib2", kind="veth"),
        NetworkLink(source="pod-api-7", target="rule-512-10.0.2.14", kind="to-rule"),
        # The missing "from 10.0.2.14 lookup 2" rule: a link to a node that is not there.
        NetworkLink(
            source="pod-api-7",
            target="rule-1536-10.0.2.14",
            kind="from-rule",
            broken=True,
            note="missing: 1536: from 10.0.2.14 lookup 2",
        ),
        NetworkLink(source="pod-coredns-1", target="rule-1536-10.0.2.15", kind="from-rule"),
        NetworkLink(source="rule-512-10.0.2.14", target="table-main", kind="lookup"),
        NetworkLink(source="rule-1536-10.0.2.15", target="table-2", kind="lookup"),
        NetworkLink(source="table-main", target="if-eth0", kind="default-route"),
        NetworkLink(
            source="table-2", target="if-eth1", kind="default-route", broken=True, note="table 2 has no default route"
        ),
    ]
    return NetworkView(nodes=nodes, links=links)


def broken_report() -> Report:
    l1, t1, exhausted = _ipamd(
        1834,
        0,
        "error",
        "Failed to allocate a private IP/Prefix addresses on ENI eni-0ff9ee8dd7cc6bb5a: "
        "InsufficientFreeAddressesInSubnet: There are not enough free addresses in subnet 'subnet-0123456789abcdef0' to satisfy the requested number of secondary addresses",
    )
    l2, t2, unable = _ipamd(
        1835,
        1,
        "warn",
        "Unable to attach IPs/Prefixes for the ENI, subnet doesn't seem to have enough IPs/Prefixes. Consider using new subnet or carve a reserved range using create-subnet-cidr-reservation",
    )
    l3, t3, nofree = _ipamd(2210, 95, "error", "DataStore has no available IP/Prefix addresses")
    l4, t4, arn_line = _ipamd(
        40,
        -600,
        "error",
        "UnauthorizedOperation: You are not authorized to perform: ec2:CreateTags on resource "
        f"arn:aws:ec2:us-west-2:{BROKEN_ACCOUNT}:network-interface/eni-0aa1bb2cc3dd4ee5f "
        f"assumed by arn:aws:sts::{BROKEN_ACCOUNT}:assumed-role/eksctl-prod-nodegroup-NodeInstanceRole-1XYZ/{BROKEN_INSTANCE}",
    )
    hostile_ts = T0 + timedelta(seconds=120)
    findings = [
        Finding(
            rule_id="ipamd-datastore-no-free-ip",
            title="ipamd has no free IP/prefix to hand to a new pod",
            severity=Severity.error,
            category="ip-exhaustion",
            message="ipamd logged 'DataStore has no available IP/Prefix addresses' 17 times; pods on ip-10-0-1-10.us-west-2.compute.internal stay in ContainerCreating",
            bundle=BROKEN_BUNDLE,
            evidence=[Evidence(path=IPAMD, line=l3, excerpt=nofree, timestamp=t3)],
            count=17,
            first_seen=t3,
            last_seen=t3 + timedelta(minutes=14),
            remediation="Follow the cause listed above this finding.",
            references=["https://github.com/aws/amazon-vpc-cni-k8s/issues/1791"],
            caused_by=["subnet-out-of-ip-addresses"],
        ),
        Finding(
            rule_id="subnet-out-of-ip-addresses",
            title="Node subnet has no free IPv4 addresses for secondary IPs",
            severity=Severity.error,
            category="ip-exhaustion",
            message="EC2 refused AssignPrivateIpAddresses on eni-0ff9ee8dd7cc6bb5a: InsufficientFreeAddressesInSubnet (subnet-0123456789abcdef0, 10.0.0.0/16)",
            bundle=BROKEN_BUNDLE,
            evidence=[
                Evidence(path=IPAMD, line=l1, excerpt=exhausted, timestamp=t1),
                Evidence(path=IPAMD, line=l2, excerpt=unable, timestamp=t2),
            ],
            count=3,
            first_seen=t1,
            last_seen=t2,
            remediation="Add subnet space: tag more subnets with kubernetes.io/role/cni=1 or use custom networking on a secondary CIDR.",
            references=[
                "https://github.com/aws/amazon-vpc-cni-k8s/blob/master/docs/troubleshooting.md",
                "aws/amazon-vpc-cni-k8s#2749",
            ],
            explains=["ipamd-datastore-no-free-ip"],
        ),
        Finding(
            rule_id="pod-egress-rule-missing",
            title='Pod on a secondary ENI lacks its "from <pod-ip> lookup <eni-table>" policy rule',
            severity=Severity.critical,
            category="routing/rules",
            message="10.0.2.14 (default/api-7) is assigned on eni-0ff9ee8dd7cc6bb5a (table 2) but iprule.txt has no '1536: from 10.0.2.14 lookup 2'",
            bundle=BROKEN_BUNDLE,
            evidence=[
                Evidence(
                    path="ipamd/enis.json",
                    line=31,
                    excerpt='"10.0.2.14": {"Address": "10.0.2.14", "IPAMKey": {"networkName": "aws-cni", "containerID": "4f1c"}}',
                ),
                Evidence(path="networking/iprule.txt", line=4, excerpt="512:\tfrom all to 10.0.2.14 lookup main"),
            ],
            remediation="Recreate the pod or restart aws-node; remove the agent that flushes policy rules.",
            references=["https://github.com/aws/amazon-vpc-cni-k8s/issues/1856"],
        ),
        Finding(
            rule_id="iam-unauthorized-ec2-call",
            title="The node role may not call an EC2 API ipamd needs",
            severity=Severity.warning,
            category="ec2-api/iam",
            message=f"ec2:CreateTags denied for arn:aws:sts::{BROKEN_ACCOUNT}:assumed-role/eksctl-prod-nodegroup-NodeInstanceRole-1XYZ/{BROKEN_INSTANCE}",
            bundle=BROKEN_BUNDLE,
            evidence=[Evidence(path=IPAMD, line=l4, excerpt=arn_line, timestamp=t4)],
            remediation="Attach AmazonEKS_CNI_Policy to the node role.",
        ),
        Finding(
            rule_id="hostile-log-line",
            title="A log line that tries to break every renderer",
            severity=Severity.warning,
            category="other <b>x</b>",
            message=f"plugin.log said: {HOSTILE_LINE}",
            bundle=BROKEN_BUNDLE,
            evidence=[Evidence(path=PLUGIN, line=7, excerpt=HOSTILE_LINE + " ```` fence", timestamp=hostile_ts)],
            remediation=HOSTILE_MD,
            references=["javascript:alert(4)", "https://example.invalid/ref?a=1&b=<x>"],
        ),
        Finding(
            rule_id="unknown-instance-type-limits",
            title="Instance type not in the CNI's limits table",
            severity=Severity.info,
            category="version/upgrade",
            message="m7i-flex.large is not in the ENI limits of v1.18.3",
            bundle=BROKEN_BUNDLE,
        ),
        Finding(
            rule_id="warm-target-misconfiguration",
            title="WARM_IP_TARGET and MINIMUM_IP_TARGET are both 0",
            severity=Severity.warning,
            category="config/env",
            message="WARM_IP_TARGET=0",
            bundle=BROKEN_BUNDLE,
            suppressed="accepted: set by platform team",
        ),
    ]
    bundle = BundleReport(
        path=BROKEN_BUNDLE,
        layout=Layout.eks_log_collector,
        collector_version="0.7.9",
        cni_version="v1.18.3",
        cni_version_source="ipamd.log: Starting L-IPAMD v1.18.3",
        collected_at=datetime(2024, 5, 20, 9, 30, tzinfo=UTC),
        node=NodeInfo(
            instance_id=BROKEN_INSTANCE,
            instance_type="m7i-flex.large",
            region="us-west-2",
            az="us-west-2b",
            primary_ip="10.0.1.10",
            hostname="ip-10-0-1-10.us-west-2.compute.internal",
        ),
        inventory=[
            InventoryEntry(path=IPAMD, kind="ipamd-log", status=ArtifactStatus.parsed, size=8_812_003),
            InventoryEntry(path=PLUGIN, kind="plugin-log", status=ArtifactStatus.parsed, size=120_044),
            InventoryEntry(path="ipamd/enis.json", kind="ipamd-enis", status=ArtifactStatus.parsed, size=4211),
            InventoryEntry(path="networking/iprule.txt", kind="ip-rule", status=ArtifactStatus.parsed, size=380),
            InventoryEntry(
                path="ipamd/metrics.json",
                kind="ipamd-metrics",
                status=ArtifactStatus.damaged,
                detail="line 1: curl error body instead of JSON: 'Not Found'",
            ),
            InventoryEntry(path="ipamd/eni-configs.json", kind="ipamd-eniconfigs", status=ArtifactStatus.empty, size=0),
            InventoryEntry(
                path="networking/iptables-save.txt",
                kind="iptables-save",
                status=ArtifactStatus.damaged,
                detail=f"line 812: truncated; {HOSTILE_LINE}",
            ),
            InventoryEntry(path="system/odd-file.bin", kind=None, status=ArtifactStatus.unrecognised),
            InventoryEntry(
                path="var_log/messages", kind="syslog", status=ArtifactStatus.skipped, detail="over the 100 MB limit"
            ),
        ],
        archive_problems=["member ../../etc/passwd refused: path escape"],
        config=[
            ConfigValue(name="WARM_ENI_TARGET", value="1", source="aws-node env (ipamd/env.txt line 12)"),
            ConfigValue(name="WARM_IP_TARGET", value="0", source="aws-node env"),
            ConfigValue(name="ENABLE_PREFIX_DELEGATION", value="false", source="default"),
            ConfigValue(name="AWS_VPC_K8S_CNI_EXTERNALSNAT", value="false", source="default"),
            ConfigValue(name="maxPods", value="110", source="kubelet/kubelet-config.json"),
            ConfigValue(name="CLUSTER_ENDPOINT", value=HOSTILE_LINE, source="aws-node env"),
        ],
        network=_broken_network(),
        timeline=[
            TimelineEvent(
                timestamp=t4, path=IPAMD, line=l4, level="error", message=arn_line, rule_id="iam-unauthorized-ec2-call"
            ),
            TimelineEvent(
                timestamp=T0 - timedelta(seconds=900),
                path=IPAMD,
                line=1,
                level="info",
                message="Starting L-IPAMD v1.18.3  ...",
            ),
            TimelineEvent(
                timestamp=t1,
                path=IPAMD,
                line=l1,
                level="error",
                message=exhausted,
                rule_id="subnet-out-of-ip-addresses",
            ),
            TimelineEvent(
                timestamp=t2, path=IPAMD, line=l2, level="warn", message=unable, rule_id="subnet-out-of-ip-addresses"
            ),
            TimelineEvent(
                timestamp=t3, path=IPAMD, line=l3, level="error", message=nofree, rule_id="ipamd-datastore-no-free-ip"
            ),
            TimelineEvent(
                timestamp=hostile_ts,
                path=PLUGIN,
                line=7,
                level="error",
                message=HOSTILE_LINE,
                rule_id="hostile-log-line",
            ),
        ],
    )
    results = [RuleResult(rule_id=f.rule_id, status=RuleStatus.fired, bundle=BROKEN_BUNDLE) for f in findings] + [
        RuleResult(rule_id="eni-route-table-missing-default", status=RuleStatus.passed, bundle=BROKEN_BUNDLE),
        RuleResult(
            rule_id="snat-rules-missing",
            status=RuleStatus.skipped,
            reason="needs networking/iptables-save.txt (damaged)",
            bundle=BROKEN_BUNDLE,
        ),
        RuleResult(
            rule_id="rp-filter-strict-on-primary",
            status=RuleStatus.skipped,
            reason="needs sysctls/sysctl_all.txt",
            bundle=BROKEN_BUNDLE,
        ),
        RuleResult(
            rule_id="conntrack-table-exhausted",
            status=RuleStatus.error,
            reason=f"condition failed: no such key 'nf_conntrack_max' {HOSTILE_MARKUP}",
            bundle=BROKEN_BUNDLE,
        ),
    ]
    summary = Summary(
        critical=1, error=2, warning=2, info=1, rules_run=11, rules_skipped=2, rules_errored=1, suppressed=1
    )
    return Report(
        tool=ToolInfo(version="0.1.0"), bundles=[bundle], findings=findings, rule_results=results, summary=summary
    )


def two_node_report() -> Report:
    """Both nodes in one report, as `cnibundle analyze a.tgz b.tgz` produces."""
    healthy, broken = healthy_report(), broken_report()
    return broken.model_copy(
        update={
            "bundles": healthy.bundles + broken.bundles,
            "rule_results": healthy.rule_results + broken.rule_results,
            "summary": broken.summary.model_copy(
                update={"rules_run": broken.summary.rules_run + healthy.summary.rules_run}
            ),
        }
    )


def large_network_report(n_ips: int = 50) -> Report:
    """A node with many pods: the network picture must grow, not overlap."""
    report = healthy_report()
    bundle = report.bundles[0]
    nodes = [
        NetworkNode(id="eni-a", kind="eni", label="eni-0123456789abcdef0"),
        NetworkNode(id="eni-b", kind="eni", label="eni-0fedcba9876543210"),
    ]
    nodes += [
        NetworkNode(id="table-main", kind="table", label="main"),
        NetworkNode(id="table-2", kind="table", label="table 2"),
    ]
    nodes += [
        NetworkNode(id="if-eth0", kind="interface", label="eth0"),
        NetworkNode(id="if-eth1", kind="interface", label="eth1"),
    ]
    links = [
        NetworkLink(source="table-main", target="if-eth0", kind="default-route"),
        NetworkLink(source="table-2", target="if-eth1", kind="default-route"),
    ]
    for i in range(n_ips):
        eni = "eni-a" if i % 2 == 0 else "eni-b"
        ip = f"10.1.{i // 200}.{i % 200 + 10}"
        nodes.append(NetworkNode(id=f"ip-{ip}", kind="ip", label=ip))
        nodes.append(NetworkNode(id=f"pod-{i}", kind="pod", label=f"default/app-{i}"))
        nodes.append(NetworkNode(id=f"rule-{i}", kind="rule", label=f"1536: from {ip} lookup 2"))
        links.append(NetworkLink(source=eni, target=f"ip-{ip}", kind="has-ip"))
        links.append(NetworkLink(source=f"ip-{ip}", target=f"pod-{i}", kind="assigned"))
        links.append(NetworkLink(source=f"pod-{i}", target=f"rule-{i}", kind="from-rule", broken=i == 7))
        links.append(
            NetworkLink(source=f"rule-{i}", target="table-2" if eni == "eni-b" else "table-main", kind="lookup")
        )
    bundle.network = NetworkView(nodes=nodes, links=links)
    return report
