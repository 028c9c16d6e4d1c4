"""Open a bundle without extracting it: tar(.gz/.bz2/.xz), zip, a directory, or loose files.

Members stream by in one pass. Names are checked for containment before anything is read, sizes
are bounded as bytes are produced, and a broken archive ends the stream with a recorded problem
instead of an exception: whatever was read before the break is still analysed.
"""

from __future__ import annotations

import lzma
import os
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from bundle_analyzer.errors import BundleRefused
from bundle_analyzer.source.inflate import INFLATE_ERRORS
from bundle_analyzer.source.limits import Limits
from bundle_analyzer.source.members import CHUNK, Member, MemberType
from bundle_analyzer.source.safety import (
    LinkGuard,
    is_collector_container_log_link,
    link_stays_inside,
    normalise_member_name,
    shown,
)
from bundle_analyzer.source.streams import (
    GZIP_MAGIC,
    ByteBudget,
    DecompressedReader,
    check_archive_ratio,
    compression_of,
    gunzip_chunks,
    hold_back_tail,
    read_chunks,
)

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
# tarfile reads a long-name or PAX header into memory whole, before returning the member.
MAX_EXTENDED_HEADER = 1 << 20
_EXTENDED_TYPES = frozenset({tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE,
                             tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE})
_TAR_READ_ERRORS = (tarfile.TarError, EOFError, OSError, *INFLATE_ERRORS, lzma.LZMAError, ValueError,
                    OverflowError, UnicodeError, IndexError)


class _BoundedTarInfo(tarfile.TarInfo):
    """tarfile's header reading, minus the parts a hostile archive can blow up.

    An extended header (GNU long name, PAX) is read into memory whole, and GNU sparse maps are
    unbounded lists; no collector writes sparse members, and no real header needs a megabyte.
    """

    def _proc_member(self, tarfile_):
        if self.type in _EXTENDED_TYPES and self.size > MAX_EXTENDED_HEADER:
            raise BundleRefused(f"refused: extended tar header of {self.size} bytes (more than {MAX_EXTENDED_HEADER})")
        if self.type == tarfile.GNUTYPE_SPARSE:
            raise BundleRefused(f"refused: sparse member {shown(self.name)} (no collector writes sparse files)")
        return super()._proc_member(tarfile_)

    def _refuse_sparse(self, *_args):
        raise BundleRefused(f"refused: sparse member {shown(self.name)} (no collector writes sparse files)")

    _proc_gnusparse_00 = _proc_gnusparse_01 = _proc_gnusparse_10 = _refuse_sparse

    # tarfile ends the walk quietly (``next()`` returns None) on an unreadable or cut header after
    # the first one; the header error is kept here so that the break is reported, not hidden.
    last_header_error: Exception | None = None

    @classmethod
    def frombuf(cls, buf, encoding, errors):
        try:
            return super().frombuf(buf, encoding, errors)
        except tarfile.HeaderError as exc:
            cls.last_header_error = exc
            raise


def _tarinfo_class() -> type[_BoundedTarInfo]:
    """A subclass per archive, so that the header error it records belongs to that archive."""
    return type("_ArchiveTarInfo", (_BoundedTarInfo,), {"last_header_error": None})


class BundleSource:
    """Iterate the members of one input. ``problems`` collects archive-level damage."""

    kind = "files"

    def __init__(self, path: Path, limits: Limits):
        self.path = path
        self.limits = limits
        self.problems: list[str] = []
        self.budget = ByteBudget(limits)
        self.links = LinkGuard()
        self.member_count = 0
        # Layout fingerprints (§1.5): the EKS collector writes "./name" and directory members.
        self.saw_dot_prefix = False

    def members(self) -> Iterator[Member]:  # pragma: no cover - abstract
        raise NotImplementedError

    # Shared by every kind of source -------------------------------------------------------
    def _count_member(self) -> None:
        self.member_count += 1
        if self.member_count > self.limits.max_members:
            raise BundleRefused(
                f"refused: more than {self.limits.max_members} members "
                "(raise with --max-members if this bundle is genuine)"
            )

    def _bounded(self, path: str, chunks: Iterator[bytes], problems: list[str]) -> Iterator[bytes]:
        """Count bytes against the limits; gunzip ``*.gz`` members on the fly."""
        if path.endswith(".gz"):
            chunks = gunzip_chunks(chunks, path, self.limits, problems)
        seen = 0
        for block in chunks:
            seen += len(block)
            self.budget.take(path, seen, len(block))
            yield block


