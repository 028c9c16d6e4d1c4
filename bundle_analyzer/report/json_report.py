"""The JSON report (the public contract) and its JSON Schema, generated from the models.

``docs/report-schema.json`` and ``bundle_analyzer/report/report-schema.json`` are written by
``scripts/export_report_schema.py``; a test keeps them equal to :func:`report_json_schema`.
"""

from __future__ import annotations

from typing import Any

from bundle_analyzer.report.model import SCHEMA_VERSION, Report


def render_json(report: Report) -> str:
    """Exactly one JSON document (no trailing text), as ``--format json`` writes it."""
    return report.model_dump_json(indent=2)


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of what :func:`render_json` writes."""
    schema = Report.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"cnibundle report (schema_version {SCHEMA_VERSION})",
        **{k: v for k, v in schema.items() if k != "title"},
    }
