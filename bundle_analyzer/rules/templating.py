"""Message and remediation templates: jinja2, sandboxed, every name must exist.

Rendered text is plain; each report format escapes it for its own medium.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_RENDERED = 8000


@cache
def environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                        trim_blocks=True, lstrip_blocks=True)
    env.filters["join_some"] = join_some
    env.filters["when"] = when
    return env


def when(value: Any) -> str:
    """Timestamps in messages: ``2024-01-10 20:46:28Z``, to the second."""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M:%SZ")
    return str(value)


def join_some(values: Any, limit: int = 5, sep: str = ", ") -> str:
    """``a, b, c (+4 more)``: long value lists stay readable in a one-line message."""
    items = [str(v) for v in (values or [])]
    head = sep.join(items[:limit])
    return head + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


def compile_template(source: str):
    """Compile once at load time; raises jinja2.TemplateError with the line on bad syntax."""
    return environment().from_string(source)


def render(template, context: dict[str, Any]) -> str:
    text = template.render(**context).strip()
    return text if len(text) <= MAX_RENDERED else text[:MAX_RENDERED] + " …"


__all__ = ["TemplateError", "compile_template", "render", "join_some"]
