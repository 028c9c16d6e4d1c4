"""Bounds that keep a hostile archive from exhausting the machine.

Real bundles: up to ~2 GB uncompressed (1.4 GB of ipamd/plugin logs, a 100 MB ``messages``),
a few thousand members. The defaults leave a wide margin and each can be raised from the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    max_members: int = 100_000
    max_total_bytes: int = 16 * GiB
    max_member_bytes: int = 4 * GiB
    # Non-log files are parsed whole; anything bigger is listed as skipped instead of held in memory.
    max_parsed_file_bytes: int = 256 * MiB
    # Gzip inside the archive (rotated logs): a ratio no text log reaches, but a bomb does.
    max_nested_gzip_ratio: int = 500
    nested_gzip_ratio_floor: int = 64 * MiB
    # The archive as a whole (outer gzip/bzip2/xz, zip entries): real bundles compress 5-30x; zeros
    # reach ~1000x. Checked against the sizes the headers declare, so a bomb is refused before it
    # is inflated.
    max_archive_ratio: int = 500
    archive_ratio_floor: int = 256 * MiB
