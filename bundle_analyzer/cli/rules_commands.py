"""``cnibundle rules …``: lint, list, explain, test and schema for rule authors."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bundle_analyzer.cli.app import EXIT_OK, EXIT_USAGE, app, say

rules_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Write, check and test rules.")
app.add_typer(rules_app, name="rules")


def _sources(paths: list[Path], no_default: bool) -> list[Path]:
    from bundle_analyzer.rules.packs import rule_sources

    return paths if paths else rule_sources(default=not no_default)


@rules_app.command("lint")
def lint(paths: Annotated[list[Path], typer.Argument(help="Rule files or directories.")]) -> None:
    """Check rule files: schema, unique ids, known artifacts, RE2 regexes, CEL, templates."""
    from bundle_analyzer.rules.compile import compile_rules
    from bundle_analyzer.rules.loader import load_rules, rule_files

    files = rule_files(paths)
    if not files:
        say(f"cnibundle: no rule files under {' '.join(map(str, paths))}")
        raise typer.Exit(EXIT_USAGE)
    loaded, problems = load_rules(paths)
    compiled, set_problems = compile_rules(loaded)
    problems = problems + set_problems + [p for rule in compiled for p in rule.problems]
    for problem in problems:
        print(problem)
    print(f"{len(files)} file(s), {len(loaded)} rule(s), {len(problems)} problem(s)", file=sys.stderr)
    raise typer.Exit(EXIT_USAGE if problems else EXIT_OK)


@rules_app.command("list")
def list_rules(paths: Annotated[list[Path], typer.Argument(help="Rule files or directories.")] = [],  # noqa: B006
               no_default_rules: bool = typer.Option(False, "--no-default-rules"),
               as_json: bool = typer.Option(False, "--json", help="Machine-readable list.")) -> None:
    """List the rules that would run."""
    from bundle_analyzer.rules.loader import load_rules

    loaded, problems = load_rules(_sources(paths, no_default_rules))
    rows = [{"id": r.rule.id, "severity": r.rule.severity.value, "category": r.rule.category,
             "kind": _kind(r.rule), "status": r.rule.status.value, "title": r.rule.title} for r in loaded]
    if as_json:
        print(json.dumps(rows, indent=2))
    else:
        table = Table("id", "severity", "category", "kind", "title")
        for row in rows:
            table.add_row(row["id"], row["severity"], row["category"], row["kind"], row["title"])
        Console(highlight=False).print(table)
    for problem in problems:
        say(str(problem))
    raise typer.Exit(EXIT_USAGE if problems else EXIT_OK)


def _kind(rule) -> str:
    if rule.unsupported:
        return "unsupported"
    return "+".join(k for k, v in (("log", rule.log), ("check", rule.check)) if v)


@rules_app.command("explain")
def explain(rule_id: str, paths: Annotated[list[Path], typer.Argument()] = [],  # noqa: B006
            no_default_rules: bool = typer.Option(False, "--no-default-rules")) -> None:
    """Show one rule: what it looks for, where, and what to do."""
    from ruamel.yaml import YAML

    from bundle_analyzer.rules.loader import load_rules

    loaded, _ = load_rules(_sources(paths, no_default_rules))
    found = next((r for r in loaded if r.rule.id == rule_id), None)
    if found is None:
        say(f"cnibundle: no rule {rule_id}")
        raise typer.Exit(EXIT_USAGE)
    rule = found.rule
    print(f"{rule.id}  [{rule.severity.value}, {rule.category}, {rule.status.value}]  ({found.location})")
    print(rule.title)
    print()
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.dump(rule.model_dump(mode="json", exclude_none=True, exclude_defaults=True, by_alias=True), sys.stdout)


@rules_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of a rule file (for editor completion)."""
    from bundle_analyzer.rules.model import RuleFile

    print(json.dumps(RuleFile.model_json_schema(by_alias=True), indent=2))


@rules_app.command("test")
def test(paths: Annotated[list[Path], typer.Argument(help="Rule directories (with tests/).")] = [],  # noqa: B006
         no_default_rules: bool = typer.Option(False, "--no-default-rules"),
         only: Annotated[list[str], typer.Option("--rule", help="Only this rule id (repeatable).")] = []) -> None:  # noqa: B006
    """Run each rule's data fixtures (firing, passing, skipped cases) and check the outcomes."""
    from bundle_analyzer.rules.selftest import run_rule_tests

    outcome = run_rule_tests(_sources(paths, no_default_rules), only=set(only) or None)
    for line in outcome.lines:
        print(line)
    print(f"{outcome.passed} passed, {outcome.failed} failed")
    raise typer.Exit(EXIT_OK if outcome.failed == 0 and outcome.passed else EXIT_USAGE)
