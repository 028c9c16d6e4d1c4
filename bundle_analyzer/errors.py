"""Errors that end an analysis before it starts (exit code 2 on the command line).

Everything else (a damaged file, a broken rule) is reported inside the report and never raised.
"""

from __future__ import annotations


class CnibundleError(Exception):
    """Base of the errors the CLI turns into one clear line and exit status 2."""


class BundleRefused(CnibundleError):
    """The input is hostile or is not a bundle at all; nothing was analysed."""


class RulesInvalid(CnibundleError):
    """Rule files could not be loaded (bad YAML, unknown fields, regex RE2 rejects...)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        head = problems[0] if problems else "invalid rules"
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{head}{more}")
