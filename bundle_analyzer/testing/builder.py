"""Write realistic support bundles of every layout, in memory or on disk.

Tests and ``cnibundle rules test`` use :class:`BundleBuilder` to make bundles that look like
the ones the real collectors produce, without shipping large binary fixtures:

* ``legacy`` — ``aws-cni-support.sh`` of CNI v1.0–v1.6.0: GNU tar of ``/var/log/aws-routed-eni/``,
  so every member is prefixed ``var/log/aws-routed-eni/`` and the directory itself is a member;
  archive ``aws-cni-support.tar.gz``.
* ``eks`` — the EKS log collector: ``tar --directory=/tmp/eks-log-collector .``, so members start
  with ``./`` and every directory (``./``, ``./ipamd/``, empty ones too) is a member; archive
  ``eks_<instance-id>_<YYYY-MM-DD_HHMM>-UTC_<collector-version>.tar.gz``.
* ``nma`` — the EKS node monitoring agent (NodeDiagnostic): Go ``archive/tar`` of a temp dir,
  bare relative names, regular files only; archive ``<node-name>-logs.tar.gz``.
* ``directory`` — an already-extracted EKS-collector tree handed over as a folder: bare relative
  names; ``archive_name()`` is the folder name (the EKS archive name without ``.tar.gz``).

Paths given to :meth:`BundleBuilder.add` are relative to the bundle root *as the layout names
it* (``ipamd/enis.json`` for EKS/NMA, ``eni.out`` for legacy); the builder adds the layout's
prefix. Output is deterministic — member mtimes default to ``collected_at``, members are sorted,
owners are ``root:root``, the outer gzip header carries mtime 0 and no file name — so a fixture
rebuilt from the same inputs is identical byte for byte (given the same zlib).

Example::

    b = BundleBuilder("eks", instance_id="i-0a1b2c3d4e5f60718",
                      collected_at=datetime(2024, 1, 10, 20, 46, tzinfo=UTC))
    b.add("ipamd/enis.json", '{"0":{"TotalIPs":0,"AssignedIPs":0,"ENIs":{}}}')
    b.add_gzip("var_log/aws-routed-eni/ipamd-2024-01-10T20-46-28.541.log.gz", zap_lines)
    b.archive_name()   # 'eks_i-0a1b2c3d4e5f60718_2024-01-10_2046-UTC_0.7.9.tar.gz'
    path = b.write_tar_gz(tmp_path)
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path, PurePosixPath

__all__ = ["BundleBuilder", "BundleLayoutKind", "Member", "MemberKind", "gzip_bytes"]

LEGACY_ROOT = "var/log/aws-routed-eni/"
LEGACY_ARCHIVE_NAME = "aws-cni-support.tar.gz"
DEFAULT_COLLECTED_AT = datetime(2024, 1, 10, 20, 46, 31, tzinfo=UTC)

_FILE_MODE = 0o644
_DIR_MODE = 0o755
_LINK_MODE = 0o777


class BundleLayoutKind(StrEnum):
    """Which collector's archive shape to imitate."""

    legacy = "legacy"
    eks = "eks"
    nma = "nma"
    directory = "directory"


class MemberKind(StrEnum):
    file = "file"
    dir = "dir"
    symlink = "symlink"


@dataclass(frozen=True)
class Member:
    """One entry of the bundle, named as it will appear in the archive."""

    name: str
    kind: MemberKind
    data: bytes = b""
    target: str = ""
    mtime: datetime | None = None
    mode: int | None = None


