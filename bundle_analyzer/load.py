"""One pass over a bundle: classify each member, parse small files, scan logs as they stream by.

``load_bundle`` never prints, never exits and never writes anything. It raises only
:class:`~bundle_analyzer.errors.BundleRefused` (hostile input, or not a bundle at all).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from os import PathLike
from pathlib import Path

from bundle_analyzer.artifacts import TEXT_FACTS, Kind, classify_loose_name, classify_path, spec_for
from bundle_analyzer.bundle import Bundle, LoadedArtifact, LogFile, LogHit
from bundle_analyzer.errors import BundleRefused
from bundle_analyzer.logs import LogScanner, ScanPattern, decode_hits, scan_log
from bundle_analyzer.logs.scan_pool import ScanPool
from bundle_analyzer.models.common import ArtifactStatus, Parsed, Problem
from bundle_analyzer.report.model import InventoryEntry, Layout
from bundle_analyzer.source.archive import BundleSource, LooseFilesSource
from bundle_analyzer.source.content_sniff import sniff_content
from bundle_analyzer.source.layout import detect_layout
from bundle_analyzer.source.limits import Limits
from bundle_analyzer.source.members import Member, MemberType
from bundle_analyzer.source.open import open_source

PathArg = str | PathLike[str]
# A compressed input this big gets its scan helper at once (early_scan_pool); smaller ones
# start it on the first big log block, or never.
EARLY_POOL_BYTES = 32 * 1024 * 1024
ProgressCallback = Callable[[str, int], None]

# Facts every analysis wants from the logs, whatever rules are loaded (version inference). A few
# lines per file tell the version: old plugins log their start on every call (12 000 kept lines,
# ~20 MiB, in a day of hourly seelog files when capped like a signature).
FACT_HITS = 16
FACT_PATTERNS: dict[Kind, tuple[ScanPattern, ...]] = {
    Kind.ipamd_log: (ScanPattern("fact:ipamd-start", r"Starting L-IPAMD\s+(?P<version>v?\d+\.\d+\.\d+[\w.+-]*)",
                                 FACT_HITS),),
    Kind.plugin_log: (ScanPattern("fact:plugin-start", r"Starting CNI Plugin\s+(?P<version>v?\d+\.\d+\.\d+[\w.+-]*)",
                                  FACT_HITS),),
    Kind.aws_node_log: (ScanPattern("fact:aws-node-image", r"amazon-k8s-cni:(?P<version>v\d+\.\d+\.\d+)", FACT_HITS),),
}


class ScanPlan:
    """The compiled log scanners, one per log kind, built once per analysis."""

    def __init__(self, patterns: Mapping[Kind, Sequence[ScanPattern]] | None = None):
        merged: dict[Kind, list[ScanPattern]] = {k: list(v) for k, v in FACT_PATTERNS.items()}
        for kind, extra in (patterns or {}).items():
            merged.setdefault(kind, []).extend(extra)
        self._patterns = merged
        self._scanners: dict[Kind, LogScanner] = {}

    def scanner(self, kind: Kind) -> LogScanner:
        if kind not in self._scanners:
            self._scanners[kind] = LogScanner(self._patterns.get(kind, ()))
        return self._scanners[kind]

    def prepare(self, pool: ScanPool) -> None:
        """Send every log kind's patterns to a started helper, which compiles their prefilters
        before the first log arrives (kinds the bundle lacks cost the helper a few ms each)."""
        for kind, patterns in self._patterns.items():
            if patterns:
                pool.prepare(self.scanner(kind))


def load_bundle(path: PathArg | Sequence[PathArg], *, limits: Limits | None = None,
                plan: ScanPlan | None = None, progress: ProgressCallback | None = None,
                scan_pool: ScanPool | None = None) -> Bundle:
    """Read one bundle (an archive, a directory, or a group of loose files) into typed models.

    ``scan_pool``: a helper already started by the caller (see :func:`early_scan_pool`), kept
    open for the next bundle; by default one is started on the first big log block and closed.
    """
    from bundle_analyzer.state.node import build_node_state  # state imports parsers' models

    paths = [Path(p) for p in ([path] if isinstance(path, str | PathLike) else path)]
    if not paths:
        raise BundleRefused("no input given")
    source = open_source(paths, limits or Limits())
    reader = _Reader(source, plan or ScanPlan(), progress)
    # A helper process searches part of the logs while this one inflates the archive.
    pool = scan_pool or ScanPool.for_this_machine()
    try:
        reader.pool = pool
        bundle = reader.read(" ".join(str(p) for p in paths))
    finally:
        if pool is not None and pool is not scan_pool:
            pool.close()
    bundle.state = build_node_state(bundle)
    return bundle


def early_scan_pool(paths: Sequence[PathArg]) -> ScanPool | None:
    """A scan helper started now, for inputs big enough to want one (or None): its start-up,
    and then its compiling of the prefilters (:meth:`ScanPlan.prepare`), overlap the loading of
    the rules here, while the second core would otherwise wait. The caller closes it."""
    size = 0
    for item in paths:
        try:
            size += Path(item).stat().st_size if Path(item).is_file() else 0
        except OSError:
            continue
    if size < EARLY_POOL_BYTES:
        return None
    pool = ScanPool.for_this_machine()
    if pool is not None:
        pool.start()
    return pool


class _Reader:
    def __init__(self, source: BundleSource, plan: ScanPlan, progress: ProgressCallback | None):
        self.source = source
        self.plan = plan
        self.progress = progress
        self.loose = isinstance(source, LooseFilesSource) or source.kind == "directory"
        self.inventory: list[InventoryEntry] = []
        self.artifacts: list[LoadedArtifact] = []
        self.logs: list[LogFile] = []
        self.texts: dict[str, str] = {}
        self.text_files: dict[str, str] = {}
        self.paths: list[str] = []
        self.mtimes: list[datetime] = []
        self.dir_members = False
        self.pool: ScanPool | None = None

    def read(self, display_path: str) -> Bundle:
        for member in self.source.members():
            self._take(member)
        if not self.paths:
            raise BundleRefused(f"not a bundle: {display_path} holds no files (empty archive or directory)")
        if not any(entry.kind for entry in self.inventory):
            raise BundleRefused(f"not a bundle: nothing in {display_path} is a file a CNI support bundle holds")
        guess = detect_layout(Path(display_path.split(" ")[0]).name, self.paths,
                              loose=isinstance(self.source, LooseFilesSource),
                              had_dot_prefix=self.source.saw_dot_prefix, had_dir_members=self.dir_members)
        collected_at = guess.collected_at or (max(self.mtimes) if guess.layout is Layout.eks_node_monitoring_agent
                                              and self.mtimes else None)
        bundle = Bundle(path=display_path, layout=guess.layout, root_prefix=guess.root_prefix,
                        collector_version=guess.collector_version, collected_at=collected_at,
                        inventory=self.inventory, archive_problems=self.source.problems,
                        artifacts=self.artifacts, logs=self.logs, texts=self.texts,
                        text_files=self.text_files)
        bundle.node.instance_id = self.texts.get(Kind.instance_id.value) or guess.instance_id
        bundle.node.region = self.texts.get(Kind.region.value)
        bundle.node.az = self.texts.get(Kind.availability_zone.value)
        bundle.node.hostname = guess.node_name
        return bundle

    def _take(self, member: Member) -> None:
        if member.type is MemberType.directory:
            self.dir_members = True
            return
        self.paths.append(member.path)
        if member.mtime:
            self.mtimes.append(member.mtime)
        if member.type in (MemberType.symlink, MemberType.hardlink):
            what = "symlink" if member.type is MemberType.symlink else "hard link"
            self._list(member, None, ArtifactStatus.skipped, f"{what} to {member.link_target}: not followed")
            return
        kind = classify_path(member.path)
        head = b""
        chunks = member.chunks() if member.chunks else iter(())
        if kind is None and self.loose:
            kind = classify_loose_name(member.path)
            if kind is None:
                head = next(chunks, b"")
                kind = sniff_content(head[:65536])
        if kind is None:
            self._list(member, None, ArtifactStatus.unrecognised, "")
            return
        if kind in (Kind.legacy_leftover, Kind.other_collected):
            self._list(member, kind, ArtifactStatus.skipped, spec_for(kind).description)
            return
        stream = _prepend(head, chunks) if head else chunks
        if self.progress:
            self.progress(member.path, member.size)
        spec = spec_for(kind)
        if spec.stream:
            self._scan_log(member, kind, stream)
        elif kind in TEXT_FACTS:
            self._read_text(member, kind, stream)
        else:
            self._parse(member, kind, stream)

    def _read_whole(self, member: Member, stream) -> bytes | None:
        limit = self.source.limits.max_parsed_file_bytes
        parts: list[bytes] = []
        size = 0
        for block in stream:
            size += len(block)
            if size > limit:
                return None
            parts.append(block)
        return b"".join(parts)

    def _parse(self, member: Member, kind: Kind, stream) -> None:
        data = self._read_whole(member, stream)
        if data is None:
            self._list(member, kind, ArtifactStatus.skipped,
                       f"larger than {self.source.limits.max_parsed_file_bytes} bytes: not parsed")
            return
        parser = spec_for(kind).parse_function()
        if parser is None:
            self._list(member, kind, ArtifactStatus.skipped, f"recognised ({spec_for(kind).description}); not analysed")
            return
        parsed: Parsed = parser(data, member.path)
        problems = [Problem(path=member.path, message=p) for p in member.read_problems]
        if problems:
            parsed = Parsed(value=parsed.value, status=ArtifactStatus.damaged, problems=problems + parsed.problems)
        self.artifacts.append(LoadedArtifact(path=member.path, kind=kind, parsed=parsed))
        self._list(member, kind, parsed.status, parsed.detail)

    def _read_text(self, member: Member, kind: Kind, stream) -> None:
        data = self._read_whole(member, stream) or b""
        text = data.decode("utf-8", errors="replace").strip()
        if not text:
            self._list(member, kind, ArtifactStatus.empty, "")
            return
        text = text if len(text) < 65536 else text[:65536]
        self.texts.setdefault(kind.value, text)
        self.text_files[member.path] = text
        self._list(member, kind, ArtifactStatus.parsed, "")

    def _scan_log(self, member: Member, kind: Kind, stream) -> None:
        fmt, result = scan_log(self.plan.scanner(kind), stream, member.path, pool=self.pool)
        problems = [Problem(path=member.path, message=p) for p in member.read_problems]
        if result.nul_bytes:
            problems.append(Problem(path=member.path, message=f"{result.nul_bytes} NUL bytes (rotation race or damage)"))
        # The member's mtime is the collection time: it places year-less journal dates.
        events = decode_hits(result, fmt, member.mtime or (self.mtimes[-1] if self.mtimes else None))
        # The events were validated as they were decoded; the wrapper needs no second pass.
        hits = [LogHit.model_construct(event=event, keys=hit.keys)
                for hit, event in zip(result.hits, events, strict=True)]
        log = LogFile(path=member.path, kind=kind, format=str(fmt), lines=result.lines, size=result.bytes,
                      hits=hits, hit_counts=dict(result.hit_counts), problems=problems)
        self.logs.append(log)
        if result.bytes == 0:
            status, detail = ArtifactStatus.empty, ""
        elif problems:
            status, detail = ArtifactStatus.damaged, problems[0].message
        else:
            status, detail = ArtifactStatus.parsed, f"{result.lines} lines, {fmt} format"
        self._list(member, kind, status, detail)

    def _list(self, member: Member, kind: Kind | None, status: ArtifactStatus, detail: str) -> None:
        self.inventory.append(InventoryEntry(path=member.path, kind=kind.value if kind else None,
                                             status=status, detail=detail, size=member.size or None))


def _prepend(head: bytes, rest):
    yield head
    yield from rest
