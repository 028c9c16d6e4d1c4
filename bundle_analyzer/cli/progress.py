"""Progress on stderr for long runs, only when stderr is a terminal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


@contextmanager
def progress_reporter(console: Console) -> Iterator:
    if not console.is_terminal:
        yield None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("reading bundle", total=None)

        def update(path: str, size: int) -> None:
            shown = path if len(path) < 70 else "…" + path[-69:]
            progress.update(task, description=f"reading {shown}")

        yield update
