#!/usr/bin/env python3
"""Write the report's JSON Schema to the two committed copies (or check them with --check).

    python scripts/export_report_schema.py [--check]

The schema is generated from ``bundle_analyzer.report.model``; run this after changing a
report model and commit both files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = (ROOT / "bundle_analyzer" / "report" / "report-schema.json", ROOT / "docs" / "report-schema.json")


def schema_text() -> str:
    from bundle_analyzer.report.json_report import report_json_schema

    return json.dumps(report_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a committed copy differs")
    args = parser.parse_args(argv)
    text = schema_text()
    stale = []
    for target in TARGETS:
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
    for target in stale:
        print(f"out of date: {target.relative_to(ROOT)} (run scripts/export_report_schema.py)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