class TarSource(BundleSource):
    kind = "tar"

    def members(self) -> Iterator[Member]:
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - closed in finally below
        except OSError as exc:
            raise BundleRefused(f"cannot read {self.path}: {exc.strerror}") from exc
        try:
            self.compressed_size = os.fstat(handle.fileno()).st_size
            self.compression = compression_of(handle.read(8))
            handle.seek(0)
            stream = DecompressedReader(handle, self.compression) if self.compression else handle
            self.tarinfo = _tarinfo_class()
            try:
                archive = tarfile.open(fileobj=stream, mode="r|", tarinfo=self.tarinfo, bufsize=_STREAM_READ)
            except _TAR_READ_ERRORS as exc:
                raise BundleRefused(f"not a bundle: {self.path} is not a readable tar archive ({exc})") from exc
            yield from self._walk(archive)
        finally:
            handle.close()

    def _walk(self, archive: tarfile.TarFile) -> Iterator[Member]:
        last = "the start"
        while True:
            try:
                info = archive.next()
            except _TAR_READ_ERRORS as exc:
                self.problems.append(f"archive breaks off after {shown(last)}: {exc or type(exc).__name__}")
                return
            if info is None:
                self._check_end(archive, last)
                return
            self._count_member()
            self._declare(archive, info)
            member = self._member(archive, info)
            last = info.name
            if member is None:
                continue
            yield member
            if member.read_problems and any("ends early" in p for p in member.read_problems):
                self.problems.append(f"archive breaks off inside {shown(member.path)}: {member.read_problems[-1]}")
                return

    def _check_end(self, archive: tarfile.TarFile, last: str) -> None:
        """An archive ends with a zero block and the compressed stream's own end; anything else
        (a damaged header, a cut at a block boundary, a bad gzip CRC) is a break to report."""
        error = self.tarinfo.last_header_error
        if error is not None and not isinstance(error, tarfile.EOFHeaderError):
            self.problems.append(f"archive breaks off after {shown(last)}: unreadable tar header ({error})")
            return
        if self.compression:
            try:
                while archive.fileobj.read(CHUNK):
                    pass
            except _TAR_READ_ERRORS as exc:
                self.problems.append(f"archive breaks off after {shown(last)}: {exc or type(exc).__name__}")

    def _declare(self, archive: tarfile.TarFile, info: tarfile.TarInfo) -> None:
        """Bound what reading *or skipping* this member will inflate, before it happens."""
        if not info.isfile():
            return
        self.budget.declare(info.name, info.size)
        if self.compression or info.issparse():
            check_archive_ratio(f"archive {shown(self.path.name)}", self.limits, self.compressed_size,
                                info.offset_data + info.size)

    def _member(self, archive: tarfile.TarFile, info: tarfile.TarInfo) -> Member | None:
        path = normalise_member_name(info.name)
        self.saw_dot_prefix = self.saw_dot_prefix or info.name.startswith("./")
        mtime = datetime.fromtimestamp(info.mtime, UTC) if info.mtime else None
        if info.isdir():
            return Member(path=path, type=MemberType.directory, size=0, mtime=mtime) if path else None
        if info.ischr() or info.isblk() or info.isfifo() or not (info.isfile() or info.issym() or info.islnk()):
            raise BundleRefused(f"refused: device, FIFO or special member in the archive: {shown(info.name)}")
        self.links.check_parent(path)
        if info.issym():
            return self._symlink(path, info.linkname, mtime)
        if info.islnk():
            try:
                target = normalise_member_name(info.linkname)
            except BundleRefused as exc:
                raise BundleRefused(f"refused: hard link {shown(path)} points outside the bundle: {exc}") from None
            return Member(path=path, type=MemberType.hardlink, size=0, mtime=mtime, link_target=target)
        problems: list[str] = []
        member = Member(path=path, type=MemberType.file, size=info.size, mtime=mtime,
                        gunzipped=path.endswith(".gz"), read_problems=problems)

        def chunks() -> Iterator[bytes]:
            stream = _MemberReader(archive, info) if not info.issparse() else archive.extractfile(info)
            if stream is None:
                return
            yield from self._bounded(path, read_chunks(stream, problems, f"member {path}"), problems)

        member.chunks = chunks
        return member

    def _symlink(self, path: str, target: str, mtime: datetime | None) -> Member:
        if not link_stays_inside(path, target) and not is_collector_container_log_link(path, target):
            raise BundleRefused(f"refused: symlink {shown(path)} points outside the bundle ({shown(target)})")
        self.links.add_link(path, target)
        return Member(path=path, type=MemberType.symlink, size=0, mtime=mtime, link_target=target)


