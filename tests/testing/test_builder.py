"""BundleBuilder: member naming per layout, archive names, outputs, determinism, and that the
shipped fixtures are what fixtures/build_fixtures.py produces."""

from __future__ import annotations

import gzip
import importlib.util
import io
import re
import sys
import tarfile
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.testing import BundleBuilder

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
WHEN = datetime(2024, 1, 10, 20, 46, 31, tzinfo=UTC)
EKS_NAME_RE = re.compile(
    r"^eks_(?P<iid>[^_]*)_(?P<date>\d{4}-\d{2}-\d{2})_(?P<hhmm>\d{4})-(?P<tz>[A-Za-z]+)_(?P<ver>\d+\.\d+\.\d+)\.tar\.gz$"
)


def _members(data: bytes) -> list[tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return tar.getmembers()


def _read(data: bytes, name: str) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        member = tar.extractfile(name)
        assert member is not None
        return member.read()


def _sample(layout: str) -> BundleBuilder:
    b = BundleBuilder(layout, collected_at=WHEN)
    if layout == "legacy":
        b.add("eni.out", '{"TotalIPs":0,"AssignedIPs":0,"ENIIPPools":{}}')
        b.add("cni/10-aws.conflist", "{}\n")
    else:
        b.add("ipamd/enis.json", '{"0":{"TotalIPs":0,"AssignedIPs":0,"ENIs":{}}}')
        b.add("networking/iprule.txt", "0:\tfrom all lookup local\n")
    return b


# --------------------------------------------------------------------------- naming


def test_legacy_members_are_prefixed_and_include_the_log_directory() -> None:
    members = _members(_sample("legacy").to_tar_gz_bytes())
    assert [(m.name, m.isdir()) for m in members] == [
        ("var/log/aws-routed-eni", True),
        ("var/log/aws-routed-eni/cni", True),
        ("var/log/aws-routed-eni/cni/10-aws.conflist", False),
        ("var/log/aws-routed-eni/eni.out", False),
    ]


def test_legacy_accepts_paths_already_under_the_log_directory() -> None:
    b = BundleBuilder("legacy").add("var/log/aws-routed-eni/route.out", "x")
    assert b.paths() == ["route.out"]


def test_eks_members_start_with_dot_slash_and_list_every_directory() -> None:
    b = _sample("eks").add_dir("gpu")
    names = [(m.name, m.isdir()) for m in _members(b.to_tar_gz_bytes())]
    # tarfile drops the trailing slash of directory names when reading them back
    assert names == [
        (".", True),
        ("./gpu", True),
        ("./ipamd", True),
        ("./ipamd/enis.json", False),
        ("./networking", True),
        ("./networking/iprule.txt", False),
    ]
    raw = b.to_tar_bytes()
    assert b"./ipamd/\x00" in raw and b"./\x00" in raw  # directory members are written with a slash


def test_nma_members_are_bare_regular_files() -> None:
    members = _members(_sample("nma").to_tar_gz_bytes())
    assert [m.name for m in members] == ["ipamd/enis.json", "networking/iprule.txt"]
    assert all(m.isfile() for m in members)


def test_directory_layout_has_bare_names_and_a_folder_name() -> None:
    b = _sample("directory")
    assert [m.name for m in b.members()] == ["ipamd/enis.json", "networking/iprule.txt"]
    assert b.archive_name() == "eks_i-0a1b2c3d4e5f60718_2024-01-10_2046-UTC_0.7.9"


@pytest.mark.parametrize(
    ("layout", "kwargs", "expected"),
    [
        ("legacy", {}, "aws-cni-support.tar.gz"),
        ("eks", {"collector_version": "0.7.6"}, "eks_i-0a1b2c3d4e5f60718_2024-01-10_2046-UTC_0.7.6.tar.gz"),
        ("eks", {"instance_id": "", "collector_version": "0.6.2"}, "eks__2024-01-10_2046-UTC_0.6.2.tar.gz"),
        ("nma", {"node_name": "ip-10-0-1-42.ec2.internal"}, "ip-10-0-1-42.ec2.internal-logs.tar.gz"),
    ],
)
def test_archive_names(layout: str, kwargs: dict[str, str], expected: str) -> None:
    assert BundleBuilder(layout, collected_at=WHEN, **kwargs).archive_name() == expected


def test_eks_archive_name_matches_the_collector_pattern_in_utc() -> None:
    local = datetime.fromisoformat("2024-01-10T21:46:31+01:00")
    name = BundleBuilder("eks", collected_at=local).archive_name()
    match = EKS_NAME_RE.match(name)
    assert match and match["hhmm"] == "2046" and match["tz"] == "UTC"


# --------------------------------------------------------------------------- content


def test_gzip_member_decompresses_to_the_text_given() -> None:
    text = '{"level":"info","ts":"2024-01-10T20:46:28.541Z","caller":"ipamd/ipamd.go:1","msg":"x"}\n'
    b = BundleBuilder("eks", collected_at=WHEN)
    b.add_gzip("var_log/aws-routed-eni/ipamd-2024-01-10T20-46-28.541.log.gz", text)
    blob = _read(b.to_tar_gz_bytes(), "./var_log/aws-routed-eni/ipamd-2024-01-10T20-46-28.541.log.gz")
    assert blob[:2] == b"\x1f\x8b" and blob[4:8] == b"\x00\x00\x00\x00"  # gzip, mtime 0
    assert gzip.decompress(blob).decode() == text


def test_member_mtimes_default_to_collection_time_and_can_be_overridden() -> None:
    older = datetime(2024, 1, 9, 8, 0, tzinfo=UTC)
    b = BundleBuilder("eks", collected_at=WHEN).add("a.txt", "a").add("b.txt", "b", mtime=older)
    by_name = {m.name: m for m in _members(b.to_tar_gz_bytes())}
    assert by_name["./a.txt"].mtime == int(WHEN.timestamp())
    assert by_name["./b.txt"].mtime == int(older.timestamp())
    assert by_name["./a.txt"].uname == "root" and by_name["./a.txt"].mode == 0o644


def test_add_replaces_and_remove_drops() -> None:
    b = BundleBuilder("eks").add("x.txt", "one").add("x.txt", "two").add("y.txt", "y").remove("y.txt")
    assert b.paths() == ["x.txt"]
    assert b.read("x.txt") == b"two"


def test_hostile_members_are_written_verbatim() -> None:
    b = BundleBuilder("eks", collected_at=WHEN)
    b.add("../../etc/cron.d/evil", "x", verbatim=True)
    b.add_symlink("var_log/aws-node-abc.log", "/var/log/pods/kube-system_aws-node-abc/aws-node/0.log")
    members = {m.name: m for m in _members(b.to_tar_gz_bytes())}
    assert "../../etc/cron.d/evil" in members
    link = members["./var_log/aws-node-abc.log"]
    assert link.issym() and link.linkname == "/var/log/pods/kube-system_aws-node-abc/aws-node/0.log"


def test_empty_paths_are_refused() -> None:
    with pytest.raises(ValueError):
        BundleBuilder("eks").add("./", "x")


# --------------------------------------------------------------------------- outputs


@pytest.mark.parametrize("layout", ["legacy", "eks", "nma", "directory"])
def test_two_builds_are_identical_bytes(layout: str) -> None:
    first = _sample(layout)
    first.add_gzip("logs/x.log.gz", "line\n")
    second = _sample(layout)
    second.add_gzip("logs/x.log.gz", "line\n")
    assert first.to_tar_gz_bytes() == second.to_tar_gz_bytes()
    blob = first.to_tar_gz_bytes()
    assert blob[3] & 0x08 == 0  # no FNAME in the outer gzip header
    assert blob[4:8] == b"\x00\x00\x00\x00"


def test_write_tar_gz_uses_the_archive_name(tmp_path: Path) -> None:
    b = _sample("eks")
    path = b.write_tar_gz(tmp_path)
    assert path.name == b.archive_name()
    assert path.read_bytes() == b.to_tar_gz_bytes()


def test_write_zip_strips_dot_slash_and_keeps_directories(tmp_path: Path) -> None:
    b = _sample("eks").add_dir("gpu")
    path = b.write_zip(tmp_path)
    assert path.name == "eks_i-0a1b2c3d4e5f60718_2024-01-10_2046-UTC_0.7.9.zip"
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == ["gpu/", "ipamd/", "ipamd/enis.json", "networking/", "networking/iprule.txt"]
        assert zf.read("ipamd/enis.json") == b.read("ipamd/enis.json")
        assert zf.getinfo("ipamd/enis.json").date_time == (2024, 1, 10, 20, 46, 30)
    again = tmp_path / "again"
    again.mkdir()
    assert b.write_zip(again).read_bytes() == path.read_bytes()


def test_write_dir_writes_the_tree_with_mtimes(tmp_path: Path) -> None:
    b = _sample("legacy")
    root = b.write_dir(tmp_path / "out")
    eni = root / "var" / "log" / "aws-routed-eni" / "eni.out"
    assert eni.read_bytes() == b.read("eni.out")
    assert int(eni.stat().st_mtime) == int(WHEN.timestamp())
    assert (root / "var" / "log" / "aws-routed-eni" / "cni" / "10-aws.conflist").is_file()


def test_write_dir_refuses_escaping_members(tmp_path: Path) -> None:
    b = BundleBuilder("nma").add("../evil", "x", verbatim=True)
    with pytest.raises(ValueError, match="outside"):
        b.write_dir(tmp_path / "out")
    assert not (tmp_path / "evil").exists()


_segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=8).filter(
    lambda s: s not in (".", "..")
)
_files = st.dictionaries(
    st.lists(_segment, min_size=1, max_size=3).map("/".join), st.binary(max_size=64), min_size=1, max_size=6
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(layout=st.sampled_from(["legacy", "eks", "nma", "directory"]), files=_files)
def test_round_trip_of_arbitrary_files(layout: str, files: dict[str, bytes]) -> None:
    # a path cannot be both a file and a directory in a real tree
    names = sorted(files)
    files = {n: d for n, d in files.items() if not any(o.startswith(n + "/") for o in names)}
    b = BundleBuilder(layout, collected_at=WHEN)
    for name, data in files.items():
        b.add(name, data)
    prefix = {"legacy": "var/log/aws-routed-eni/", "eks": "./"}.get(layout, "")
    blob = b.to_tar_gz_bytes()
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        got = {m.name.removeprefix(prefix): tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
        dirs = [m for m in tar.getmembers() if m.isdir()]
    assert got == files
    assert (len(dirs) > 0) == (layout in ("legacy", "eks"))
    assert blob == b.to_tar_gz_bytes()


# --------------------------------------------------------------------------- shipped fixtures


def _fixture_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_fixtures", FIXTURES / "build_fixtures.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the script loads
    spec.loader.exec_module(module)
    return module


def test_shipped_fixtures_are_up_to_date(tmp_path: Path) -> None:
    script = _fixture_script()
    built = script.build_all(tmp_path)
    assert len(built) == 3
    for name, path in built.items():
        committed = FIXTURES / name
        assert committed.is_file(), f"{name} missing: run python fixtures/build_fixtures.py"
        fresh, shipped = path.read_bytes(), committed.read_bytes()
        assert len(shipped) < 200_000
        assert gzip.decompress(fresh) == gzip.decompress(shipped), (
            f"{name} is stale: run python fixtures/build_fixtures.py"
        )
        if fresh != shipped and zlib.ZLIB_RUNTIME_VERSION != script.BUILT_WITH_ZLIB:
            pytest.skip(
                f"same tar content; this zlib {zlib.ZLIB_RUNTIME_VERSION} compresses differently from "
                f"{script.BUILT_WITH_ZLIB}, which built the shipped files"
            )
        assert fresh == shipped, f"{name}: same tar content but a different gzip stream"
