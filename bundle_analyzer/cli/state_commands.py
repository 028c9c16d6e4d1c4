"""``cnibundle show …`` and ``cnibundle trace``: the node's state as tables, and packet walks."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bundle_analyzer.cli.app import EXIT_OK, EXIT_USAGE, _guarded, app, say


class View(StrEnum):
    enis = "enis"
    ips = "ips"
    pods = "pods"
    rules = "rules"
    routes = "routes"
    iptables = "iptables"
    config = "config"
    control_plane = "control-plane"


class TableFormat(StrEnum):
    table = "table"
    json = "json"


@app.command()
def show(view: Annotated[View, typer.Argument(help="What to show.")],
         paths: Annotated[list[Path], typer.Argument(help="The bundle (archive, directory or loose files).")],
         format: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
         aws_json: Annotated[list[Path], typer.Option("--aws-json", help="AWS CLI describe-* JSON.")] = [],  # noqa: B006
         ) -> None:
    """Show the node's state as joined tables (ENIs with tables and subnets, IPs with pods and veths, ...)."""
    def work() -> int:
        from bundle_analyzer.load import load_bundle
        from bundle_analyzer.state.views import state_rows

        from bundle_analyzer.analysis import _aws_artifact, attach_aws_json

        bundle = load_bundle(paths)
        attach_aws_json(bundle, [_aws_artifact(p) for p in aws_json])
        columns, rows = state_rows(bundle, view.value)
        if format is TableFormat.json:
            print(json.dumps([dict(zip(columns, row, strict=True)) for row in rows], indent=2, default=str))
            return EXIT_OK
        table = Table(*columns, title=f"{view.value} — {bundle.path}", title_justify="left")
        for row in rows:
            table.add_row(*(Text(_cell(value)) for value in row))
        console = Console(highlight=False)
        if not console.is_terminal:
            console = Console(highlight=False, width=240)  # piped into a file or a ticket: do not squeeze
        console.print(table)
        return EXIT_OK

    raise typer.Exit(_guarded(work))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


class Proto(StrEnum):
    tcp = "tcp"
    udp = "udp"
    icmp = "icmp"


@app.command()
def trace(paths: Annotated[list[Path], typer.Argument(help="The bundle.")],
          source: Annotated[str, typer.Option("--from", help="Pod IP or pod name (namespace/name).")],
          destination: Annotated[str, typer.Option("--to", help="Destination IP, pod, or service ClusterIP.")],
          port: Annotated[int | None, typer.Option("--port", help="Destination port.")] = None,
          proto: Annotated[Proto, typer.Option("--proto")] = Proto.tcp,
          format: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table) -> None:
    """Walk a packet through the node offline and say where its path breaks."""
    def work() -> int:
        from bundle_analyzer.load import load_bundle
        from bundle_analyzer.trace import trace_path
        from bundle_analyzer.trace.walk import TraceError

        bundle = load_bundle(paths)
        try:
            result = trace_path(bundle, source, destination, proto=proto.value, port=port)
        except TraceError as exc:
            say(f"cnibundle: {exc}")
            return EXIT_USAGE
        if format is TableFormat.json:
            print(result.model_dump_json(indent=2))
        else:
            _print_trace(result)
        return EXIT_OK if not result.broken else 1

    raise typer.Exit(_guarded(work))


_MARK = {"ok": "✓", "changed": "→", "broken": "✗", "note": "·"}


def _print_trace(result) -> None:
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=200)
    port = f":{result.port}" if result.port else ""
    console.print(Text(f"trace {result.source} → {result.destination}{port} ({result.protocol})", style="bold"))
    for number, hop in enumerate(result.hops, 1):
        style = {"broken": "bold red", "changed": "yellow", "note": "dim"}.get(hop.verdict.value, "")
        console.print(Text(f"{number:>2} {_MARK[hop.verdict.value]} [{hop.stage}] {hop.decision}", style=style))
        if hop.path:
            where = f"{hop.path}:{hop.line}" if hop.line else hop.path
            console.print(Text(f"      {where}  {(hop.excerpt or '').strip()}", style="dim"))
        if hop.explained_by:
            console.print(Text(f"      explained by rule {hop.explained_by}", style="cyan"))
    verdict = "BROKEN: " + result.summary if result.broken else ("delivered: " + result.summary)
    console.print(Text(verdict, style="bold red" if result.broken else "bold green"))