# tarfile reads its stream in pieces of this size (default 10 KiB): one decompress call and one
# join per piece, ~1 s per GB of Python overhead. DecompressedReader bounds what one read inflates.
_STREAM_READ = 256 * 1024


# The attributes of tarfile._Stream that _MemberReader reads past (CPython 3.8 and later).
_STREAM_INTERNALS = hasattr(tarfile, "_Stream") and all(
    name in tarfile._Stream.__init__.__code__.co_names for name in ("buf", "pos", "fileobj"))  # noqa: SLF001


class _MemberReader:
    """A regular member's bytes, read straight from the archive stream.

    ``extractfile`` stacks a BufferedReader on a _FileInFile on the stream, and each layer copies
    every byte once more: ~1 s per GB on the one core that also inflates the archive. Same
    errors as extractfile: a stream that ends inside the member is "unexpected end of data".
    """

    def __init__(self, archive: tarfile.TarFile, info: tarfile.TarInfo):
        self.stream = archive.fileobj
        self.start = info.offset_data
        self.left = info.size

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes (fewer at a block boundary of the source), b"" at the end."""
        if self.left <= 0:
            return b""
        stream = self.stream
        if self.start is not None:
            stream.seek(self.start)  # past the header, forward only
            self.start = None
        want = min(size, self.left)
        if not _STREAM_INTERNALS or not isinstance(stream, tarfile._Stream):  # noqa: SLF001
            block = stream.read(want)
            if len(block) != want:
                raise tarfile.ReadError("unexpected end of data")
        else:
            # tarfile's _Stream.read joins and slices every piece it returns (~4 copies of each
            # byte under the GIL); a member's body is taken from its buffer, then straight from
            # the source, keeping its position right for the next header.
            buffered = stream.buf
            if buffered:
                block, stream.buf = buffered[:want], buffered[want:]
            else:
                block = stream.fileobj.read(want)
            if not block:
                raise tarfile.ReadError("unexpected end of data")
            stream.pos += len(block)
        self.left -= len(block)
        return block


class ZipSource(BundleSource):
    kind = "zip"

    def members(self) -> Iterator[Member]:
        self._check_entry_count()
        try:
            archive = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            self.problems.append(f"zip directory unreadable ({exc}); reading local headers instead")
            yield from self._salvage()
            return
        with archive:
            self._check_declared(archive.infolist())
            for info in archive.infolist():
                self._count_member()
                path = normalise_member_name(info.filename)
                if not path:
                    continue
                mode = (info.external_attr >> 16) & 0o170000
                if mode == stat.S_IFLNK:
                    raise BundleRefused(f"refused: symlink member in zip archive: {shown(info.filename)}")
                if mode and mode not in (stat.S_IFREG, stat.S_IFDIR):
                    raise BundleRefused(f"refused: device, FIFO or special member in the archive: {shown(info.filename)}")
                if info.is_dir():
                    yield Member(path=path, type=MemberType.directory, size=0)
                    continue
                self.links.check_parent(path)
                yield self._file(archive, info, path)

    def _check_entry_count(self) -> None:
        """zipfile builds an object per central-directory entry up front: count them first."""
        try:
            with open(self.path, "rb") as handle:
                end = zipfile._EndRecData(handle)  # noqa: SLF001 - the only reader of the zip64 count
        except (OSError, ValueError, struct.error, zipfile.BadZipFile):
            return
        if end and end[zipfile._ECD_ENTRIES_TOTAL] > self.limits.max_members:  # noqa: SLF001
            self._count_member_total(end[zipfile._ECD_ENTRIES_TOTAL])  # noqa: SLF001

    def _check_declared(self, infos: list[zipfile.ZipInfo]) -> None:
        """The central directory states every size: refuse a bomb before inflating anything.

        Summing the declared sizes also catches entries that share one compressed body
        (overlapping-entry bombs), which no per-entry ratio notices."""
        if len(infos) > self.limits.max_members:
            self._count_member_total(len(infos))
        total = 0
        for info in infos:
            self.budget.declare(info.filename, info.file_size)
            check_archive_ratio(f"zip entry {shown(info.filename)}", self.limits, info.compress_size, info.file_size)
            total += info.file_size
        check_archive_ratio(f"zip archive {shown(self.path.name)}", self.limits, self.path.stat().st_size, total)
        self.budget.declared = 0  # the reads that follow are counted again as they happen

    def _count_member_total(self, count: int) -> None:
        raise BundleRefused(
            f"refused: {count} members, more than {self.limits.max_members} "
            "(raise with --max-members if this bundle is genuine)"
        )

    def _file(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str) -> Member:
        problems: list[str] = []
        mtime = datetime(*info.date_time, tzinfo=UTC) if info.date_time[0] >= 1980 else None

        def chunks() -> Iterator[bytes]:
            try:
                stream = archive.open(info)
            except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
                problems.append(f"member {path} cannot be opened: {exc}")
                return
            with stream:
                yield from self._bounded(path, _zip_chunks(stream, problems, path), problems)

        return Member(path=path, type=MemberType.file, size=info.file_size, mtime=mtime,
                      chunks=chunks, gunzipped=path.endswith(".gz"), read_problems=problems)

    def _salvage(self) -> Iterator[Member]:
        """A zip cut short has no central directory; walk its local headers instead."""
        from bundle_analyzer.source.zip_salvage import iter_local_entries

        for name, payload_chunks, problems in iter_local_entries(self.path, self.problems):
            self._count_member()
            path = normalise_member_name(name)
            if not path or name.endswith("/"):
                continue
            self.links.check_parent(path)
            member_problems = list(problems)
            chunks = payload_chunks
            yield Member(path=path, type=MemberType.file, size=0, read_problems=member_problems,
                         gunzipped=path.endswith(".gz"),
                         chunks=lambda c=chunks, p=path, mp=member_problems: self._bounded(p, c(), mp))


def _zip_chunks(stream, problems: list[str], path: str) -> Iterator[bytes]:
    while True:
        try:
            block = stream.read(1 << 20)
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
            problems.append(f"member {path} ends early: {exc}")
            return
        if not block:
            return
        yield block


class DirectorySource(BundleSource):
    """An extracted bundle. Symlinks are listed, never followed."""

    kind = "directory"

    def members(self) -> Iterator[Member]:
        root = self.path
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames.sort()
            base = Path(dirpath)
            for name in sorted(filenames) + [d for d in dirnames if (base / d).is_symlink()]:
                self._count_member()
                full = base / name
                rel = full.relative_to(root).as_posix()
                yield self.file_member(full, rel)

    def file_member(self, full: Path, rel: str) -> Member:
        info = full.lstat()
        mtime = datetime.fromtimestamp(info.st_mtime, UTC)
        if stat.S_ISLNK(info.st_mode):
            return Member(path=rel, type=MemberType.symlink, size=0, mtime=mtime, link_target=os.readlink(full))
        if not stat.S_ISREG(info.st_mode):
            return Member(path=rel, type=MemberType.symlink, size=0, mtime=mtime,
                          link_target="(device, FIFO or socket: not read)")
        problems: list[str] = []

        def chunks() -> Iterator[bytes]:
            try:
                handle = open(full, "rb")  # noqa: SIM115
            except OSError as exc:
                problems.append(f"cannot read {rel}: {exc.strerror}")
                return
            with handle:
                yield from self._bounded(rel, read_chunks(handle, problems, rel), problems)

        return Member(path=rel, type=MemberType.file, size=info.st_size, mtime=mtime, chunks=chunks,
                      gunzipped=rel.endswith(".gz"), read_problems=problems)


class LooseFilesSource(DirectorySource):
    """Files given one by one on the command line (an ``ipamd.log``, an ``enis.json`` ...)."""

    kind = "files"

    def __init__(self, paths: list[Path], limits: Limits):
        super().__init__(paths[0], limits)
        self.paths = paths

    def members(self) -> Iterator[Member]:
        for full in self.paths:
            self._count_member()
            yield self.file_member(full, full.name)


def sniff(path: Path) -> str:
    """Tell archives from loose files by their first bytes, never by their name alone."""
    with open(path, "rb") as handle:
        head = handle.read(512 + 8)
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return "zip"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    for magic in (b"BZh", b"\xfd7zXZ\x00"):
        if head.startswith(magic):
            return "tar"
    return "file"


def gzip_holds_tar(path: Path) -> bool:
    """A ``.gz`` file is a bundle when its first decompressed block is a tar header."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    with open(path, "rb") as handle:
        data = handle.read(64 * 1024)
    head = b""
    try:  # the trailer apart: a damaged CRC must not hide what comes before it
        for piece in hold_back_tail(iter((data,))):
            head += inflater.decompress(piece, 64 * 1024 - len(head))
    except zlib.error:
        pass
    if len(head) < 512:
        return False
    if head[257:262] == b"ustar":
        return True
    if inflater.eof and not head.strip(b"\0"):
        return True  # an empty tar: nothing but its end-of-archive blocks
    # Old GNU/v7 headers have no magic: trust the header checksum instead.
    try:
        tarfile.TarInfo.frombuf(head[:512], "utf-8", "surrogateescape")
    except tarfile.TarError:
        return False
    return True
