"""Recognising CNI log families and their rotated files (live, seelog hourly, lumberjack)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.logs.rotation import FAMILIES, log_family, rotation_order


@pytest.mark.parametrize("family", FAMILIES)
def test_live_files(family):
    assert log_family(f"var_log/aws-routed-eni/{family}.log") == (family, None)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ipamd.log.2019-05-02-13", ("ipamd", datetime(2019, 5, 2, 13, tzinfo=UTC))),
        ("plugin.log.2018-07-18-00", ("plugin", datetime(2018, 7, 18, 0, tzinfo=UTC))),
        (
            "ipamd-2024-01-10T20-46-28.541.log",
            ("ipamd", datetime(2024, 1, 10, 20, 46, 28, 541000, tzinfo=UTC)),
        ),
        (
            "ipamd-2024-01-10T20-46-28.541.log.gz",
            ("ipamd", datetime(2024, 1, 10, 20, 46, 28, 541000, tzinfo=UTC)),
        ),
        (
            "egress-v4-plugin-2023-03-01T00-00-00.000.log.gz",
            ("egress-v4-plugin", datetime(2023, 3, 1, tzinfo=UTC)),
        ),
        (
            "egress-v6-plugin-2023-03-01T00-00-00.001.log.gz",
            ("egress-v6-plugin", datetime(2023, 3, 1, 0, 0, 0, 1000, tzinfo=UTC)),
        ),
        (
            "network-policy-agent-2025-06-01T12-00-00.000.log.gz",
            ("network-policy-agent", datetime(2025, 6, 1, 12, tzinfo=UTC)),
        ),
        (
            "plugin-2024-02-29T23-59-59.999.log.gz",
            ("plugin", datetime(2024, 2, 29, 23, 59, 59, 999000, tzinfo=UTC)),
        ),
    ],
)
def test_rotated_names(name, expected):
    assert log_family("./var_log/aws-routed-eni/" + name) == expected
    assert log_family(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        "eni.out",
        "route.out",
        "aws-cni-support.tar.gz",
        "ipamd.log.1",
        "kubelet.log",
        "ipamd.log.2019-13-02-13",
        "ipamd-2024-02-30T20-46-28.541.log.gz",
        "ipamd.logx",
        "foo-ipamd.log",
        "ipamd-2024-01-10.log",
        "",
        "var_log/aws-routed-eni/",
        "ipamd.log/",
    ],
)
def test_unknown_names(name):
    assert log_family(name) is None


def test_rotation_order_oldest_first_live_last_across_formats():
    paths = [
        "var_log/aws-routed-eni/ipamd.log",
        "var_log/aws-routed-eni/ipamd-2024-01-10T20-46-28.541.log.gz",
        "var_log/aws-routed-eni/plugin.log",
        "var_log/aws-routed-eni/ipamd.log.2020-02-12-18",
        "var_log/aws-routed-eni/ipamd-2023-12-01T08-00-00.000.log.gz",
        "var_log/aws-routed-eni/ipamd-2024-01-10T20-46-28.541.log",
        "var_log/aws-routed-eni/ipamd.log.2020-02-12-09",
        "var_log/aws-routed-eni/eni.out",
    ]
    assert rotation_order(paths) == {
        "ipamd": [
            "var_log/aws-routed-eni/ipamd.log.2020-02-12-09",
            "var_log/aws-routed-eni/ipamd.log.2020-02-12-18",
            "var_log/aws-routed-eni/ipamd-2023-12-01T08-00-00.000.log.gz",
            "var_log/aws-routed-eni/ipamd-2024-01-10T20-46-28.541.log",
            "var_log/aws-routed-eni/ipamd-2024-01-10T20-46-28.541.log.gz",
            "var_log/aws-routed-eni/ipamd.log",
        ],
        "plugin": ["var_log/aws-routed-eni/plugin.log"],
    }


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(max_size=60))
def test_arbitrary_names_never_raise(name):
    found = log_family(name)
    assert found is None or found[0] in FAMILIES


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.sampled_from(FAMILIES),
    st.datetimes(min_value=datetime(2017, 1, 1), max_value=datetime(2099, 1, 1)),
    st.booleans(),
)
def test_generated_lumberjack_names_round_trip(family, when, gz):
    when = when.replace(microsecond=when.microsecond // 1000 * 1000, tzinfo=UTC)
    name = f"{family}-{when:%Y-%m-%dT%H-%M-%S}.{when.microsecond // 1000:03d}.log" + (".gz" if gz else "")
    assert log_family(name) == (family, when)
