"""AWS CLI JSON attached to bundles (bundle-formats §10, pitfall 43)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.models.common import ArtifactStatus, Parsed
from bundle_analyzer.parsers.aws_cli import parse_aws_json

PATH = "aws/describe-network-interfaces.json"

# The real 2018 paste from the NET410 workshop (seed): command line above the JSON and a note
# typed after the Description value.
SEED_PASTE = """aws ec2 describe-network-interfaces --network-interface-ids eni-0f96810f42e4f53e8 --region eu-west-1
{
    "NetworkInterfaces": [
        {
            "Attachment": {
                "AttachTime": "2018-11-19T01:27:39.000Z",
                "AttachmentId": "eni-attach-0b3be060aa470e238",
                "DeleteOnTermination": true,
                "DeviceIndex": 1,
                "InstanceOwnerId": "298800981437",
                "Status": "attached"
            },
            "AvailabilityZone": "eu-west-1a",
            "Description": "Amazon EKS net410-eks-cluster", <-- !! Cross Account ENI
            "Groups": [
                {
                    "GroupName": "eksctl-net410-eks-cluster-cluster-ControlPlaneSecurityGroup-XLHWMBXCDLTP",
                    "GroupId": "sg-062a376f3d16fe673"
                }
            ],
            "InterfaceType": "interface",
            "Ipv6Addresses": [],
            "MacAddress": "0a:d5:79:a1:af:50",
            "NetworkInterfaceId": "eni-0f96810f42e4f53e8",
            "OwnerId": "xxxx",
            "PrivateDnsName": "ip-192-168-154-135.eu-west-1.compute.internal",
            "PrivateIpAddress": "192.168.154.135",
            "PrivateIpAddresses": [
                {
                    "Primary": true,
                    "PrivateDnsName": "ip-192-168-154-135.eu-west-1.compute.internal",
                    "PrivateIpAddress": "192.168.154.135"
                }
            ],
            "RequesterId": "AROAIORXPPLFOF7XU4KUQ:AmazonEKS",
            "RequesterManaged": false,
            "SourceDestCheck": true,
            "Status": "in-use",
            "SubnetId": "subnet-09d6c50e781c0e074",
            "TagSet": [],
            "VpcId": "vpc-09c7c672286bf7e94"
        }
    ]
}
"""


def _seed_json_only() -> str:
    body = SEED_PASTE.split("\n", 1)[1]
    return body.replace(" <-- !! Cross Account ENI", "")


def test_seed_control_plane_eni_clean_json():
    result = parse_aws_json(_seed_json_only().encode(), PATH)
    assert result.status is ArtifactStatus.parsed
    doc = result.value
    assert doc.kind == "network-interfaces" and doc.pages == 1 and not doc.truncated
    [eni] = doc.network_interfaces
    assert eni.id == "eni-0f96810f42e4f53e8"
    assert eni.is_control_plane_eni and eni.cluster_name == "net410-eks-cluster"
    assert not eni.is_cni_managed and not eni.is_trunk and not eni.is_branch
    assert eni.attachment.device_index == 1 and eni.attachment.network_card_index is None
    assert eni.attachment.instance_owner_id == "298800981437"
    assert eni.attachment.attach_time == datetime(2018, 11, 19, 1, 27, 39, tzinfo=UTC)
    assert [(ip.ip, ip.primary) for ip in eni.private_ips] == [("192.168.154.135", True)]
    assert eni.secondary_ips == []
    assert eni.groups[0].id == "sg-062a376f3d16fe673"
    assert eni.tags == {} and eni.requester_managed is False
    assert (eni.az, eni.subnet_id, eni.vpc_id, eni.mac) == (
        "eu-west-1a",
        "subnet-09d6c50e781c0e074",
        "vpc-09c7c672286bf7e94",
        "0a:d5:79:a1:af:50",
    )
    assert eni.line == 3


def test_seed_paste_as_is_keeps_the_eni_and_reports_the_extras():
    result = parse_aws_json(SEED_PASTE.encode(), PATH)
    assert result.status is ArtifactStatus.damaged
    [eni] = result.value.network_interfaces
    assert eni.description == "Amazon EKS net410-eks-cluster"
    assert eni.line == 4
    messages = {p.line: p.message for p in result.problems}
    assert "Cross Account ENI" in messages[14]
    assert "aws ec2 describe-network-interfaces" in messages[1]


CNI_ENI = {
    "Attachment": {
        "AttachTime": "2024-01-10T20:40:11+00:00",
        "AttachmentId": "eni-attach-0f1e2d3c4b5a69788",
        "DeleteOnTermination": True,
        "DeviceIndex": 1,
        "NetworkCardIndex": 0,
        "InstanceId": "i-0a1b2c3d4e5f60718",
        "InstanceOwnerId": "111122223333",
        "Status": "attached",
    },
    "AvailabilityZone": "us-west-2a",
    "Description": "aws-K8S-i-0a1b2c3d4e5f60718",
    "Groups": [{"GroupName": "eks-cluster-sg-demo", "GroupId": "sg-0123456789abcdef0"}],
    "InterfaceType": "interface",
    "Ipv6Addresses": [],
    "MacAddress": "02:aa:bb:cc:dd:ee",
    "NetworkInterfaceId": "eni-0ddd3333eeee4444f",
    "OwnerId": "111122223333",
    "PrivateIpAddress": "10.0.40.10",
    "PrivateIpAddresses": [
        {"Primary": True, "PrivateIpAddress": "10.0.40.10"},
        {"Primary": False, "PrivateIpAddress": "10.0.41.7"},
    ],
    "Ipv4Prefixes": [{"Ipv4Prefix": "10.0.41.16/28"}],
    "RequesterId": "AROAEXAMPLE:aws-node",
    "RequesterManaged": False,
    "SourceDestCheck": True,
    "Status": "in-use",
    "SubnetId": "subnet-0aaaabbbbccccdddd",
    "TagSet": [
        {"Key": "node.k8s.amazonaws.com/instance_id", "Value": "i-0a1b2c3d4e5f60718"},
        {"Key": "node.k8s.amazonaws.com/createdAt", "Value": "2024-01-10T20:40:10Z"},
        {"Key": "cluster.k8s.amazonaws.com/name", "Value": "demo"},
    ],
    "VpcId": "vpc-0123456789abcdef0",
}


def test_cni_eni_fields():
    result = parse_aws_json(json.dumps({"NetworkInterfaces": [CNI_ENI]}, indent=4).encode(), PATH)
    [eni] = result.value.network_interfaces
    assert eni.is_cni_managed and not eni.is_control_plane_eni
    assert eni.cluster_name == "demo" and eni.created_at_tag == "2024-01-10T20:40:10Z"
    assert eni.attachment.instance_id == "i-0a1b2c3d4e5f60718" and eni.attachment.network_card_index == 0
    assert eni.secondary_ips == ["10.0.41.7"] and eni.ipv4_prefixes == ["10.0.41.16/28"]
    assert not eni.no_manage


def test_trunk_branch_and_no_manage():
    trunk = dict(
        CNI_ENI, NetworkInterfaceId="eni-trunk", InterfaceType="trunk", Description="aws-k8s-trunk-eni", TagSet=[]
    )
    branch = dict(CNI_ENI, NetworkInterfaceId="eni-branch", InterfaceType="branch", Description="aws-k8s-branch-eni")
    ignored = dict(
        CNI_ENI, NetworkInterfaceId="eni-ign", TagSet=[{"Key": "node.k8s.amazonaws.com/no_manage", "Value": "true"}]
    )
    doc = parse_aws_json(json.dumps({"NetworkInterfaces": [trunk, branch, ignored]}).encode(), PATH).value
    assert [e.is_trunk for e in doc.network_interfaces] == [True, False, False]
    assert [e.is_branch for e in doc.network_interfaces] == [False, True, False]
    assert [e.no_manage for e in doc.network_interfaces] == [False, False, True]


DESCRIBE_INSTANCES = {
    "Reservations": [
        {
            "Groups": [],
            "Instances": [
                {
                    "InstanceId": "i-0a1b2c3d4e5f60718",
                    "InstanceType": "m5.large",
                    "LaunchTime": "2024-01-10T20:39:01+00:00",
                    "Placement": {"AvailabilityZone": "us-west-2a", "Tenancy": "default"},
                    "PrivateIpAddress": "10.0.40.10",
                    "State": {"Code": 16, "Name": "running"},
                    "SubnetId": "subnet-0aaaabbbbccccdddd",
                    "VpcId": "vpc-0123456789abcdef0",
                    "Hypervisor": "xen",
                    "NetworkInterfaces": [
                        {
                            "Attachment": {
                                "AttachmentId": "eni-attach-1",
                                "DeviceIndex": 0,
                                "NetworkCardIndex": 0,
                                "Status": "attached",
                            },
                            "Description": "",
                            "NetworkInterfaceId": "eni-primary",
                            "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": "10.0.40.10"}],
                            "Status": "in-use",
                            "SubnetId": "subnet-0aaaabbbbccccdddd",
                        },
                        {
                            "Attachment": {
                                "AttachmentId": "eni-attach-2",
                                "DeviceIndex": 1,
                                "NetworkCardIndex": 0,
                                "Status": "attached",
                            },
                            "Description": "aws-K8S-i-0a1b2c3d4e5f60718",
                            "NetworkInterfaceId": "eni-0ddd3333eeee4444f",
                            "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": "10.0.41.5"}],
                            "Status": "in-use",
                        },
                    ],
                    "Tags": [{"Key": "eks:cluster-name", "Value": "demo"}],
                    "MetadataOptions": {"State": "applied", "HttpTokens": "required", "HttpPutResponseHopLimit": 2},
                }
            ],
            "OwnerId": "111122223333",
            "ReservationId": "r-0123",
        }
    ]
}


def test_describe_instances():
    text = json.dumps(DESCRIBE_INSTANCES, indent=4)
    result = parse_aws_json(text.encode(), "aws/describe-instances.json")
    assert result.status is ArtifactStatus.parsed
    doc = result.value
    assert doc.kind == "instances"
    [instance] = doc.instances
    assert (instance.id, instance.type, instance.az, instance.state) == (
        "i-0a1b2c3d4e5f60718",
        "m5.large",
        "us-west-2a",
        "running",
    )
    assert instance.http_tokens == "required" and instance.hypervisor == "xen"
    assert instance.tags == {"eks:cluster-name": "demo"}
    assert instance.launch_time == datetime(2024, 1, 10, 20, 39, 1, tzinfo=UTC)
    assert [e.id for e in instance.network_interfaces] == ["eni-primary", "eni-0ddd3333eeee4444f"]
    assert instance.network_interfaces[1].attachment.device_index == 1
    assert instance.network_interfaces[1].az == "us-west-2a"  # inherited from the placement
    lines = text.splitlines()
    assert lines[instance.line - 1].strip() == "{" and '"InstanceId"' in lines[instance.line]
    for eni in instance.network_interfaces:
        assert lines[eni.line - 1].strip() == "{" and '"Attachment"' in lines[eni.line]


def test_describe_subnets():
    text = json.dumps(
        {
            "Subnets": [
                {
                    "AvailabilityZone": "us-west-2a",
                    "AvailabilityZoneId": "usw2-az1",
                    "AvailableIpAddressCount": 3,
                    "CidrBlock": "10.0.32.0/19",
                    "SubnetId": "subnet-0aaaabbbbccccdddd",
                    "VpcId": "vpc-0123456789abcdef0",
                    "Ipv6CidrBlockAssociationSet": [{"AssociationId": "a", "Ipv6CidrBlock": "2600:1f14::/64"}],
                    "Tags": [{"Key": "kubernetes.io/role/cni", "Value": "1"}],
                }
            ]
        },
        indent=4,
    )
    doc = parse_aws_json(text.encode(), "aws/describe-subnets.json").value
    assert doc.kind == "subnets"
    [subnet] = doc.subnets
    assert (subnet.cidr, subnet.available_ips, subnet.az_id) == ("10.0.32.0/19", 3, "usw2-az1")
    assert subnet.ipv6_cidrs == ["2600:1f14::/64"] and subnet.tags["kubernetes.io/role/cni"] == "1"
    assert subnet.line == 3


def _instance_type(name: str, cards: list[tuple[int, int]], ipv4: int, hypervisor: str | None, vcpus: int) -> dict:
    info = {
        "InstanceType": name,
        "BareMetal": hypervisor is None,
        "VCpuInfo": {"DefaultVCpus": vcpus},
        "NetworkInfo": {
            "MaximumNetworkInterfaces": sum(m for _, m in cards),
            "MaximumNetworkCards": len(cards),
            "DefaultNetworkCardIndex": 0,
            "NetworkCards": [{"NetworkCardIndex": i, "MaximumNetworkInterfaces": m} for i, m in cards],
            "Ipv4AddressesPerInterface": ipv4,
            "Ipv6AddressesPerInterface": ipv4,
        },
    }
    if hypervisor is not None:
        info["Hypervisor"] = hypervisor
    return info


def test_describe_instance_types_multi_card_and_bare_metal():
    p5 = _instance_type("p5.48xlarge", [(i, 2) for i in range(32)], 50, "nitro", 192)
    metal = _instance_type("i3.metal", [(0, 15)], 50, None, 72)
    doc = parse_aws_json(json.dumps({"InstanceTypes": [p5, metal]}).encode(), "aws/types.json").value
    assert doc.kind == "instance-types"
    gpu, bare = doc.instance_types
    assert gpu.max_enis == 64 and gpu.default_card_enis == 2 and gpu.max_network_cards == 32
    assert gpu.vcpus == 192 and gpu.hypervisor == "nitro" and gpu.ipv6_per_eni == 50
    assert bare.bare_metal and bare.hypervisor is None and bare.default_card_enis == 15


def test_pages_concatenated_with_next_token():
    first = {
        "NetworkInterfaces": [dict(CNI_ENI, NetworkInterfaceId="eni-1")],
        "NextToken": "eyJOZXh0VG9rZW4iOiBudWxsfQ==",
    }
    second = {"NetworkInterfaces": [dict(CNI_ENI, NetworkInterfaceId="eni-2")]}
    text = json.dumps(first, indent=4) + "\n" + json.dumps(second, indent=4) + "\n"
    result = parse_aws_json(text.encode(), PATH)
    assert result.status is ArtifactStatus.parsed
    doc = result.value
    assert doc.pages == 2 and not doc.truncated
    assert [e.id for e in doc.network_interfaces] == ["eni-1", "eni-2"]
    assert doc.network_interfaces[1].line == json.dumps(first, indent=4).count("\n") + 4


def test_single_page_with_next_token_is_truncated():
    doc = parse_aws_json(json.dumps({"NetworkInterfaces": [], "NextToken": "abc"}).encode(), PATH).value
    assert doc.truncated and doc.next_token == "abc" and doc.kind == "network-interfaces"


TABLE = """----------------------------------------------------------------------------------
|                           DescribeNetworkInterfaces                            |
+--------------------------------------------------------------------------------+
||                              NetworkInterfaces                               ||
|+-------------------+----------------------------------------------------------+|
||  AvailabilityZone |  us-west-2a                                              ||
||  Description      |  aws-K8S-i-0a1b2c3d4e5f60718                             ||
"""

TEXT = "NETWORKINTERFACES\tus-west-2a\taws-K8S-i-0a1b2c3d4e5f60718\tinterface\t02:aa:bb:cc:dd:ee\teni-0ddd\n"


def test_table_text_and_yaml_output_are_not_json():
    for output, word in (
        (TABLE, "table"),
        (TEXT, "text"),
        ("NetworkInterfaces:\n- Attachment:\n    DeviceIndex: 1\n", "YAML"),
    ):
        result = parse_aws_json(output.encode(), PATH)
        assert result.status is ArtifactStatus.damaged and result.value is None
        assert word in result.problems[0].message and "--output json" in result.problems[0].message


def test_query_results():
    bare_list = json.dumps([CNI_ENI, dict(CNI_ENI, NetworkInterfaceId="eni-x")], indent=2)
    result = parse_aws_json(bare_list.encode(), PATH)
    assert result.status is ArtifactStatus.parsed
    assert [e.line for e in result.value.network_interfaces] == [2, bare_list.splitlines().index("  {", 2) + 1]
    projection = parse_aws_json(b'[["eni-1", "10.0.0.1"], ["eni-2", "10.0.0.2"]]', PATH)
    assert projection.status is ArtifactStatus.damaged
    assert "--query" in projection.problems[0].message
    reservations = parse_aws_json(json.dumps(DESCRIBE_INSTANCES["Reservations"]).encode(), PATH)
    assert [i.id for i in reservations.value.instances] == ["i-0a1b2c3d4e5f60718"]


def test_truncated_json_keeps_complete_enis():
    text = json.dumps({"NetworkInterfaces": [CNI_ENI, dict(CNI_ENI, NetworkInterfaceId="eni-2")]}, indent=4)
    cut = text[: text.rindex('"PrivateIpAddresses"')]
    result = parse_aws_json(cut.encode(), PATH)
    assert result.status is ArtifactStatus.damaged
    assert result.value.network_interfaces[0].id == "eni-0ddd3333eeee4444f"
    assert any("truncated" in p.message for p in result.problems)


def test_empty_and_odd_documents():
    assert parse_aws_json(b"\n", PATH).status is ArtifactStatus.empty
    assert parse_aws_json(b'"just a string"', PATH).status is ArtifactStatus.damaged
    odd = parse_aws_json(b'{"NetworkInterfaces": {"a": 1}}', PATH)
    assert odd.status is ArtifactStatus.damaged
    weird = parse_aws_json(
        b'{"NetworkInterfaces": [1, {"NetworkInterfaceId": "eni-1", "PrivateIpAddresses": [3]}]}', PATH
    )
    assert [e.id for e in weird.value.network_interfaces] == ["eni-1"]
    assert parse_aws_json(b"An error occurred (UnauthorizedOperation) when calling ...", PATH).value is None


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_raise(data):
    assert isinstance(parse_aws_json(data, PATH), Parsed)


_hex = st.text(alphabet="0123456789abcdef", min_size=8, max_size=17)
_ip = st.tuples(*[st.integers(min_value=0, max_value=255)] * 4).map(lambda t: ".".join(map(str, t)))
_tag_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)


@st.composite
def enis(draw):
    ips = draw(st.lists(_ip, min_size=1, max_size=5))
    return {
        "NetworkInterfaceId": "eni-" + draw(_hex),
        "Description": draw(st.sampled_from(["", "aws-K8S-i-0123", "Amazon EKS demo", "aws-k8s-trunk-eni"])),
        "Status": draw(st.sampled_from(["in-use", "available", "attaching"])),
        "PrivateIpAddresses": [{"Primary": i == 0, "PrivateIpAddress": ip} for i, ip in enumerate(ips)],
        "TagSet": [{"Key": k, "Value": v} for k, v in draw(st.dictionaries(_tag_text, _tag_text, max_size=3)).items()],
        "Attachment": {"DeviceIndex": draw(st.integers(0, 15)), "NetworkCardIndex": draw(st.integers(0, 31))},
    }


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.lists(enis(), max_size=4), min_size=1, max_size=3), st.sampled_from([None, 2, 4]))
def test_generated_pages_parse_back(pages, indent):
    text = "".join(json.dumps({"NetworkInterfaces": page}, indent=indent) + "\n" for page in pages)
    result = parse_aws_json(text.encode(), PATH)
    assert result.status is ArtifactStatus.parsed
    doc = result.value
    flat = [eni for page in pages for eni in page]
    assert doc.pages == len(pages)
    assert [e.id for e in doc.network_interfaces] == [eni["NetworkInterfaceId"] for eni in flat]
    for got, want in zip(doc.network_interfaces, flat, strict=True):
        assert [ip.ip for ip in got.private_ips] == [ip["PrivateIpAddress"] for ip in want["PrivateIpAddresses"]]
        assert got.tags == {t["Key"]: t["Value"] for t in want["TagSet"]}
        assert got.attachment.device_index == want["Attachment"]["DeviceIndex"]
        assert got.is_control_plane_eni == want["Description"].startswith("Amazon EKS ")
        if indent is not None:
            line = text.splitlines()[got.line - 1].strip()
            assert line == "{"
