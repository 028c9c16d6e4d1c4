"""One entry point for file formats: pick the renderer by name or by the output file's extension.

The console summary is not here: it prints to a ``rich`` console instead of returning text
(see :func:`bundle_analyzer.report.console.render_console`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from bundle_analyzer.report.html import render_html
from bundle_analyzer.report.json_report import render_json
from bundle_analyzer.report.markdown import render_markdown
from bundle_analyzer.report.model import Report

RENDERERS: dict[str, Callable[[Report], str]] = {
    "markdown": render_markdown,
    "html": render_html,
    "json": render_json,
}
FORMATS = tuple(RENDERERS)
_EXTENSIONS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown", ".json": "json"}


def render(report: Report, fmt: str) -> str:
    """The report as text in ``fmt`` ("markdown", "html" or "json")."""
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}") from None
    return renderer(report)


def format_for_output(path: str | PurePath) -> str | None:
    """The format an output file's extension asks for, or None when it does not say."""
    return _EXTENSIONS.get(PurePath(path).suffix.lower())
