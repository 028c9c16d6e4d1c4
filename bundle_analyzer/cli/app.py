"""The ``cnibundle`` command line: exit codes and output rules of report-contract.md."""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from bundle_analyzer import __version__
from bundle_analyzer.errors import CnibundleError, RulesInvalid
from bundle_analyzer.models.common import Severity

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Offline analysis of Amazon VPC CNI / EKS node support bundles.")
stderr = Console(stderr=True, highlight=False)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


def say(message: str) -> None:
    """One unwrapped line on stderr (rich would wrap long paths onto several lines)."""
    print(message.replace("\n", " "), file=sys.stderr)


class OutputFormat(StrEnum):
    console = "console"
    markdown = "markdown"
    html = "html"
    json = "json"


class FailOn(StrEnum):
    critical = "critical"
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


def _version(value: bool) -> None:
    if value:
        print(f"cnibundle {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False) -> None:
    """cnibundle reads a support bundle offline and says what is wrong, why, and what to do."""


@app.command()
def analyze(
    paths: Annotated[list[Path], typer.Argument(help="Bundle archive(s), extracted directories, or loose files.")],
    format: Annotated[OutputFormat | None, typer.Option("--format", "-f", help="Report format.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    rules: Annotated[list[Path], typer.Option("--rules", help="Extra rule directory or file (repeatable).")] = [],  # noqa: B006
    no_default_rules: Annotated[bool, typer.Option("--no-default-rules", help="Do not load the shipped rules.")] = False,
    overlay: Annotated[Path | None, typer.Option("--overlay", help="YAML overlay that disables/re-levels rules.")] = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 at or above this severity.")] = FailOn.error,
    aws_json: Annotated[list[Path], typer.Option("--aws-json", help="AWS CLI describe-* JSON (repeatable).")] = [],  # noqa: B006
    redact: Annotated[bool, typer.Option("--redact", help="Mask IPs, account/ENI/instance ids, hostnames.")] = False,
    max_members: Annotated[int | None, typer.Option("--max-members", help="Raise the member-count limit.")] = None,
    max_total_bytes: Annotated[int | None, typer.Option("--max-total-bytes", help="Raise the total size limit.")] = None,
    max_member_bytes: Annotated[int | None, typer.Option("--max-member-bytes", help="Raise the per-member limit.")] = None,
) -> None:
    """Analyse bundles and report findings."""
    def work() -> int:
        from bundle_analyzer.analysis import analyze as run_analysis
        from bundle_analyzer.cli.output import write_output
        from bundle_analyzer.cli.progress import progress_reporter
        from bundle_analyzer.source.limits import Limits

        limits = Limits()
        changes = {k: v for k, v in (("max_members", max_members), ("max_total_bytes", max_total_bytes),
                                     ("max_member_bytes", max_member_bytes)) if v is not None}
        if changes:
            from dataclasses import replace

            limits = replace(limits, **changes)
        chosen = _choose_format(format, output)
        with progress_reporter(stderr) as progress:
            report = run_analysis(paths, rules_dirs=rules, default_rules=not no_default_rules, overlay=overlay,
                                  aws_json=aws_json, limits=limits, progress=progress)
        shown = report
        if redact:
            from bundle_analyzer.report.redact import redact_report

            shown = redact_report(report)
        if chosen is OutputFormat.console and output is None:
            from bundle_analyzer.report.console import render_console

            render_console(shown, Console(highlight=False, soft_wrap=False))
        else:
            text = _render(shown, chosen)
            if output is not None:
                write_output(output, text)
            else:
                sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return _exit_code(report, fail_on)

    raise typer.Exit(_guarded(work))


def _choose_format(requested: OutputFormat | None, output: Path | None) -> OutputFormat:
    from bundle_analyzer.report.render import format_for_output

    if requested is not None:
        return requested
    if output is not None:
        by_suffix = format_for_output(output)
        if by_suffix is None:
            raise typer.BadParameter(f"cannot tell the format from {output.name}; add --format", param_hint="--output")
        return OutputFormat(by_suffix)
    return OutputFormat.console


def _render(report, chosen: OutputFormat) -> str:
    if chosen is OutputFormat.console:
        from io import StringIO

        from bundle_analyzer.report.console import render_console

        buffer = StringIO()
        render_console(report, Console(file=buffer, highlight=False, force_terminal=False, width=120))
        return buffer.getvalue()
    from bundle_analyzer.report.render import render

    return render(report, chosen.value)


def _exit_code(report, fail_on: FailOn) -> int:
    if fail_on is FailOn.never:
        return EXIT_OK
    threshold = Severity(fail_on.value).rank
    worst = report.worst_severity()
    return EXIT_FINDINGS if worst is not None and worst.rank >= threshold else EXIT_OK


def _guarded(work) -> int:
    """Map errors to the contract's exit codes: 2 with one clear line, 3 with a traceback file."""
    try:
        return work()
    except RulesInvalid as exc:
        for problem in exc.problems[:50]:
            say(f"cnibundle: invalid rules: {problem}")
        return EXIT_USAGE
    except CnibundleError as exc:
        say(f"cnibundle: {exc}")
        return EXIT_USAGE
    except typer.BadParameter:
        raise
    except KeyboardInterrupt:
        say("cnibundle: interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - the contract wants exit 3 and a trace file, never a raw traceback
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        trace = Path(tempfile.gettempdir()) / f"cnibundle-crash-{stamp}.txt"
        try:
            trace.write_text(traceback.format_exc(), encoding="utf-8")
            where = f"traceback written to {trace}"
        except OSError:
            where = "traceback could not be written"
        say(f"cnibundle: internal error: {type(exc).__name__}: {exc} ({where})")
        return EXIT_BUG


def main() -> None:
    from bundle_analyzer.cli import rules_commands, state_commands  # noqa: F401 - register their commands

    try:
        app()
    except SystemExit as done:
        code = done.code
        if code is not None and not isinstance(code, int):
            say(str(code))
            code = 1
        _leave(code or 0)


def _leave(code: int) -> NoReturn:
    """Exit without tearing the heap down object by object: after a big analysis that takes the
    interpreter 0.1-0.2 s, for nothing. Everything was written and closed before (outputs,
    the scan helper, the CEL worker); the standard streams are flushed here."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
