"""/v1/networkutils-env-settings and /v1/ipamd-env-settings: typed values across versions."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.models.common import ArtifactStatus, Parsed
from bundle_analyzer.parsers.env_settings import parse_ipamd_env, parse_networkutils_env

NU_PATH = "ipamd/networkutils-env-settings.json"
IPAMD_PATH = "ipamd/ipamd-env-settings.json"

NU_V1_17 = '{"AWS_EXTERNAL_SERVICE_CIDRS":null,"AWS_VPC_CNI_NODE_PORT_SUPPORT":true,"AWS_VPC_ENI_MTU":9001,"AWS_VPC_K8S_CNI_CONNMARK":128,"AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS":["172.16.0.0/12"],"AWS_VPC_K8S_CNI_EXTERNALSNAT":false,"AWS_VPC_K8S_CNI_RANDOMIZESNAT":2,"AWS_VPC_K8S_CNI_VETHPREFIX":"eni"}'
NU_V1_2 = '{"AWS_VPC_CNI_NODE_PORT_SUPPORT":true,"AWS_VPC_K8S_CNI_CONNMARK":128,"AWS_VPC_K8S_CNI_EXTERNALSNAT":true}'
NU_V1_6_3 = '{"AWS_VPC_CNI_NODE_PORT_SUPPORT":false,"AWS_VPC_ENI_MTU":1500,"AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER":true,"AWS_VPC_K8S_CNI_CONNMARK":512,"AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS":null,"AWS_VPC_K8S_CNI_EXTERNALSNAT":true,"AWS_VPC_K8S_CNI_RANDOMIZESNAT":1}'
IPAMD_V1_18 = '{"AWS_MANAGE_ENIS_NON_SCHEDULABLE":false,"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG":false,"ENABLE_SUBNET_DISCOVERY":true,"WARM_ENI_TARGET":1,"WARM_IP_TARGET":0}'
IPAMD_V1_2 = '{"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG":true,"WARM_ENI_TARGET":0,"WARM_IP_TARGET":5}'


def test_networkutils_v1_17() -> None:
    result = parse_networkutils_env(NU_V1_17.encode(), NU_PATH)
    assert result.status == ArtifactStatus.parsed
    env = result.value
    assert (env.external_snat, env.node_port_support, env.connmark, env.randomize_snat) == (False, True, 128, "prng")
    assert env.exclude_snat_cidrs == ["172.16.0.0/12"] and env.external_service_cidrs is None
    assert (env.eni_mtu, env.veth_prefix, env.configure_rpfilter) == (9001, "eni", None)
    assert env.min_cni_version == "v1.12.6" and env.max_cni_version is None
    assert env.raw["AWS_VPC_K8S_CNI_CONNMARK"] == 128 and "AWS_EXTERNAL_SERVICE_CIDRS" in env.raw


def test_networkutils_v1_2_and_v1_6_3() -> None:
    old = parse_networkutils_env(NU_V1_2.encode(), NU_PATH).value
    assert old.external_snat is True and old.randomize_snat is None and old.min_cni_version == "v1.2.0"
    mid = parse_networkutils_env(NU_V1_6_3.encode(), NU_PATH).value
    assert (mid.randomize_snat, mid.connmark, mid.eni_mtu, mid.configure_rpfilter) == ("hashrandom", 512, 1500, True)
    assert mid.exclude_snat_cidrs is None
    assert (mid.min_cni_version, mid.max_cni_version) == ("v1.6.3", "v1.12.0")


def test_randomize_snat_zero_and_out_of_range() -> None:
    assert parse_networkutils_env(b'{"AWS_VPC_K8S_CNI_RANDOMIZESNAT":0}', NU_PATH).value.randomize_snat == "none"
    bad = parse_networkutils_env(b'{"AWS_VPC_K8S_CNI_RANDOMIZESNAT":7,"AWS_VPC_K8S_CNI_EXTERNALSNAT":"yes"}', NU_PATH)
    assert bad.status == ArtifactStatus.damaged and bad.value.randomize_snat is None and bad.value.external_snat is None
    assert len(bad.problems) == 2


def test_ipamd_env() -> None:
    new = parse_ipamd_env(IPAMD_V1_18.encode(), IPAMD_PATH).value
    assert (new.warm_eni_target, new.warm_ip_target, new.custom_network_cfg) == (1, 0, False)
    assert (new.manage_enis_non_schedulable, new.enable_subnet_discovery, new.min_cni_version) == (False, True, "v1.18.0")
    old = parse_ipamd_env(IPAMD_V1_2.encode(), IPAMD_PATH).value
    assert (old.warm_eni_target, old.warm_ip_target, old.custom_network_cfg, old.enable_subnet_discovery) == (0, 5, True, None)
    assert old.min_cni_version == "v1.2.0"


def test_empty_error_root_and_concatenated() -> None:
    assert parse_ipamd_env(b"", IPAMD_PATH).status == ArtifactStatus.empty
    assert parse_networkutils_env(b"\n", NU_PATH).status == ArtifactStatus.empty
    for parse, path in ((parse_ipamd_env, IPAMD_PATH), (parse_networkutils_env, NU_PATH)):
        not_found = parse(b"Not Found\n", path)
        assert not_found.status == ArtifactStatus.damaged and not_found.value is None
        root = parse(b'{"AvailableCommands":["/v1/enis"]}', path)
        assert root.value is None and "root document" in root.problems[0].message
    doubled = parse_ipamd_env((IPAMD_V1_2 + IPAMD_V1_18).encode(), IPAMD_PATH)
    assert doubled.status == ArtifactStatus.damaged and doubled.value.enable_subnet_discovery is True


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    assert isinstance(parse_networkutils_env(data, NU_PATH), Parsed)
    assert isinstance(parse_ipamd_env(data, IPAMD_PATH), Parsed)


_cidrs = st.none() | st.lists(st.from_regex(r"10\.[0-9]{1,3}\.0\.0/16", fullmatch=True), max_size=3)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.booleans(), st.booleans(), st.integers(0, 2**32 - 1), st.sampled_from([0, 1, 2]), _cidrs, st.integers(576, 9001), _cidrs)
def test_generated_networkutils_parse_back(snat, node_port, connmark, randomize, exclude, mtu, external) -> None:
    doc = {
        "AWS_VPC_K8S_CNI_EXTERNALSNAT": snat,
        "AWS_VPC_CNI_NODE_PORT_SUPPORT": node_port,
        "AWS_VPC_K8S_CNI_CONNMARK": connmark,
        "AWS_VPC_K8S_CNI_RANDOMIZESNAT": randomize,
        "AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS": exclude,
        "AWS_VPC_ENI_MTU": mtu,
        "AWS_EXTERNAL_SERVICE_CIDRS": external,
    }
    env = parse_networkutils_env(json.dumps(doc, sort_keys=True).encode(), NU_PATH).value
    assert (env.external_snat, env.node_port_support, env.connmark, env.eni_mtu) == (snat, node_port, connmark, mtu)
    assert env.randomize_snat == ["none", "hashrandom", "prng"][randomize]
    assert (env.exclude_snat_cidrs, env.external_service_cidrs) == (exclude, external)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(0, 50), st.integers(0, 50), st.booleans(), st.booleans(), st.booleans())
def test_generated_ipamd_env_parse_back(warm_eni, warm_ip, custom, manage, discovery) -> None:
    doc = {
        "WARM_ENI_TARGET": warm_eni,
        "WARM_IP_TARGET": warm_ip,
        "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": custom,
        "AWS_MANAGE_ENIS_NON_SCHEDULABLE": manage,
        "ENABLE_SUBNET_DISCOVERY": discovery,
    }
    env = parse_ipamd_env(json.dumps(doc).encode(), IPAMD_PATH).value
    assert (env.warm_eni_target, env.warm_ip_target, env.custom_network_cfg) == (warm_eni, warm_ip, custom)
    assert (env.manage_enis_non_schedulable, env.enable_subnet_discovery) == (manage, discovery)
