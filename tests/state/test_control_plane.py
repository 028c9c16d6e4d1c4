"""The control-plane channel from describe-network-interfaces / describe-subnets beside the seed bundle."""

from __future__ import annotations

import json
from pathlib import Path

from bundle_analyzer.analysis import _aws_artifact, attach_aws_json
from bundle_analyzer import load_bundle
from bundle_analyzer.state.control_plane import control_plane_view

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed-net410-aws-cni-support.tar.gz"
CP_ENI = {"NetworkInterfaces": [{
    "Attachment": {"DeviceIndex": 1, "InstanceOwnerId": "298800981437", "Status": "attached"},
    "AvailabilityZone": "eu-west-1a", "Description": "Amazon EKS net410-eks-cluster",
    "Groups": [{"GroupName": "eksctl-net410-eks-cluster-cluster-ControlPlaneSecurityGroup-XLHWMBXCDLTP",
                "GroupId": "sg-062a376f3d16fe673"}],
    "InterfaceType": "interface", "NetworkInterfaceId": "eni-0f96810f42e4f53e8", "OwnerId": "694065802095",
    "PrivateIpAddress": "192.168.154.135", "RequesterId": "AROAIORXPPLFOF7XU4KUQ:AmazonEKS",
    "RequesterManaged": False, "Status": "in-use", "SubnetId": "subnet-09d6c50e781c0e074", "TagSet": []}]}


def view_with(tmp_path: Path, *documents: dict):
    bundle = load_bundle(SEED)
    paths = []
    for index, document in enumerate(documents):
        path = tmp_path / f"aws-{index}.json"
        path.write_text(json.dumps(document))
        paths.append(path)
    attach_aws_json(bundle, [_aws_artifact(p) for p in paths])
    return control_plane_view(bundle)


def test_cross_account_eni_is_identified(tmp_path):
    view = view_with(tmp_path, CP_ENI)
    (eni,) = view.enis
    assert eni.cluster == "net410-eks-cluster" and eni.security_groups == ["sg-062a376f3d16fe673"]
    assert any(c.subject.endswith("security groups") and c.ok for c in view.checks)


def test_subnet_checks(tmp_path):
    low = {"Subnets": [{"SubnetId": "subnet-09d6c50e781c0e074", "CidrBlock": "192.168.128.0/18",
                        "AvailableIpAddressCount": 2}]}
    view = view_with(tmp_path, CP_ENI, low)
    subnet = next(c for c in view.checks if "subnet-09d6c50e781c0e074" in c.subject)
    assert subnet.ok is False and "2 free" in subnet.detail
    gone = view_with(tmp_path, CP_ENI, {"Subnets": [{"SubnetId": "subnet-other", "CidrBlock": "10.0.0.0/24",
                                                     "AvailableIpAddressCount": 200}]})
    assert any(c.ok is False and "deleted" in c.detail for c in gone.checks)


def test_without_aws_json_the_view_says_what_it_needs():
    view = control_plane_view(load_bundle(SEED))
    assert not view.enis
    assert any("--aws-json" in c.detail for c in view.checks)
