"""The source layer on real archives: every layout, every container format, and bad input."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from bundle_analyzer import load_bundle
from bundle_analyzer.errors import BundleRefused
from bundle_analyzer.report.model import Layout
from bundle_analyzer.source.limits import Limits
from bundle_analyzer.testing.builder import BundleBuilder

ENIS_F = '{"0":{"TotalIPs":0,"AssignedIPs":0,"ENIs":{}}}'
IPRULE = "0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n"
ZAP = '{"level":"info","ts":"2024-01-10T20:46:28.541Z","caller":"ipamd/ipamd.go:1","msg":"Starting L-IPAMD v1.18.3  ..."}\n'


def eks_builder() -> BundleBuilder:
    builder = BundleBuilder("eks")
    builder.add("ipamd/enis.json", ENIS_F)
    builder.add("networking/iprule.txt", IPRULE)
    builder.add("system/script-params.txt", "ignore_introspection: false\nignore_metrics: false\n")
    builder.add_gzip("var_log/aws-routed-eni/ipamd-2024-01-10T20-46-28.541.log.gz", ZAP)
    return builder


def statuses(bundle) -> dict[str, str]:
    return {entry.path: entry.status.value for entry in bundle.inventory}


def test_eks_tarball_layout_version_and_gzipped_log(tmp_path):
    bundle = load_bundle(eks_builder().write_tar_gz(tmp_path))
    assert bundle.layout is Layout.eks_log_collector
    assert bundle.collector_version == "0.7.9"
    assert bundle.node.instance_id == "i-0a1b2c3d4e5f60718"
    assert statuses(bundle)["ipamd/enis.json"] == "parsed"
    log = next(log for log in bundle.logs if log.path.endswith(".log.gz"))
    assert log.lines == 1 and log.format == "zap"
    assert bundle.state.cni_version == "v1.18.3"


@pytest.mark.parametrize("writer", ["write_zip", "write_dir"])
def test_zip_and_directory_give_the_same_state(tmp_path, writer):
    source = getattr(eks_builder(), writer)(tmp_path)
    bundle = load_bundle(source)
    assert bundle.layout is Layout.eks_log_collector
    assert bundle.state.cni_version == "v1.18.3"
    assert statuses(bundle)["networking/iprule.txt"] == "parsed"


def test_plain_tar(tmp_path):
    path = tmp_path / "bundle.tar"
    path.write_bytes(eks_builder().to_tar_bytes())
    assert load_bundle(path).layout is Layout.eks_log_collector


def test_legacy_layout(tmp_path):
    builder = BundleBuilder("legacy")
    builder.add("eni.output", '{"TotalIPs":0,"AssignedIPs":0,"ENIIPPools":{}}')
    builder.add("iprule.output", IPRULE)
    bundle = load_bundle(builder.write_tar_gz(tmp_path))
    assert bundle.layout is Layout.aws_cni_support_legacy
    assert statuses(bundle)["var/log/aws-routed-eni/eni.output"] == "parsed"


def test_nma_layout(tmp_path):
    builder = BundleBuilder("nma")
    builder.add("ipamd/enis.json", ENIS_F)
    builder.add("networking/iprule.txt", IPRULE)
    builder.add("log-capture-errors.log", '--- Errors in collector "NFTables" ---\nexit status 1\n')
    assert load_bundle(builder.write_tar_gz(tmp_path)).layout is Layout.eks_node_monitoring_agent


def test_repacked_bundle_with_wrapper_directory(tmp_path):
    path = tmp_path / "repacked.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, text in (("ipamd/enis.json", ENIS_F), ("networking/iprule.txt", IPRULE)):
            data = text.encode()
            info = tarfile.TarInfo(f"eks_i-0abc_2024-01-10_2046-UTC_0.7.6/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    bundle = load_bundle(path)
    assert bundle.layout is Layout.eks_log_collector
    assert bundle.root_prefix.startswith("eks_i-0abc")
    assert statuses(bundle)["eks_i-0abc_2024-01-10_2046-UTC_0.7.6/ipamd/enis.json"] == "parsed"


def test_loose_files_by_name_and_by_content(tmp_path):
    named = tmp_path / "iprule.txt"
    named.write_text(IPRULE)
    anonymous = tmp_path / "out-1.txt"
    anonymous.write_text(ENIS_F)
    bundle = load_bundle([named, anonymous])
    assert bundle.layout is Layout.files
    kinds = {e.path: e.kind for e in bundle.inventory}
    assert kinds == {"iprule.txt": "ip-rule", "out-1.txt": "ipamd-enis"}


def test_every_member_is_in_the_inventory(tmp_path):
    builder = eks_builder()
    builder.add("system/ps.txt", "PID TTY\n")
    builder.add("notes/customer.txt", "pods stuck since Tuesday\n")
    builder.add("ipamd/pods.json", "")
    builder.add_symlink("var_log/aws-node.log", "../var_log/other.log")
    path = builder.write_tar_gz(tmp_path)
    bundle = load_bundle(path)
    found = statuses(bundle)
    with tarfile.open(path) as archive:
        non_directories = [m for m in archive.getmembers() if not m.isdir()]
    assert found["system/ps.txt"] == "skipped"
    assert found["notes/customer.txt"] == "unrecognised"
    assert found["ipamd/pods.json"] == "empty"
    assert found["var_log/aws-node.log"] == "skipped"
    assert len(found) == len(non_directories)


def test_truncated_upload_is_analysed_up_to_the_break(tmp_path):
    builder = eks_builder()
    builder.add("var_log/aws-routed-eni/plugin.log", "x" * 200_000 + "\n")
    data = builder.to_tar_gz_bytes()
    path = tmp_path / "eks_i-0abc_2024-01-10_2046-UTC_0.7.9.tar.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    bundle = load_bundle(path)
    assert bundle.archive_problems, "the break must be reported"
    assert "ipamd/enis.json" in statuses(bundle)


def test_damaged_member_inside_a_good_archive(tmp_path):
    builder = eks_builder()
    builder.add("ipamd/enis.json", '{"0":{"TotalIPs":3,"ENIs":{"eni-1":{"ID":"eni-1"')
    bundle = load_bundle(builder.write_tar_gz(tmp_path))
    entry = next(e for e in bundle.inventory if e.path == "ipamd/enis.json")
    assert entry.status.value == "damaged" and entry.detail


def test_corrupt_nested_gzip_is_damaged_not_fatal(tmp_path):
    builder = eks_builder()
    good = gzip.compress(ZAP.encode() * 50)
    builder.add("var_log/aws-routed-eni/plugin-2024-01-10T20-46-28.541.log.gz", good[: len(good) // 2])
    bundle = load_bundle(builder.write_tar_gz(tmp_path))
    entry = next(e for e in bundle.inventory if e.path.endswith("plugin-2024-01-10T20-46-28.541.log.gz"))
    assert entry.status.value == "damaged"


def _tar_with(tmp_path: Path, setup) -> Path:
    path = tmp_path / "hostile.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        data = ENIS_F.encode()
        info = tarfile.TarInfo("ipamd/enis.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
        setup(archive)
    return path


def _file(name: str, data: bytes = b"x"):
    def add(archive):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return add


def _link(name: str, target: str, kind=tarfile.SYMTYPE):
    def add(archive):
        info = tarfile.TarInfo(name)
        info.type = kind
        info.linkname = target
        archive.addfile(info)
    return add


def _special(name: str, kind):
    def add(archive):
        info = tarfile.TarInfo(name)
        info.type = kind
        archive.addfile(info)
    return add


@pytest.mark.parametrize("setup,words", [
    (_file("/etc/passwd"), "absolute"),
    (_file("../../escape.txt"), ".."),
    (_file("ipamd/../../escape.txt"), ".."),
    (_link("ipamd/evil", "/etc/shadow"), "outside"),
    (_link("ipamd/evil", "../../../etc"), "outside"),
    (lambda a: (_link("ipamd/dir", "ipamd")(a), _file("ipamd/dir/x.txt")(a)), "symlink member"),
    (_special("dev/sda", tarfile.BLKTYPE), "device"),
    (_special("fifo", tarfile.FIFOTYPE), "FIFO"),
])
def test_hostile_members_are_refused_and_nothing_is_written(tmp_path, setup, words):
    path = _tar_with(tmp_path, setup)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(BundleRefused, match=words):
        load_bundle(path)
    assert sorted(os.listdir(tmp_path)) == before


def test_nested_gzip_bomb_is_refused(tmp_path):
    builder = eks_builder()
    builder.add("var_log/aws-routed-eni/ipamd-2024-01-10T20-46-28.541.log.gz", gzip.compress(b"\0" * (80 << 20)))
    with pytest.raises(BundleRefused, match="gzip bomb"):
        load_bundle(builder.write_tar_gz(tmp_path))


def test_member_size_limit(tmp_path):
    builder = eks_builder()
    builder.add("var_log/aws-routed-eni/plugin.log", "y" * 5000)
    with pytest.raises(BundleRefused, match="max-member-bytes"):
        load_bundle(builder.write_tar_gz(tmp_path), limits=Limits(max_member_bytes=4096))


def test_member_count_limit(tmp_path):
    with pytest.raises(BundleRefused, match="members"):
        load_bundle(eks_builder().write_tar_gz(tmp_path), limits=Limits(max_members=3))


@pytest.mark.parametrize("content", [b"hello, I am not a bundle\n", b"\x89PNG\r\n\x1a\n" + b"\0" * 100])
def test_not_a_bundle(tmp_path, content):
    path = tmp_path / "thing.bin"
    path.write_bytes(content)
    with pytest.raises(BundleRefused, match="not a bundle"):
        load_bundle(path)


def test_empty_archives_are_refused(tmp_path):
    empty_tar = tmp_path / "empty.tar.gz"
    with tarfile.open(empty_tar, "w:gz"):
        pass
    empty_zip = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty_zip, "w"):
        pass
    for path in (empty_tar, empty_zip):
        with pytest.raises(BundleRefused, match="not a bundle"):
            load_bundle(path)


def test_missing_path(tmp_path):
    with pytest.raises(BundleRefused, match="no such file"):
        load_bundle(tmp_path / "nope.tar.gz")


@pytest.mark.parametrize("compressed", [True, False])
def test_member_bodies_read_past_tarfiles_buffer_are_the_same_bytes(tmp_path, monkeypatch, compressed):
    """_MemberReader takes member bodies from tarfile's stream buffer and then its source
    directly; the bytes, and every header after them, must be what tarfile itself reads."""
    import random

    from bundle_analyzer.source import archive as archive_module
    from bundle_analyzer.source.archive import TarSource

    rng = random.Random(5)
    sizes = [0, 1, 511, 512, 513, 10_240, 262_143, 262_144, 1 << 20, (1 << 20) + 7, 3 * (1 << 20) - 1]
    bodies = {f"var_log/aws-routed-eni/f{i}.txt": rng.randbytes(size) for i, size in enumerate(sizes)}
    path = tmp_path / ("b.tar.gz" if compressed else "b.tar")
    with tarfile.open(path, "w:gz" if compressed else "w") as tar:
        for name, body in bodies.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))

    def read_all() -> dict[str, bytes]:
        source = TarSource(path, Limits())
        return {m.path: b"".join(m.chunks()) for m in source.members() if m.chunks}

    fast = read_all()
    monkeypatch.setattr(archive_module, "_STREAM_INTERNALS", False)
    assert fast == read_all() == bodies
