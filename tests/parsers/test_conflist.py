"""CNI network configurations of every VPC CNI generation (bundle-formats §8, pitfall 41)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.models.common import ArtifactStatus, Parsed
from bundle_analyzer.parsers.conflist import effective_cni_config, is_network_config_name, parse_cni_config

PATH = "cni/10-aws.conflist"


def parse(text: str, path: str = PATH):
    return parse_cni_config(text.encode(), path)


def test_v1_0_aws_conf_single_plugin():
    result = parse('{"type":"aws-cni","name":"aws-cni","vethPrefix":"eni"}\n', "cni/aws.conf")
    assert result.status is ArtifactStatus.parsed
    config = result.value
    assert config.single_plugin and config.is_aws
    assert config.cni_version is None
    assert config.name == "aws-cni"
    [plugin] = config.plugins
    assert (plugin.type, plugin.veth_prefix, plugin.mtu, plugin.line) == ("aws-cni", "eni", None, 1)


def test_v1_2_conflist_without_cni_version():
    text = (
        '{\n  "name":"aws-cni",\n  "plugins":[\n'
        '    {"name":"aws-cni","type":"aws-cni","vethPrefix":"eni"},\n'
        '    {"type":"portmap","capabilities":{"portMappings":true},"snat":true}\n  ]\n}\n'
    )
    result = parse(text)
    assert result.status is ArtifactStatus.parsed
    config = result.value
    assert config.cni_version is None and not config.single_plugin and config.is_aws
    assert config.plugin_types == ["aws-cni", "portmap"]
    assert [p.line for p in config.plugins] == [4, 5]
    assert config.plugins[1].raw["capabilities"] == {"portMappings": True}
    assert config.aws_plugin is config.plugins[0]
    assert config.egress_plugin is None


def test_v1_6_0_string_mtu_and_cni_version():
    text = (
        '{"cniVersion": "0.3.1", "name": "aws-cni", "plugins": ['
        '{"name": "aws-cni", "type": "aws-cni", "vethPrefix": "eni", "mtu": "9001"},'
        '{"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}]}'
    )
    config = parse(text).value
    assert config.cni_version == "0.3.1"
    assert config.aws_plugin.mtu == 9001


def test_v1_6_1_plugin_log_settings():
    text = (
        '{"cniVersion": "0.3.1", "name": "aws-cni", "plugins": [{"name": "aws-cni", "type": "aws-cni", '
        '"vethPrefix": "eni", "mtu": "9001", "pluginLogFile": "/var/log/aws-routed-eni/plugin.log", '
        '"pluginLogLevel": "Debug"}]}'
    )
    plugin = parse(text).value.aws_plugin
    assert plugin.plugin_log_file == "/var/log/aws-routed-eni/plugin.log"
    assert plugin.plugin_log_level == "Debug"


V1_10 = """{
  "cniVersion": "0.3.1",
  "name": "aws-cni",
  "plugins": [
    {
      "name": "aws-cni",
      "type": "aws-cni",
      "vethPrefix": "eni",
      "mtu": "9001",
      "pluginLogFile": "/var/log/aws-routed-eni/plugin.log",
      "pluginLogLevel": "DEBUG"
    },
    {
      "name": "egress-v4-cni",
      "type": "egress-v4-cni",
      "mtu": 9001,
      "enabled": "false",
      "nodeIP": "",
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "169.254.172.0/22"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": "/run/cni/v6pd/egress-v4-ipam"
      },
      "pluginLogFile": "/var/log/aws-routed-eni/egress-v4-plugin.log",
      "pluginLogLevel": "DEBUG"
    },
    {
      "type": "portmap",
      "capabilities": {"portMappings": true},
      "snat": true
    }
  ]
}
"""


def test_v1_10_egress_v4_numeric_mtu_and_string_enabled():
    result = parse(V1_10)
    assert result.status is ArtifactStatus.parsed
    config = result.value
    egress = config.egress_plugin
    assert egress.type == "egress-v4-cni"
    assert egress.mtu == 9001  # a JSON number here
    assert egress.enabled is False  # the string "false"
    assert egress.raw["ipam"]["dataDir"] == "/run/cni/v6pd/egress-v4-ipam"
    assert [p.line for p in config.plugins] == [5, 13, 28]


def test_v1_11_disable_check_pod_sg_mode_randomize_snat():
    text = (
        '{"cniVersion": "0.4.0", "name": "aws-cni", "disableCheck": true, "plugins": ['
        '{"name": "aws-cni", "type": "aws-cni", "vethPrefix": "eni", "mtu": "9001", '
        '"podSGEnforcingMode": "standard", "pluginLogFile": "/var/log/aws-routed-eni/plugin.log", '
        '"pluginLogLevel": "DEBUG"},'
        '{"name": "egress-v4-cni", "type": "egress-v4-cni", "mtu": 9001, "enabled": "true", '
        '"randomizeSNAT": "prng", "nodeIP": "10.0.40.10"}]}'
    )
    config = parse(text).value
    assert config.cni_version == "0.4.0" and config.disable_check is True
    assert config.aws_plugin.pod_sg_enforcing_mode == "standard"
    assert config.egress_plugin.enabled is True
    assert config.egress_plugin.raw["randomizeSNAT"] == "prng"


V1_18 = """{
  "cniVersion": "0.4.0",
  "name": "aws-cni",
  "disableCheck": true,
  "plugins": [
    {"name": "aws-cni", "type": "aws-cni", "vethPrefix": "eni", "mtu": "9001",
     "podSGEnforcingMode": "strict", "pluginLogFile": "/var/log/aws-routed-eni/plugin.log", "pluginLogLevel": "DEBUG"},
    {"name": "egress-cni", "type": "egress-cni", "mtu": "9001", "enabled": "false", "randomizeSNAT": "prng", "nodeIP": "",
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "fd00::ac:00/118"}]], "routes": [{"dst": "::/0"}],
              "dataDir": "/run/cni/v4pd/egress-v6-ipam"},
     "pluginLogFile": "/var/log/aws-routed-eni/egress-v6-plugin.log", "pluginLogLevel": "DEBUG"},
    {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}
  ]
}
"""


def test_v1_13_to_v1_18_egress_cni_string_mtu():
    result = parse(V1_18)
    assert result.status is ArtifactStatus.parsed
    config = result.value
    assert config.plugin_types == ["aws-cni", "egress-cni", "portmap"]
    assert config.aws_plugin.pod_sg_enforcing_mode == "strict"
    assert config.egress_plugin.mtu == 9001 and config.egress_plugin.enabled is False
    assert config.egress_plugin.plugin_log_file.endswith("egress-v6-plugin.log")
    assert [p.line for p in config.plugins] == [6, 8, 12]


def test_v1_16_0_cni_version_1_0_0():
    text = V1_18.replace('"0.4.0"', '"1.0.0"')
    assert parse(text).value.cni_version == "1.0.0"


def test_bandwidth_plugin_remarshalled_key_order():
    # ENABLE_BANDWIDTH_PLUGIN: json.MarshalIndent in Go struct order, empty fields dropped.
    text = """{
  "cniVersion": "0.4.0",
  "name": "aws-cni",
  "disableCheck": true,
  "plugins": [
    {
      "mtu": "9001",
      "name": "aws-cni",
      "pluginLogFile": "/var/log/aws-routed-eni/plugin.log",
      "pluginLogLevel": "DEBUG",
      "podSGEnforcingMode": "strict",
      "type": "aws-cni",
      "vethPrefix": "eni"
    },
    {
      "enabled": "false",
      "mtu": "9001",
      "name": "egress-cni",
      "type": "egress-cni"
    },
    {
      "capabilities": {
        "portMappings": true
      },
      "snat": true,
      "type": "portmap"
    },
    {
      "capabilities": {
        "bandwidth": true
      },
      "type": "bandwidth"
    }
  ]
}"""
    config = parse(text).value
    assert config.plugin_types == ["aws-cni", "egress-cni", "portmap", "bandwidth"]
    assert config.aws_plugin.veth_prefix == "eni" and config.aws_plugin.mtu == 9001
    assert config.plugins[3].raw["capabilities"] == {"bandwidth": True}
    assert [p.line for p in config.plugins] == [6, 15, 21, 28]


def test_tuning_plugin_for_disable_pod_v6():
    text = (
        '{"cniVersion":"0.4.0","name":"aws-cni","plugins":[{"name":"aws-cni","type":"aws-cni","vethPrefix":"eni"},'
        '{"type":"tuning","sysctl":{"net.ipv6.conf.all.disable_ipv6":"1","net.ipv6.conf.default.disable_ipv6":"1",'
        '"net.ipv6.conf.lo.disable_ipv6":"1"}}]}'
    )
    config = parse(text).value
    assert config.plugins[1].type == "tuning"
    assert config.plugins[1].raw["sysctl"]["net.ipv6.conf.lo.disable_ipv6"] == "1"


def test_unknown_keys_are_kept_and_tolerated():
    text = (
        '{"cniVersion":"0.4.0","name":"aws-cni","futureKey":{"x":1},"plugins":[{"name":"aws-cni","type":"aws-cni",'
        '"vethPrefix":"eni","vethPeerNamespace":"host","capabilities":{"io.kubernetes.cri.pod-annotations":true}}]}'
    )
    result = parse(text)
    assert result.status is ArtifactStatus.parsed
    assert result.value.aws_plugin.raw["vethPeerNamespace"] == "host"


def test_multus_conf_is_read_generically():
    text = """{
  "cniVersion": "0.3.1",
  "name": "multus-cni-network",
  "type": "multus",
  "kubeconfig": "/etc/cni/net.d/multus.d/multus.kubeconfig",
  "delegates": [
    {"cniVersion": "0.4.0", "name": "aws-cni", "plugins": [{"name": "aws-cni", "type": "aws-cni"}]}
  ]
}"""
    result = parse(text, "cni/00-multus.conf")
    assert result.status is ArtifactStatus.parsed
    config = result.value
    assert config.single_plugin and not config.is_aws
    assert config.plugins[0].type == "multus"
    assert config.plugins[0].raw["delegates"][0]["name"] == "aws-cni"


def test_calico_conflist_is_not_aws():
    text = (
        '{"name":"k8s-pod-network","cniVersion":"0.3.1","plugins":[{"type":"calico","mtu":0,'
        '"ipam":{"type":"calico-ipam"}},{"type":"bandwidth","capabilities":{"bandwidth":true}},'
        '{"type":"portmap","snat":true,"capabilities":{"portMappings":true}}]}'
    )
    config = parse(text, "cni/10-calico.conflist").value
    assert not config.is_aws
    assert config.plugins[0].mtu == 0
    assert config.aws_plugin is None


def test_empty_file():
    assert parse("  \n").status is ArtifactStatus.empty


def test_not_json_is_damaged():
    result = parse("Not Found")
    assert result.status is ArtifactStatus.damaged and result.value is None
    assert "Not Found" in result.problems[0].message


def test_truncated_keeps_what_was_read():
    text = V1_18[: V1_18.index('"egress-cni"') + 20]
    result = parse(text)
    assert result.status is ArtifactStatus.damaged
    assert result.value.aws_plugin.pod_sg_enforcing_mode == "strict"
    assert any("truncated" in p.message for p in result.problems)


def test_placeholder_and_odd_values_are_reported():
    text = '{"name":"aws-cni","plugins":[{"type":"aws-cni","mtu":"__MTU__"},{"type":"egress-cni","enabled":"maybe"}]}'
    result = parse(text)
    assert result.status is ArtifactStatus.damaged
    assert result.value.plugins[0].mtu is None and result.value.plugins[1].enabled is None
    assert {p.message.split()[0] for p in result.problems} == {"mtu", "enabled"}


def test_wrong_shapes():
    assert parse("[1, 2]").value is None
    result = parse('{"name":"x","plugins":{"type":"aws-cni"}}')
    assert result.status is ArtifactStatus.damaged and result.value.plugins == []
    result = parse('{"name":"x"}')
    assert result.status is ArtifactStatus.damaged
    result = parse('{"name":"x","plugins":["aws-cni", {"type":"aws-cni"}]}')
    assert result.value.is_aws and len(result.value.plugins) == 1


def test_two_documents_runtime_would_reject():
    result = parse('{"type":"aws-cni"}\n{"type":"portmap"}\n')
    assert result.status is ArtifactStatus.damaged
    assert result.value.plugins[0].type == "aws-cni"
    assert result.problems[0].line == 2


def test_effective_config_is_lexicographically_first():
    paths = [
        "cni/10-aws.conflist",
        "cni/cni-configuration-variables-containerd.json",
        "cni/multus.d/00-anything.conf",
        "cni/05-cilium.conflist.bak",
        "cni/aws.conf",
    ]
    assert effective_cni_config(paths) == "cni/10-aws.conflist"
    assert effective_cni_config([*paths, "cni/00-multus.conf"]) == "cni/00-multus.conf"
    assert effective_cni_config(["cni/cni-configuration-variables-dockerd.txt", "cni/multus.d/x.kubeconfig"]) is None
    assert effective_cni_config([]) is None
    assert effective_cni_config(["10-aws.conflist", "09-x.json"]) == "09-x.json"
    # byte order: upper case sorts before lower case, digits before letters
    assert effective_cni_config(["cni/aws.conf", "cni/Zeta.conf", "cni/99-last.conf"]) == "cni/99-last.conf"
    assert is_network_config_name("x/10-aws.conflist") and not is_network_config_name("x/10-aws.conflist.tmp")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_raise(data):
    result = parse_cni_config(data, PATH)
    assert isinstance(result, Parsed)


_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=20)


@st.composite
def plugins(draw):
    plugin = {
        "type": draw(st.sampled_from(["aws-cni", "egress-cni", "egress-v4-cni", "portmap", "bandwidth", "calico"]))
    }
    expected = {"type": plugin["type"], "mtu": None, "enabled": None, "name": None, "veth_prefix": None}
    if draw(st.booleans()):
        plugin["name"] = expected["name"] = draw(_names)
    if draw(st.booleans()):
        mtu = draw(st.integers(min_value=0, max_value=65535))
        plugin["mtu"] = draw(st.sampled_from([mtu, str(mtu)]))
        expected["mtu"] = mtu
    if draw(st.booleans()):
        enabled = draw(st.booleans())
        plugin["enabled"] = draw(st.sampled_from([enabled, str(enabled).lower()]))
        expected["enabled"] = enabled
    if draw(st.booleans()):
        plugin["vethPrefix"] = expected["veth_prefix"] = draw(_names)
    if draw(st.booleans()):
        plugin["someFutureKey"] = draw(st.dictionaries(_names, st.integers(), max_size=3))
    return plugin, expected


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(plugins(), min_size=1, max_size=5),
    st.one_of(st.none(), st.sampled_from(["0.3.1", "0.4.0", "1.0.0"])),
    st.sampled_from([None, 1, 2, 4]),
)
def test_generated_configs_parse_back(entries, version, indent):
    document = {"name": "aws-cni", "plugins": [plugin for plugin, _ in entries]}
    if version is not None:
        document["cniVersion"] = version
    result = parse(json.dumps(document, indent=indent))
    assert result.status is ArtifactStatus.parsed
    config = result.value
    assert config.cni_version == version
    assert config.is_aws == any(plugin["type"] == "aws-cni" for plugin, _ in entries)
    got = [
        {"type": p.type, "mtu": p.mtu, "enabled": p.enabled, "name": p.name, "veth_prefix": p.veth_prefix}
        for p in config.plugins
    ]
    assert got == [expected for _, expected in entries]
    if indent is not None:
        lines = json.dumps(document, indent=indent).splitlines()
        for plugin in config.plugins:
            assert lines[plugin.line - 1].strip() == "{"
