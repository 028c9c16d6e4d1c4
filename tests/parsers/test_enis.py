"""/v1/enis: every schema generation (A1 … F and the F sub-variants), the 2018 seed, damage cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.models.common import ArtifactStatus, Parsed
from bundle_analyzer.parsers.enis import decode_ipnet, parse_enis

PATH = "ipamd/enis.json"

SEED_2018 = """\
{
    "AssignedIPs": 3,
    "ENIIPPools": {
        "eni-001197a0eeab79df8": {
            "AssignedIPv4Addresses": 1,
            "DeviceNumber": 0,
            "ID": "eni-001197a0eeab79df8",
            "IPv4Addresses": {
                "192.168.141.2": {
                    "Assigned": true
                },
                "192.168.145.92": {
                    "Assigned": false
                },
                "192.168.155.88": {
                    "Assigned": false
                },
                "192.168.160.34": {
                    "Assigned": false
                },
                "192.168.172.159": {
                    "Assigned": false
                }
            },
            "IsPrimary": true
        },
        "eni-0d7778f429dda454f": {
            "AssignedIPv4Addresses": 2,
            "DeviceNumber": 3,
            "ID": "eni-0d7778f429dda454f",
            "IPv4Addresses": {
                "192.168.130.206": {
                    "Assigned": true
                },
                "192.168.143.101": {
                    "Assigned": false
                },
                "192.168.157.205": {
                    "Assigned": true
                },
                "192.168.161.148": {
                    "Assigned": false
                },
                "192.168.164.163": {
                    "Assigned": false
                }
            },
            "IsPrimary": false
        }
    },
    "TotalIPs": 10
}
"""

GEN_A1 = (
    '{"TotalIPs":10,"AssignedIPs":3,"ENIIPPools":{"eni-0aaa1111bbbb2222c":{"IsPrimary":true,"ID":"eni-0aaa1111bbbb2222c",'
    '"DeviceNumber":0,"AssignedIPv4Addresses":2,"IPv4Addresses":{"10.0.12.50":{"Assigned":true},"10.0.12.51":{"Assigned":true},'
    '"10.0.12.52":{"Assigned":false}}},"eni-0ddd3333eeee4444f":{"IsPrimary":false,"ID":"eni-0ddd3333eeee4444f","DeviceNumber":2,'
    '"AssignedIPv4Addresses":1,"IPv4Addresses":{"10.0.41.7":{"Assigned":true},"10.0.41.8":{"Assigned":false}}}}}'
)

GEN_A2 = (
    '{"TotalIPs":4,"AssignedIPs":1,"ENIIPPools":{"eni-0aaa1111bbbb2222c":{"IsPrimary":true,"ID":"eni-0aaa1111bbbb2222c",'
    '"DeviceNumber":0,"AssignedIPv4Addresses":1,"IPv4Addresses":{"10.0.12.50":{"Address":"10.0.12.50","Assigned":true,'
    '"UnassignedTime":"0001-01-01T00:00:00Z"},"10.0.12.51":{"Address":"10.0.12.51","Assigned":false,'
    '"UnassignedTime":"2019-11-05T10:21:33.123456789Z"}}},"eni-0ddd3333eeee4444f":{"IsPrimary":false,"ID":"eni-0ddd3333eeee4444f",'
    '"DeviceNumber":2,"AssignedIPv4Addresses":0,"IPv4Addresses":{"10.0.41.7":{"Address":"10.0.41.7","Assigned":false,'
    '"UnassignedTime":"0001-01-01T00:00:00Z"},"10.0.41.8":{"Address":"10.0.41.8","Assigned":false,'
    '"UnassignedTime":"0001-01-01T00:00:00Z"}}}}}'
)

GEN_B = (
    '{"TotalIPs":6,"AssignedIPs":2,"ENIs":{"eni-0aaa1111bbbb2222c":{"ID":"eni-0aaa1111bbbb2222c","IsPrimary":true,"IsTrunk":false,'
    '"IsEFA":false,"DeviceNumber":0,"IPv4Addresses":{"10.0.12.50":{"IPAMKey":{"networkName":"aws-cni","containerID":"5f0c4d2ab1e6",'
    '"ifName":"eth0"},"Address":"10.0.12.50","UnassignedTime":"0001-01-01T00:00:00Z"},"10.0.12.51":{"IPAMKey":'
    '{"networkName":"_migrated-from-cri","containerID":"77aa0c1d","ifName":"unknown"},"Address":"10.0.12.51",'
    '"UnassignedTime":"0001-01-01T00:00:00Z"},"10.0.12.52":{"IPAMKey":{"networkName":"","containerID":"","ifName":""},'
    '"Address":"10.0.12.52","UnassignedTime":"2020-09-01T10:00:03.512345678Z"}}},"eni-0bbb5555cccc6666d":{"ID":"eni-0bbb5555cccc6666d",'
    '"IsPrimary":false,"IsTrunk":true,"IsEFA":false,"DeviceNumber":1,"IPv4Addresses":{"10.0.12.90":{"IPAMKey":{"networkName":"",'
    '"containerID":"","ifName":""},"Address":"10.0.12.90","UnassignedTime":"0001-01-01T00:00:00Z"}}}}}'
)

GEN_B_BEFORE_EFA = (
    '{"TotalIPs":1,"AssignedIPs":0,"ENIs":{"eni-0bbb5555cccc6666d":{"ID":"eni-0bbb5555cccc6666d","IsPrimary":false,"IsTrunk":false,'
    '"DeviceNumber":2,"IPv4Addresses":{"10.0.12.91":{"IPAMKey":{"networkName":"","containerID":"","ifName":""},'
    '"Address":"10.0.12.91","UnassignedTime":"0001-01-01T00:00:00Z"}}}}}'
)

GEN_C = (
    '{"TotalIPs":16,"AssignedIPs":1,"ENIs":{"eni-0aaa1111bbbb2222c":{"ID":"eni-0aaa1111bbbb2222c","IsPrimary":true,"IsTrunk":false,'
    '"IsEFA":false,"DeviceNumber":0,"AvailableIPv4Cidrs":{"10.0.12.64/28":{"Cidr":{"IP":"10.0.12.64","Mask":"////8A=="},'
    '"IPv4Addresses":{"10.0.12.70":{"IPAMKey":{"networkName":"aws-cni","containerID":"c0ffee01","ifName":"eth0"},'
    '"Address":"10.0.12.70","UnassignedTime":"0001-01-01T00:00:00Z"}},"IsPrefix":true}}}}}'
)

GEN_D_IPV6 = (
    '{"TotalIPs":1,"AssignedIPs":1,"ENIs":{"eni-0aaa1111bbbb2222c":{"ID":"eni-0aaa1111bbbb2222c","IsPrimary":true,"IsTrunk":false,'
    '"IsEFA":false,"DeviceNumber":0,"AvailableIPv4Cidrs":{},"IPv6Cidrs":{"2600:1f13:abc:de01:c01a::/80":{"Cidr":'
    '{"IP":"2600:1f13:abc:de01:c01a::","Mask":"/////////////wAAAAAAAA=="},"IPAddresses":{"2600:1f13:abc:de01:c01a::1":'
    '{"IPAMKey":{"networkName":"aws-cni","containerID":"d00d","ifName":"eth0"},"Address":"2600:1f13:abc:de01:c01a::1",'
    '"UnassignedTime":"0001-01-01T00:00:00Z"}},"IsPrefix":true,"AddressFamily":""}}}}}'
)

GEN_E = (
    '{"TotalIPs":9,"AssignedIPs":1,"ENIs":{"eni-0aaa1111bbbb2222c":{"ID":"eni-0aaa1111bbbb2222c","IsPrimary":true,"IsTrunk":false,'
    '"IsEFA":false,"DeviceNumber":0,"AvailableIPv4Cidrs":{"10.0.12.50/32":{"Cidr":{"IP":"10.0.12.50","Mask":"/////w=="},'
    '"IPAddresses":{"10.0.12.50":{"Address":"10.0.12.50","IPAMKey":{"networkName":"aws-cni","containerID":"5f0c4d2ab1e6",'
    '"ifName":"eth0"},"IPAMMetadata":{"k8sPodNamespace":"default","k8sPodName":"web-7d4b9c-x2x9q"},'
    '"AssignedTime":"2024-01-10T20:41:12.004551233Z","UnassignedTime":"0001-01-01T00:00:00Z"}},"IsPrefix":false,'
    '"AddressFamily":""},"10.0.12.52/32":{"Cidr":{"IP":"10.0.12.52","Mask":"/////w=="},"IPAddresses":{},"IsPrefix":false,'
    '"AddressFamily":""}},"IPv6Cidrs":{}}}}'
)


def _gen_f(eni_extra: str, ipam_key: str, metadata: str = '{"k8sPodNamespace":"kube-system","k8sPodName":"coredns-5d8f7c9b6-4k2lp"}') -> str:
    return (
        '{"0":{"TotalIPs":32,"AssignedIPs":2,"ENIs":{"eni-0aaa1111bbbb2222c":{"ID":"eni-0aaa1111bbbb2222c","IsPrimary":true,'
        '"IsTrunk":false,"IsEFA":false,"DeviceNumber":0,"AvailableIPv4Cidrs":{"10.0.12.64/28":{"Cidr":{"IP":"10.0.12.64",'
        '"Mask":"////8A=="},"IPAddresses":{"10.0.12.65":{"Address":"10.0.12.65","IPAMKey":' + ipam_key + ','
        '"IPAMMetadata":' + metadata + ',"AssignedTime":"2026-02-20T08:00:01.5Z",'
        '"UnassignedTime":"0001-01-01T00:00:00Z"},"10.0.12.66":{"Address":"10.0.12.66","IPAMKey":{"networkName":"",'
        '"containerID":"","ifName":""},"IPAMMetadata":{},"AssignedTime":"2026-02-20T08:00:02Z",'
        '"UnassignedTime":"2026-02-20T09:13:44.1Z"}},"IsPrefix":true,"AddressFamily":""}},"IPv6Cidrs":{}' + eni_extra + "}}}}"
    )


FULL_KEY = '{"networkName":"aws-cni","containerID":"9a3e5c77","ifName":"eth0"}'
BLANK_KEY = '{"networkName":"aws-cni","containerID":"","ifName":""}'
GEN_F_1_20_0 = _gen_f("", FULL_KEY, '{"k8sPodNamespace":"kube-system","k8sPodName":"coredns-5d8f7c9b6-4k2lp","interfacesCount":1}')
GEN_F_1_20_3 = _gen_f(',"RouteTableID":254', FULL_KEY)
GEN_F_1_22 = _gen_f(',"IsExcludedForPodIPs":false,"RouteTableID":254,"SubnetID":"subnet-0123456789abcdef0"', FULL_KEY)
GEN_F_1_23 = _gen_f(',"IsExcludedForPodIPs":false,"RouteTableID":254,"SubnetID":"subnet-0123456789abcdef0"', BLANK_KEY)

GEN_F_MULTI_CARD = (
    '{"0":{"TotalIPs":1,"AssignedIPs":0,"ENIs":{"eni-0aaa1111bbbb2222c":{"ID":"eni-0aaa1111bbbb2222c","IsPrimary":true,'
    '"IsTrunk":false,"IsEFA":false,"DeviceNumber":0,"AvailableIPv4Cidrs":{"10.0.12.50/32":{"Cidr":{"IP":"10.0.12.50",'
    '"Mask":"/////w=="},"IPAddresses":{},"IsPrefix":false,"AddressFamily":""}},"IPv6Cidrs":{},"IsExcludedForPodIPs":false,'
    '"RouteTableID":254,"SubnetID":"subnet-0123456789abcdef0"}}},"1":{"TotalIPs":1,"AssignedIPs":1,"ENIs":'
    '{"eni-0fff7777aaaa8888b":{"ID":"eni-0fff7777aaaa8888b","IsPrimary":false,"IsTrunk":false,"IsEFA":true,"DeviceNumber":1,'
    '"AvailableIPv4Cidrs":{"10.0.99.10/32":{"Cidr":{"IP":"10.0.99.10","Mask":"/////w=="},"IPAddresses":{"10.0.99.10":'
    '{"Address":"10.0.99.10","IPAMKey":{"networkName":"aws-cni","containerID":"","ifName":""},"IPAMMetadata":'
    '{"k8sPodNamespace":"ml","k8sPodName":"trainer-0","interfacesCount":2},"AssignedTime":"2026-03-01T00:00:00Z",'
    '"UnassignedTime":"0001-01-01T00:00:00Z"}},"IsPrefix":false,"AddressFamily":""}},"IPv6Cidrs":{},'
    '"IsExcludedForPodIPs":true,"RouteTableID":10101,"SubnetID":"subnet-0fedcba9876543210"}}}}'
)

ROOT_DOCUMENT = '{"AvailableCommands":["/v1/eni-configs","/v1/networkutils-env-settings","/v1/enis","/v1/ipamd-env-settings"]}'


def parse(text: str) -> Parsed:
    return parse_enis(text.encode(), PATH)


def test_seed_2018_document_from_the_net410_workshop() -> None:
    result = parse(SEED_2018)
    assert result.status == ArtifactStatus.parsed and result.problems == []
    dump = result.value
    assert dump.generation == "A1"
    assert (dump.min_cni_version, dump.max_cni_version) == ("v1.0.0", "v1.4.x")
    assert [eni.id for eni in dump.enis] == ["eni-001197a0eeab79df8", "eni-0d7778f429dda454f"]
    assert dump.total_ips_reported == 10 and dump.assigned_ips_reported == 3
    assert dump.assigned_ips_counted == 3 and dump.total_ips_counted == 10
    primary, secondary = dump.enis
    assert primary.is_primary and primary.device_number == 0 and primary.route_table == 254
    assert primary.assigned_ips == ["192.168.141.2"]
    assert primary.assigned_ipv4_reported == 1
    # v1.0 – v1.7.1 print DeviceIndex + 1 for secondary ENIs; the table is that number.
    assert secondary.device_number == 3 and secondary.device_index == 2 and secondary.route_table == 3
    assert secondary.assigned_ips == ["192.168.130.206", "192.168.157.205"]
    assert [cidr.cidr for cidr in secondary.cidrs][:2] == ["192.168.130.206/32", "192.168.143.101/32"]
    assert all(cidr.size == 1 and not cidr.is_prefix for cidr in secondary.cidrs)
    assert sum(cidr.free for eni in dump.enis for cidr in eni.cidrs) == 7


def test_gen_a1() -> None:
    dump = parse(GEN_A1).value
    assert dump.generation == "A1"
    assert dump.total_ips_reported == 10 and dump.total_ips_counted == 5
    assert dump.assigned_ips_counted == 3
    assert dump.enis[1].assigned_ips == ["10.0.41.7"]
    assert dump.enis[0].addresses[0].network_name is None and dump.enis[0].addresses[0].unassigned_at is None


def test_gen_a2_times_and_cooling() -> None:
    result = parse(GEN_A2)
    assert result.status == ArtifactStatus.parsed
    dump = result.value
    assert dump.generation == "A2" and (dump.min_cni_version, dump.max_cni_version) == ("v1.5.0", "v1.6.x")
    cooling = dump.enis[0].cidrs[1]
    assert cooling.cidr == "10.0.12.51/32" and cooling.cooling == 1 and cooling.free == 0
    assert cooling.addresses[0].unassigned_at == datetime(2019, 11, 5, 10, 21, 33, 123456, tzinfo=UTC)
    assert dump.enis[0].cidrs[0].addresses[0].unassigned_at is None
    assert dump.enis[1].device_index == 1 and dump.enis[1].route_table == 2


def test_gen_b_ipamkey_migrated_and_trunk() -> None:
    dump = parse(GEN_B).value
    assert dump.generation == "B" and (dump.min_cni_version, dump.max_cni_version) == ("v1.7.6", "v1.8.x")
    primary, trunk = dump.enis
    assert primary.assigned_ips == ["10.0.12.50", "10.0.12.51"]
    migrated = primary.addresses[1]
    assert migrated.migrated_from_cri and migrated.if_name == "unknown" and migrated.container_id == "77aa0c1d"
    freed = primary.addresses[2]
    assert not freed.assigned and freed.network_name is None and freed.cooling
    assert trunk.is_trunk and trunk.device_index == 1 and trunk.route_table == 2
    assert dump.assigned_ips_reported == 2 and dump.total_ips_reported == 6 and dump.total_ips_counted == 4


def test_gen_b_without_isefa_is_before_v1_7_6_and_device_index_is_ambiguous() -> None:
    dump = parse(GEN_B_BEFORE_EFA).value
    assert dump.generation == "B" and (dump.min_cni_version, dump.max_cni_version) == ("v1.7.0", "v1.7.5")
    assert dump.enis[0].device_index is None and dump.enis[0].route_table is None


def test_gen_c_prefix_delegation() -> None:
    dump = parse(GEN_C).value
    assert dump.generation == "C" and (dump.min_cni_version, dump.max_cni_version) == ("v1.9.0", "v1.9.x")
    (prefix,) = dump.enis[0].cidrs
    assert (prefix.cidr, prefix.family, prefix.is_prefix) == ("10.0.12.64/28", 4, True)
    assert (prefix.size, prefix.assigned, prefix.cooling, prefix.free) == (16, 1, 0, 15)
    assert dump.total_ips_counted == 16 == dump.total_ips_reported


def test_gen_d_ipv6_prefix_is_counted_not_enumerated() -> None:
    dump = parse(GEN_D_IPV6).value
    assert dump.generation == "D" and (dump.min_cni_version, dump.max_cni_version) == ("v1.10.0", "v1.10.x")
    eni = dump.enis[0]
    assert eni.cidrs == []
    (prefix,) = eni.ipv6_cidrs
    assert (prefix.cidr, prefix.family, prefix.is_prefix) == ("2600:1f13:abc:de01:c01a::/80", 6, True)
    assert prefix.size == 2**48 and prefix.assigned == 1 and prefix.free == 2**48 - 1
    assert eni.assigned_ips == ["2600:1f13:abc:de01:c01a::1"]
    assert dump.assigned_ips_counted == 1 and dump.total_ips_counted == 0


def test_gen_e_secondary_ip_mode_metadata_and_nanoseconds() -> None:
    dump = parse(GEN_E).value
    assert dump.generation == "E" and (dump.min_cni_version, dump.max_cni_version) == ("v1.11.0", "v1.19.x")
    used, never_used = dump.enis[0].cidrs
    address = used.addresses[0]
    assert (address.pod_namespace, address.pod_name, address.container_id, address.if_name) == (
        "default",
        "web-7d4b9c-x2x9q",
        "5f0c4d2ab1e6",
        "eth0",
    )
    assert address.assigned_at == datetime(2024, 1, 10, 20, 41, 12, 4551, tzinfo=UTC)
    assert address.assigned_at.tzinfo is UTC
    assert never_used.cidr == "10.0.12.52/32" and never_used.addresses == [] and never_used.free == 1
    # Counters are kept as reported, and the recount is separate.
    assert (dump.total_ips_reported, dump.total_ips_counted) == (9, 2)


def test_gen_f_v1_20_0_to_v1_20_2() -> None:
    dump = parse(GEN_F_1_20_0).value
    assert dump.generation == "F" and (dump.min_cni_version, dump.max_cni_version) == ("v1.20.0", "v1.20.2")
    assert dump.enis[0].route_table_id is None and dump.enis[0].route_table == 254
    assert dump.enis[0].cidrs[0].addresses[0].interfaces_count == 1


def test_gen_f_v1_20_3_route_table_id() -> None:
    dump = parse(GEN_F_1_20_3).value
    assert (dump.min_cni_version, dump.max_cni_version) == ("v1.20.3", "v1.21.x")
    assert dump.enis[0].route_table_id == 254 and dump.enis[0].subnet_id is None


def test_gen_f_v1_22_subnet_and_exclusion() -> None:
    result = parse(GEN_F_1_22)
    assert result.status == ArtifactStatus.parsed
    dump = result.value
    assert (dump.min_cni_version, dump.max_cni_version) == ("v1.22.0", "v1.22.x")
    eni = dump.enis[0]
    assert eni.subnet_id == "subnet-0123456789abcdef0" and not eni.excluded_for_pods
    (prefix,) = eni.cidrs
    assert (prefix.size, prefix.assigned, prefix.cooling, prefix.free) == (16, 1, 1, 14)
    freed = prefix.addresses[1]
    assert freed.unassigned_at == datetime(2026, 2, 20, 9, 13, 44, 100000, tzinfo=UTC)
    assert prefix.addresses[0].assigned_at == datetime(2026, 2, 20, 8, 0, 1, 500000, tzinfo=UTC)
    assert [(card.network_card, card.total_ips, card.assigned_ips) for card in dump.cards] == [(0, 32, 2)]
    assert dump.cards[0].total_ips_counted == 16 and dump.cards[0].assigned_ips_counted == 1


def test_gen_f_v1_23_blanked_container_id_still_assigned() -> None:
    dump = parse(GEN_F_1_23).value
    assert (dump.min_cni_version, dump.max_cni_version) == ("v1.23.0", None)
    address = dump.enis[0].cidrs[0].addresses[0]
    assert address.assigned and address.network_name == "aws-cni"
    assert address.container_id is None and address.if_name is None
    assert dump.assigned_ips_counted == 1


def test_gen_f_multi_card() -> None:
    dump = parse(GEN_F_MULTI_CARD).value
    assert [card.network_card for card in dump.cards] == [0, 1]
    card1 = dump.enis[1]
    assert (card1.id, card1.network_card, card1.is_efa, card1.excluded_for_pods) == ("eni-0fff7777aaaa8888b", 1, True, True)
    assert card1.route_table_id == 10101 and card1.route_table == 10101 and card1.device_index == 1
    assert card1.cidrs[0].addresses[0].interfaces_count == 2


def test_root_document_is_not_an_eni_dump() -> None:
    result = parse(ROOT_DOCUMENT)
    assert result.status == ArtifactStatus.damaged and result.value is None
    assert "not an ENI dump: ipamd root document" in result.problems[0].message


def test_empty_enis_map_generation_undecidable() -> None:
    result = parse('{"TotalIPs":0,"AssignedIPs":0,"ENIs":{}}')
    assert result.status == ArtifactStatus.parsed
    assert result.value.generation is None and result.value.enis == []
    assert (result.value.min_cni_version, result.value.max_cni_version) == ("v1.7.0", "v1.19.x")
    wrapped = parse('{"0":{"TotalIPs":0,"AssignedIPs":0,"ENIs":{}}}').value
    assert wrapped.generation == "F" and wrapped.min_cni_version == "v1.20.0"


def test_concatenated_documents_use_the_last() -> None:
    result = parse(GEN_A2 + GEN_F_1_22)
    assert result.status == ArtifactStatus.damaged
    assert result.value.generation == "F"
    assert "2 concatenated JSON documents" in result.problems[0].message


def test_truncated_then_complete_document_uses_the_complete_one() -> None:
    result = parse(GEN_A1[:200] + GEN_F_1_23)
    assert result.status == ArtifactStatus.damaged
    assert result.value.generation == "F" and not result.value.partial
    assert any("cut short" in problem.message for problem in result.problems)


def test_truncated_document_keeps_what_was_read() -> None:
    cut = GEN_F_1_22.index('"10.0.12.66"') + 20
    result = parse(GEN_F_1_22[:cut])
    assert result.status == ArtifactStatus.damaged
    dump = result.value
    assert dump.partial and dump.generation == "F"
    assert dump.total_ips_reported == 32 and dump.enis[0].assigned_ips == ["10.0.12.65"]
    assert result.problems[0].message.startswith("truncated JSON")


def test_truncated_before_any_eni_field() -> None:
    result = parse(GEN_A1[:30])
    assert result.status == ArtifactStatus.damaged
    assert result.value.enis == [] and result.value.total_ips_reported == 10


def test_curl_error_bodies_and_empty_files() -> None:
    not_found = parse("Not Found\n")
    assert not_found.status == ArtifactStatus.damaged and not_found.value is None
    assert "Not Found" in not_found.problems[0].message
    assert parse("").status == ArtifactStatus.empty
    assert parse(" \n").status == ArtifactStatus.empty
    html = parse("<html><body>502 Bad Gateway</body></html>")
    assert html.status == ArtifactStatus.damaged and html.value is None


def test_wrong_shapes_are_damaged() -> None:
    assert "an array" in parse("[1,2]").problems[0].message
    unexpected = parse('{"foo":1}')
    assert unexpected.status == ArtifactStatus.damaged and "unexpected keys foo" in unexpected.problems[0].message
    deep = parse("[" * 5000)
    assert deep.status == ArtifactStatus.damaged and deep.value is None


def test_counters_are_never_fixed() -> None:
    # CNI issue #2041: AssignedIPs > TotalIPs after toggling prefix delegation.
    doc = json.loads(GEN_C)
    doc["AssignedIPs"] = 40
    dump = parse(json.dumps(doc)).value
    assert dump.assigned_ips_reported == 40 and dump.total_ips_reported == 16
    assert dump.assigned_ips_counted == 1


def test_cidr_from_base64_mask_when_the_key_is_unusable() -> None:
    doc = json.loads(GEN_C)
    cidrs = doc["ENIs"]["eni-0aaa1111bbbb2222c"]["AvailableIPv4Cidrs"]
    cidrs["bogus"] = cidrs.pop("10.0.12.64/28")
    dump = parse(json.dumps(doc)).value
    assert dump.enis[0].cidrs[0].cidr == "10.0.12.64/28"
    cidrs["10.0.12.0/28"] = cidrs.pop("bogus")
    result = parse(json.dumps(doc))
    assert result.status == ArtifactStatus.damaged
    assert "Cidr field says 10.0.12.64/28" in result.problems[0].message


def test_decode_ipnet_masks() -> None:
    assert str(decode_ipnet({"IP": "10.0.41.7", "Mask": "/////w=="})) == "10.0.41.7/32"
    assert str(decode_ipnet({"IP": "10.0.41.16", "Mask": "////8A=="})) == "10.0.41.16/28"
    assert str(decode_ipnet({"IP": "2600:1f13:abc:de01:c01a::", "Mask": "/////////////wAAAAAAAA=="})) == "2600:1f13:abc:de01:c01a::/80"
    assert str(decode_ipnet({"IP": "2600:1f13::5", "Mask": "/////////////////////w=="})) == "2600:1f13::5/128"
    assert decode_ipnet({"IP": "10.0.0.1", "Mask": "/wD/AA=="}) is None  # non-contiguous
    assert decode_ipnet({"IP": "10.0.0.1", "Mask": "not base64!"}) is None
    assert decode_ipnet({"IP": "10.0.0.1", "Mask": "/////////////////////w=="}) is None  # v6 mask on v4


def test_bad_field_types_are_problems_not_exceptions() -> None:
    doc = json.loads(GEN_E)
    eni = doc["ENIs"]["eni-0aaa1111bbbb2222c"]
    eni["DeviceNumber"] = "zero"
    eni["AvailableIPv4Cidrs"]["10.0.12.50/32"]["IPAddresses"]["10.0.12.50"]["AssignedTime"] = "yesterday"
    result = parse(json.dumps(doc))
    assert result.status == ArtifactStatus.damaged
    messages = " | ".join(problem.message for problem in result.problems)
    assert "DeviceNumber is a string" in messages and "AssignedTime is not an RFC 3339 time" in messages


# --- properties ------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    result = parse_enis(data, PATH)
    assert isinstance(result, Parsed) and result.status in set(ArtifactStatus)


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 300) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(["0", "1", "ENIs", "ENIIPPools", "TotalIPs", "IPv4Addresses", "AvailableIPv4Cidrs", "IPAddresses", "IPAMKey", "Assigned", "Cidr", "10.0.0.1", "10.0.0.0/28", "ID", "DeviceNumber"]),
        children,
        max_size=4,
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(_json, st.integers(0, 2000))
def test_arbitrary_json_and_truncations_never_raise(value: object, cut: int) -> None:
    text = json.dumps(value)
    for candidate in (text, text[:cut], GEN_F_1_22[: cut % len(GEN_F_1_22)], GEN_A1[: cut % len(GEN_A1)] + text):
        result = parse_enis(candidate.encode(), PATH)
        assert isinstance(result, Parsed)


_address = st.tuples(st.integers(0, 15), st.booleans(), st.booleans())  # offset, assigned, freed before


@st.composite
def _eni_dumps(draw: st.DrawFn) -> tuple[str, list[tuple[str, int, list[tuple[str, int, int, int]]]]]:
    """A Gen F document and, per ENI, (id, device number, [(cidr, assigned, cooling, free)])."""
    count = draw(st.integers(1, 4))
    enis = {}
    expected = []
    for index in range(count):
        eni_id = f"eni-{index:017x}"
        prefixes = draw(st.lists(st.integers(0, 255), min_size=0, max_size=3, unique=True))
        cidr_docs = {}
        cidr_expect = []
        for third in prefixes:
            base = f"10.{index}.{third}"
            addresses = draw(st.dictionaries(st.integers(0, 15), st.tuples(st.booleans(), st.booleans()), max_size=6))
            address_docs = {}
            for offset, (assigned, freed) in addresses.items():
                ip = f"{base}.{offset}"
                address_docs[ip] = {
                    "Address": ip,
                    "IPAMKey": {"networkName": "aws-cni", "containerID": f"c{offset}", "ifName": "eth0"}
                    if assigned
                    else {"networkName": "", "containerID": "", "ifName": ""},
                    "IPAMMetadata": {},
                    "AssignedTime": "2026-01-01T00:00:00Z",
                    "UnassignedTime": "2026-01-02T00:00:00.123456789Z" if freed and not assigned else "0001-01-01T00:00:00Z",
                }
            assigned_count = sum(1 for a, _ in addresses.values() if a)
            cooling_count = sum(1 for a, f in addresses.values() if f and not a)
            cidr_docs[f"{base}.0/28"] = {
                "Cidr": {"IP": f"{base}.0", "Mask": "////8A=="},
                "IPAddresses": address_docs,
                "IsPrefix": True,
                "AddressFamily": "",
            }
            cidr_expect.append((f"{base}.0/28", assigned_count, cooling_count, 16 - assigned_count - cooling_count))
        enis[eni_id] = {
            "ID": eni_id,
            "IsPrimary": index == 0,
            "IsTrunk": False,
            "IsEFA": False,
            "DeviceNumber": index,
            "AvailableIPv4Cidrs": cidr_docs,
            "IPv6Cidrs": {},
            "IsExcludedForPodIPs": False,
            "RouteTableID": 254 if index == 0 else index + 1,
            "SubnetID": "subnet-0123456789abcdef0",
        }
        cidr_expect.sort(key=lambda item: int(item[0].split(".")[2]))
        expected.append((eni_id, index, cidr_expect))
    doc = {"0": {"TotalIPs": 0, "AssignedIPs": 0, "ENIs": enis}}
    return json.dumps(doc, separators=(",", ":")), expected


@settings(max_examples=200, deadline=None, derandomize=True)
@given(_eni_dumps())
def test_generated_gen_f_documents_parse_back(case: tuple[str, list]) -> None:
    text, expected = case
    result = parse_enis(text.encode(), PATH)
    assert result.status == ArtifactStatus.parsed, result.problems
    dump = result.value
    assert dump.generation == "F"
    got = [
        (eni.id, eni.device_number, [(c.cidr, c.assigned, c.cooling, c.free) for c in eni.cidrs]) for eni in dump.enis
    ]
    assert got == expected
    assert dump.assigned_ips_counted == sum(a for _, _, cidrs in expected for _, a, _, _ in cidrs)
    assert dump.total_ips_counted == 16 * sum(len(cidrs) for _, _, cidrs in expected)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.dictionaries(st.integers(1, 254), st.booleans(), min_size=1, max_size=10))
def test_generated_gen_a1_documents_parse_back(addresses: dict[int, bool]) -> None:
    pool = {f"192.168.1.{last}": {"Assigned": assigned} for last, assigned in addresses.items()}
    doc = {
        "TotalIPs": len(pool),
        "AssignedIPs": sum(addresses.values()),
        "ENIIPPools": {
            "eni-1": {"IsPrimary": True, "ID": "eni-1", "DeviceNumber": 0, "AssignedIPv4Addresses": 0, "IPv4Addresses": pool}
        },
    }
    dump = parse_enis(json.dumps(doc, indent=4, sort_keys=True).encode(), PATH).value
    assert dump.generation == "A1"
    assert sorted(dump.enis[0].assigned_ips) == sorted(f"192.168.1.{k}" for k, v in addresses.items() if v)
    assert dump.total_ips_counted == len(pool) == dump.total_ips_reported
