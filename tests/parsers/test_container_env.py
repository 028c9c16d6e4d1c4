"""``cni/cni-configuration-variables-containerd.json`` / ``-dockerd.txt`` (bundle-formats §12.2, pitfalls 8, 46)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.models.common import ArtifactStatus, Parsed
from bundle_analyzer.models.config import cni_version_from_image
from bundle_analyzer.parsers.container_env import parse_container_env

CTR_PATH = "cni/cni-configuration-variables-containerd.json"
DOCKER_PATH = "cni/cni-configuration-variables-dockerd.txt"
IMAGE = "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.18.3-eksbuild.1"


def ctr_info(container_id: str, image: str, created: str, env: list[str], pod: str = "aws-node-7xk2p") -> dict:
    return {
        "ID": container_id,
        "Labels": {
            "io.cri-containerd.kind": "container",
            "io.kubernetes.container.name": "aws-node",
            "io.kubernetes.pod.name": pod,
            "io.kubernetes.pod.namespace": "kube-system",
        },
        "Image": image,
        "Runtime": {"Name": "io.containerd.runc.v2", "Options": {"type_url": "containerd.runc.v1.Options"}},
        "SnapshotKey": container_id,
        "Snapshotter": "overlayfs",
        "CreatedAt": created,
        "UpdatedAt": created,
        "Extensions": {},
        "Spec": {
            "ociVersion": "1.1.0",
            "process": {"user": {"uid": 0, "gid": 0}, "args": ["/app/aws-vpc-cni"], "env": env},
        },
    }


def dump(*docs: dict) -> str:
    # ctr prints json.MarshalIndent(v, "", "    ") followed by a newline.
    return "".join(json.dumps(doc, indent=4) + "\n" for doc in docs)


def test_single_containerd_container():
    text = dump(
        ctr_info(
            "5f1c0a", IMAGE, "2024-01-10T20:40:01.123456789Z", ["WARM_ENI_TARGET=1", "ENABLE_PREFIX_DELEGATION=false"]
        )
    )
    result = parse_container_env(text.encode(), CTR_PATH)
    assert result.status is ArtifactStatus.parsed
    [container] = result.value.containers
    assert container.runtime == "containerd"
    assert container.cni_version == "v1.18.3"
    assert (container.container_name, container.pod_name) == ("aws-node", "aws-node-7xk2p")
    assert container.created_at == datetime(2024, 1, 10, 20, 40, 1, 123456, tzinfo=UTC)
    assert container.env == {"WARM_ENI_TARGET": "1", "ENABLE_PREFIX_DELEGATION": "false"}
    assert container.line == 1 and container.complete
    assert result.value.current is container


def test_current_and_exited_containers_with_stderr_mixed_in():
    old = ctr_info(
        "old111", IMAGE.replace("v1.18.3", "v1.16.0"), "2023-11-01T08:00:00Z", ["WARM_IP_TARGET=5"], "aws-node-aaaaa"
    )
    new = ctr_info("new222", IMAGE, "2024-01-10T20:40:01Z", ["WARM_IP_TARGET=2", "MINIMUM_IP_TARGET=10"])
    text = dump(new) + 'ctr: container "deadbeef" in namespace "k8s.io": not found\n' + dump(old)
    result = parse_container_env(text.encode(), CTR_PATH)
    assert result.status is ArtifactStatus.damaged
    [problem] = result.problems
    assert "not found" in problem.message
    assert problem.line == dump(new).count("\n") + 1
    ids = [c.container_id for c in result.value.containers]
    assert ids == ["new222", "old111"]
    assert result.value.containers[1].line == dump(new).count("\n") + 2
    assert result.value.current.container_id == "new222"
    assert result.value.current.env["MINIMUM_IP_TARGET"] == "10"


def test_only_error_text_when_no_container_matched():
    text = "ctr: must specify a container id\n"
    result = parse_container_env(text.encode(), CTR_PATH)
    assert result.status is ArtifactStatus.damaged
    assert result.value.containers == [] and result.value.current is None
    assert "must specify a container id" in result.problems[0].message


def test_docker_inspect_arrays_concatenated():
    def inspect(container_id: str, created: str, env: list[str]) -> list[dict]:
        return [
            {
                "Id": container_id,
                "Created": created,
                "Name": "/k8s_aws-node_aws-node-7xk2p_kube-system_0d1c_0",
                "State": {"Status": "running", "StartedAt": created},
                "Image": "sha256:4b1e",
                "Config": {
                    "Env": env,
                    "Image": IMAGE,
                    "Labels": {"io.kubernetes.container.name": "aws-node", "io.kubernetes.pod.name": "aws-node-7xk2p"},
                },
            }
        ]

    text = json.dumps(inspect("aaa", "2024-01-09T10:00:00.5Z", ["A=1"]), indent=4) + "\n"
    text += json.dumps(inspect("bbb", "2024-01-10T10:00:00Z", ["A=2", "PATH=/usr/bin:/bin"]), indent=4) + "\n"
    result = parse_container_env(text.encode(), DOCKER_PATH)
    assert result.status is ArtifactStatus.parsed
    assert [c.runtime for c in result.value.containers] == ["docker", "docker"]
    current = result.value.current
    assert current.container_id == "bbb"
    assert current.image == IMAGE and current.cni_version == "v1.18.3"
    assert current.env == {"A": "2", "PATH": "/usr/bin:/bin"}


def test_truncated_document_keeps_readable_part():
    text = dump(ctr_info("5f1c0a", IMAGE, "2024-01-10T20:40:01Z", ["WARM_ENI_TARGET=1"]))
    cut = text[: text.index('"Spec"')]
    result = parse_container_env(cut.encode(), CTR_PATH)
    assert result.status is ArtifactStatus.damaged
    [container] = result.value.containers
    assert not container.complete
    assert container.cni_version == "v1.18.3" and container.env == {}


def test_old_ctr_spec_as_protobuf_any():
    spec = {"ociVersion": "1.0.2", "process": {"env": ["AWS_VPC_K8S_CNI_EXTERNALSNAT=true"]}}
    doc = ctr_info("x1", IMAGE, "2021-06-01T00:00:00Z", [])
    doc["Spec"] = {
        "type_url": "types.containerd.io/opencontainers/runtime-spec/1/Spec",
        "value": base64.b64encode(json.dumps(spec).encode()).decode(),
    }
    result = parse_container_env(dump(doc).encode(), CTR_PATH)
    assert result.value.containers[0].env == {"AWS_VPC_K8S_CNI_EXTERNALSNAT": "true"}


def test_unrelated_json_is_reported():
    result = parse_container_env(b'{"hello": "world"}\n', CTR_PATH)
    assert result.status is ArtifactStatus.damaged
    assert result.value.containers == []


def test_empty():
    assert parse_container_env(b"", CTR_PATH).status is ArtifactStatus.empty


def test_cni_version_from_image_tags():
    assert cni_version_from_image(IMAGE) == "v1.18.3"
    assert cni_version_from_image("amazon-k8s-cni:v1.7.5") == "v1.7.5"
    assert cni_version_from_image("public.ecr.aws/eks/amazon-k8s-cni:v1.20.4-eksbuild.2@sha256:abcd") == "v1.20.4"
    assert cni_version_from_image("amazon-k8s-cni-init:v1.18.3") is None
    assert cni_version_from_image("amazon-k8s-cni:latest") is None
    assert cni_version_from_image(None) is None


def test_undated_containers_current_is_last():
    a = ctr_info("a", IMAGE, "0001-01-01T00:00:00Z", [])
    b = ctr_info("b", IMAGE, "not a time", [])
    result = parse_container_env(dump(a, b).encode(), CTR_PATH)
    assert result.value.current.container_id == "b"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_raise(data):
    assert isinstance(parse_container_env(data, CTR_PATH), Parsed)


_env_names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789", min_size=1, max_size=24)
_env_values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@st.composite
def containers(draw, index: int = 0):
    minor = draw(st.integers(min_value=0, max_value=25))
    patch = draw(st.integers(min_value=0, max_value=9))
    env = draw(st.dictionaries(_env_names, _env_values, max_size=8))
    created = datetime(2024, 1, 1, tzinfo=UTC).replace(day=draw(st.integers(min_value=1, max_value=28)))
    return {
        "id": draw(st.text(alphabet="0123456789abcdef", min_size=8, max_size=16)),
        "version": f"v1.{minor}.{patch}",
        "env": env,
        "created": created,
    }


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(containers(), min_size=1, max_size=4), st.booleans())
def test_generated_dumps_parse_back(items, noise):
    docs = [
        ctr_info(
            item["id"],
            f"602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:{item['version']}-eksbuild.1",
            item["created"].strftime("%Y-%m-%dT%H:%M:%S.000000001Z"),
            [f"{k}={v}" for k, v in item["env"].items()],
        )
        for item in items
    ]
    text = ("ctr: warning\n" if noise else "").join(json.dumps(doc, indent=4) + "\n" for doc in docs)
    result = parse_container_env(text.encode(), CTR_PATH)
    assert result.status is (ArtifactStatus.damaged if noise and len(items) > 1 else ArtifactStatus.parsed)
    got = result.value.containers
    assert [c.container_id for c in got] == [item["id"] for item in items]
    assert [c.cni_version for c in got] == [item["version"] for item in items]
    assert [c.env for c in got] == [item["env"] for item in items]
    assert [c.created_at for c in got] == [item["created"] for item in items]
    newest = max(item["created"] for item in items)
    assert result.value.current.created_at == newest
