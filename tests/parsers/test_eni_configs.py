"""/v1/eni-configs: the three generations and the error bodies."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.models.common import ArtifactStatus, Parsed
from bundle_analyzer.parsers.eni_configs import parse_eni_configs

PATH = "ipamd/eni-configs.json"

GEN_A = '{"ENI":{"us-west-2a":{"securityGroups":["sg-0123456789abcdef0"],"subnet":"subnet-0aaaabbbbccccdddd"},"us-west-2b":{"securityGroups":["sg-0123456789abcdef0","sg-0fedcba9876543210"],"subnet":"subnet-0eeeeffff00001111"}},"MyENI":"us-west-2a"}'
GEN_B = '{"ENI":{"us-west-2a":{"securityGroups":["sg-0123456789abcdef0"],"subnet":"subnet-0aaaabbbbccccdddd"}},"MyENI":"us-west-2a","EniConfigAnnotationDef":"k8s.amazonaws.com/eniConfig","EniConfigLabelDef":"k8s.amazonaws.com/eniConfig"}'


def test_gen_a_v1_2_to_v1_3() -> None:
    result = parse_eni_configs(GEN_A.encode(), PATH)
    assert result.status == ArtifactStatus.parsed
    dump = result.value
    assert dump.generation == "A" and (dump.min_cni_version, dump.max_cni_version) == ("v1.2.0", "v1.3.x")
    assert dump.node_config_name == "us-west-2a"
    assert [(c.name, c.subnet, c.security_groups) for c in dump.configs] == [
        ("us-west-2a", "subnet-0aaaabbbbccccdddd", ["sg-0123456789abcdef0"]),
        ("us-west-2b", "subnet-0eeeeffff00001111", ["sg-0123456789abcdef0", "sg-0fedcba9876543210"]),
    ]
    assert dump.annotation_def is None


def test_gen_b_v1_4_to_v1_7_with_definitions() -> None:
    dump = parse_eni_configs(GEN_B.encode(), PATH).value
    assert dump.generation == "B" and (dump.min_cni_version, dump.max_cni_version) == ("v1.4.0", "v1.7.x")
    assert dump.annotation_def == "k8s.amazonaws.com/eniConfig" == dump.label_def


def test_gen_c_bare_string() -> None:
    for body, name in ((b'"us-west-2a"', "us-west-2a"), (b'"default"', "default")):
        result = parse_eni_configs(body, PATH)
        assert result.status == ArtifactStatus.parsed
        assert (result.value.generation, result.value.node_config_name, result.value.min_cni_version) == ("C", name, "v1.8.0")


def test_http_error_bodies_are_damage_with_the_body() -> None:
    for body in (b"Not Found\n", b"Internal Server Error\n"):
        result = parse_eni_configs(body, PATH)
        assert result.status == ArtifactStatus.damaged and result.value is None
        assert result.problems[0].message.endswith(body.decode().strip())


def test_empty_nil_map_and_wrong_shapes() -> None:
    assert parse_eni_configs(b"", PATH).status == ArtifactStatus.empty
    nil_map = parse_eni_configs(b'{"ENI":null,"MyENI":""}', PATH)
    assert nil_map.status == ArtifactStatus.parsed and nil_map.value.configs == [] and nil_map.value.node_config_name is None
    assert parse_eni_configs(b"[1]", PATH).status == ArtifactStatus.damaged
    assert parse_eni_configs(b'{"AvailableCommands":[]}', PATH).value is None
    cut = parse_eni_configs(GEN_B[:60].encode(), PATH)
    assert cut.status == ArtifactStatus.damaged and cut.value.generation is None and cut.value.configs[0].name == "us-west-2a"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    assert isinstance(parse_eni_configs(data, PATH), Parsed)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.dictionaries(
        st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True),
        st.tuples(st.lists(st.from_regex(r"sg-[0-9a-f]{8}", fullmatch=True), max_size=3), st.from_regex(r"subnet-[0-9a-f]{8}", fullmatch=True)),
        max_size=4,
    ),
    st.text(max_size=10),
    st.booleans(),
)
def test_generated_documents_parse_back(configs: dict, my_eni: str, with_defs: bool) -> None:
    doc: dict = {"ENI": {name: {"securityGroups": sgs, "subnet": subnet} for name, (sgs, subnet) in configs.items()}, "MyENI": my_eni}
    if with_defs:
        doc |= {"EniConfigAnnotationDef": "a/b", "EniConfigLabelDef": "c/d"}
    dump = parse_eni_configs(json.dumps(doc).encode(), PATH).value
    assert dump.generation == ("B" if with_defs else "A")
    assert dump.node_config_name == (my_eni or None)
    assert {c.name: (c.security_groups, c.subnet) for c in dump.configs} == {k: (list(v[0]), v[1]) for k, v in configs.items()}
    assert parse_eni_configs(json.dumps(my_eni).encode(), PATH).value.node_config_name == my_eni