class BundleBuilder:
    """Collects members and writes them in the shape of one collector's bundle."""

    def __init__(
        self,
        layout: BundleLayoutKind | str = BundleLayoutKind.eks,
        *,
        collector_version: str = "0.7.9",
        instance_id: str = "i-0a1b2c3d4e5f60718",
        node_name: str = "ip-10-0-1-42.ec2.internal",
        collected_at: datetime = DEFAULT_COLLECTED_AT,
    ) -> None:
        self.layout = BundleLayoutKind(layout)
        self.collector_version = collector_version
        self.instance_id = instance_id
        self.node_name = node_name
        # Naive datetimes are taken as UTC: the collectors name archives in UTC.
        if collected_at.tzinfo is None:
            collected_at = collected_at.replace(tzinfo=UTC)
        self.collected_at = collected_at.astimezone(UTC)
        self._members: dict[str, Member] = {}

    # ------------------------------------------------------------------ adding members

    def add(
        self,
        path: str,
        content: str | bytes,
        *,
        mtime: datetime | None = None,
        mode: int | None = None,
        verbatim: bool = False,
    ) -> BundleBuilder:
        """Add (or replace) a regular file. ``verbatim=True`` uses ``path`` as the member name
        unchanged — no layout prefix, no normalisation — for hostile-archive tests."""
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        name = path if verbatim else self._member_name(path)
        self._members[name] = Member(name, MemberKind.file, data=data, mtime=mtime, mode=mode)
        return self

    def add_gzip(self, path: str, content: str | bytes, *, mtime: datetime | None = None) -> BundleBuilder:
        """Add a gzip-compressed file (lumberjack backups ``*.log.gz``); ``path`` keeps its
        ``.gz``. The inner gzip header has mtime 0 and no name, as Go's compress/gzip writes it."""
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        return self.add(path, gzip_bytes(data), mtime=mtime)

    def add_symlink(self, path: str, target: str, *, verbatim: bool = False) -> BundleBuilder:
        """Add a symbolic link member (collector 0.6.0–0.6.1 archived dangling
        ``/var/log/containers`` links)."""
        name = path if verbatim else self._member_name(path)
        self._members[name] = Member(name, MemberKind.symlink, target=target)
        return self

    def add_dir(self, path: str, *, verbatim: bool = False) -> BundleBuilder:
        """Add a directory member, e.g. the empty ``./gpu/`` of an EKS bundle."""
        name = path if verbatim else self._member_name(path)
        name = name if name.endswith("/") else name + "/"
        self._members[name] = Member(name, MemberKind.dir)
        return self

    def remove(self, path: str) -> BundleBuilder:
        """Drop a member added before (by its layout-relative path)."""
        self._members.pop(self._member_name(path), None)
        return self

    def paths(self) -> list[str]:
        """Layout-relative paths of the regular files added so far, sorted."""
        return sorted(self._relative(m.name) for m in self._members.values() if m.kind is MemberKind.file)

    def read(self, path: str) -> bytes:
        """The bytes stored for ``path`` (layout-relative)."""
        return self._members[self._member_name(path)].data

    # ------------------------------------------------------------------ naming

    def archive_name(self) -> str:
        """The file name the real collector gives this bundle."""
        match self.layout:
            case BundleLayoutKind.legacy:
                return LEGACY_ARCHIVE_NAME
            case BundleLayoutKind.nma:
                return f"{self.node_name}-logs.tar.gz"
            case BundleLayoutKind.eks:
                return self._eks_stem() + ".tar.gz"
            case BundleLayoutKind.directory:
                return self._eks_stem()

    def members(self) -> list[Member]:
        """Every member in archive order, implied directories included."""
        found = dict(self._members)
        for name in self._implied_dirs(found):
            found.setdefault(name, Member(name, MemberKind.dir))
        return sorted(found.values(), key=lambda m: _sort_key(m.name))

    # ------------------------------------------------------------------ output

    def to_tar_bytes(self) -> bytes:
        """An uncompressed tar of the bundle."""
        fmt = tarfile.PAX_FORMAT if self.layout is BundleLayoutKind.nma else tarfile.GNU_FORMAT
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
            for member in self.members():
                info = tarfile.TarInfo(member.name)
                info.mtime = int((member.mtime or self.collected_at).timestamp())
                info.uid = info.gid = 0
                info.uname = info.gname = "root"
                if member.kind is MemberKind.dir:
                    info.type = tarfile.DIRTYPE
                    info.mode = member.mode or _DIR_MODE
                    tar.addfile(info)
                elif member.kind is MemberKind.symlink:
                    info.type = tarfile.SYMTYPE
                    info.linkname = member.target
                    info.mode = member.mode or _LINK_MODE
                    tar.addfile(info)
                else:
                    info.size = len(member.data)
                    info.mode = member.mode or _FILE_MODE
                    tar.addfile(info, io.BytesIO(member.data))
        return buf.getvalue()

    def to_tar_gz_bytes(self) -> bytes:
        """The gzip-compressed tar, as the collectors ship it."""
        return gzip_bytes(self.to_tar_bytes())

    def write_tar_gz(self, directory: str | os.PathLike[str], name: str | None = None) -> Path:
        """Write ``<directory>/<archive_name()>`` (or ``name``) and return its path."""
        path = Path(directory) / (name or self._archive_file_name(".tar.gz"))
        path.write_bytes(self.to_tar_gz_bytes())
        return path

    def write_zip(self, directory: str | os.PathLike[str], name: str | None = None) -> Path:
        """Write the bundle as a zip (a user re-zipping an extracted bundle): names without
        ``./``, directory entries kept, fixed timestamps."""
        path = Path(directory) / (name or self._archive_file_name(".zip"))
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for member in self.members():
                name_in_zip = _strip_dot_slash(member.name)
                if not name_in_zip:
                    continue
                stamp = (member.mtime or self.collected_at).astimezone(UTC)
                info = zipfile.ZipInfo(name_in_zip, date_time=_zip_time(stamp))
                info.create_system = 3  # unix, so external_attr carries the mode
                if member.kind is MemberKind.dir:
                    info.external_attr = (0o40000 | (member.mode or _DIR_MODE)) << 16
                    zf.writestr(info, b"")
                elif member.kind is MemberKind.symlink:
                    info.external_attr = (0o120000 | _LINK_MODE) << 16
                    zf.writestr(info, member.target.encode("utf-8"))
                else:
                    info.external_attr = (0o100000 | (member.mode or _FILE_MODE)) << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    zf.writestr(info, member.data)
        return path

    def write_dir(self, directory: str | os.PathLike[str]) -> Path:
        """Write the extracted tree into ``directory`` (created if needed) and return it.

        Member names that would escape ``directory`` (``..``, absolute) are refused: this
        writes real files, unlike the archive writers."""
        root = Path(directory)
        root.mkdir(parents=True, exist_ok=True)
        for member in self.members():
            rel = _strip_dot_slash(member.name)
            if not rel:
                continue
            pure = PurePosixPath(rel)
            if pure.is_absolute() or ".." in pure.parts:
                raise ValueError(f"member {member.name!r} would be written outside {root}")
            target = root.joinpath(*pure.parts)
            if member.kind is MemberKind.dir:
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if member.kind is MemberKind.symlink:
                if target.is_symlink() or target.exists():
                    target.unlink()
                os.symlink(member.target, target)
                continue
            target.write_bytes(member.data)
            stamp = (member.mtime or self.collected_at).timestamp()
            os.utime(target, (stamp, stamp))
        return root

    # ------------------------------------------------------------------ internals

    def _eks_stem(self) -> str:
        when = self.collected_at.strftime("%Y-%m-%d_%H%M")
        return f"eks_{self.instance_id}_{when}-UTC_{self.collector_version}"

    def _archive_file_name(self, suffix: str) -> str:
        name = self.archive_name()
        stem = name.removesuffix(".tar.gz")
        return stem + suffix

    def _member_name(self, path: str) -> str:
        rel = _normalise(path)
        match self.layout:
            case BundleLayoutKind.legacy:
                return LEGACY_ROOT + rel.removeprefix(LEGACY_ROOT)
            case BundleLayoutKind.eks:
                return "./" + rel
            case _:
                return rel

    def _relative(self, name: str) -> str:
        if self.layout is BundleLayoutKind.legacy:
            return name.removeprefix(LEGACY_ROOT)
        return _strip_dot_slash(name)

    def _implied_dirs(self, members: dict[str, Member]) -> list[str]:
        """Directory members the real tool would have written for these files."""
        if self.layout in (BundleLayoutKind.nma, BundleLayoutKind.directory):
            return []
        dirs: set[str] = set()
        if self.layout is BundleLayoutKind.legacy:
            dirs.add(LEGACY_ROOT)
            for name in members:
                if not name.startswith(LEGACY_ROOT):
                    continue
                parts = name[len(LEGACY_ROOT) :].rstrip("/").split("/")[:-1]
                for i in range(1, len(parts) + 1):
                    dirs.add(LEGACY_ROOT + "/".join(parts[:i]) + "/")
            return sorted(dirs)
        dirs.add("./")
        for name in members:
            if not name.startswith("./"):
                continue
            parts = name[2:].rstrip("/").split("/")[:-1]
            for i in range(1, len(parts) + 1):
                dirs.add("./" + "/".join(parts[:i]) + "/")
        return sorted(dirs)


def gzip_bytes(data: bytes) -> bytes:
    """Deterministic gzip: mtime 0, no file name in the header."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buf.getvalue()


def _normalise(path: str) -> str:
    rel = path.replace("\\", "/")
    while rel.startswith("./"):
        rel = rel[2:]
    rel = rel.lstrip("/")
    while "//" in rel:
        rel = rel.replace("//", "/")
    if not rel or rel in (".", "./"):
        raise ValueError(f"empty member path {path!r}")
    return rel


def _strip_dot_slash(name: str) -> str:
    return name[2:] if name.startswith("./") else name


def _sort_key(name: str) -> tuple[str, ...]:
    # Component-wise order puts every directory right before its contents.
    return tuple(part for part in name.rstrip("/").split("/"))


def _zip_time(stamp: datetime) -> tuple[int, int, int, int, int, int]:
    year = max(stamp.year, 1980)  # the zip format cannot store earlier dates
    return (year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
