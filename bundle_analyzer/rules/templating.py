"""Message and remediation templates: jinja2, sandboxed, every name must exist.

Rendered text is plain; each report format escapes it for its own medium.

Rule files come from anyone, so a template is held to what a message needs, checked when it is
compiled (``cnibundle rules lint`` and every load report it with the rule's location):

* the immutable sandbox, and no name starting with ``_`` anywhere (``''.__class__.__mro__``);
* a short list of filters and methods (no ``center``/``format``/``ljust`` whose width argument
  allocates gigabytes), no globals (``range``, ``lipsum``, ``cycler``, ``namespace``...);
* no ``**``, no macros, includes, imports or recursive loops, at most two nested ``for`` loops;
* ``*`` and ``%`` on strings and lists are bounded when rendering, and rendering stops once the
  output passes :data:`MAX_RENDERED` characters.
"""

from __future__ import annotations

import itertools
import operator
from functools import cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.filters import FILTERS
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_RENDERED = 8000
# Largest string or list that ``*`` may build, and the most characters ``replace`` may produce.
MAX_BUILT = 100_000
MAX_LOOP_NESTING = 2

ALLOWED_FILTERS = frozenset({
    "abs", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "filesizeformat", "first",
    "float", "groupby", "int", "items", "join", "last", "length", "list", "lower", "map", "max", "min",
    "reject", "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "sort",
    "string", "striptags", "sum", "title", "tojson", "trim", "truncate", "unique", "upper", "wordcount",
})
ALLOWED_METHODS = frozenset({
    "count", "endswith", "find", "get", "index", "isdigit", "items", "join", "keys", "lower", "lstrip",
    "rfind", "rsplit", "rstrip", "split", "startswith", "strip", "title", "upper", "values",
})
_FORBIDDEN_NODES = (nodes.Macro, nodes.CallBlock, nodes.Include, nodes.Import, nodes.FromImport,
                    nodes.Extends, nodes.Block, nodes.Pow, nodes.Scope, nodes.ScopedEvalContextModifier)


class RuleSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with size-bounded ``*`` and ``%``, and without ``**``."""

    intercepted_binops = frozenset({"*", "%", "**"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            raise SecurityError("** is not allowed in rule templates")
        if operator_name == "%" and isinstance(left, str | bytes):
            raise SecurityError("string formatting with % is not allowed in rule templates")
        if operator_name == "*":
            sequence, times = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(sequence, str | bytes | list | tuple) and isinstance(times, int) \
                    and len(sequence) * max(times, 0) > MAX_BUILT:
                raise SecurityError(f"'*' would build more than {MAX_BUILT} items")
            return operator.mul(left, right)
        return super().call_binop(context, operator_name, left, right)


@cache
def environment() -> RuleSandbox:
    env = RuleSandbox(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)
    env.filters = {name: FILTERS[name] for name in ALLOWED_FILTERS if name in FILTERS}
    env.filters["replace"] = bounded_replace
    env.filters["join_some"] = join_some
    env.filters["when"] = when
    env.globals.clear()
    return env


def when(value: Any) -> str:
    """Timestamps in messages: ``2024-01-10 20:46:28Z``, to the second."""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M:%SZ")
    return str(value)


def join_some(values: Any, limit: int = 5, sep: str = ", ") -> str:
    """``a, b, c (+4 more)``: long value lists stay readable in a one-line message."""
    items = [str(v) for v in itertools.islice(values or [], 100_000)]
    head = str(sep)[:100].join(items[: max(0, min(int(limit), 1000))])
    return head + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


def bounded_replace(value: Any, old: str, new: str, count: int | None = None) -> str:
    """jinja2's ``replace``, refused when the result would pass :data:`MAX_BUILT` characters."""
    text, old, new = str(value), str(old), str(new)
    hits = text.count(old) if old else len(text) + 1
    if count is not None:
        hits = min(hits, max(int(count), 0))
    if len(text) + hits * (len(new) - len(old)) > MAX_BUILT:
        raise SecurityError(f"replace would build more than {MAX_BUILT} characters")
    return text.replace(old, new, -1 if count is None else max(int(count), 0))


def compile_template(source: str):
    """Compile once at load time; raises jinja2.TemplateError with the line on bad syntax or on
    anything :func:`check_template` refuses."""
    env = environment()
    tree = env.parse(source)
    check_template(tree)
    return CheckedTemplate(tree)


class CheckedTemplate:
    """A template parsed and checked at load, turned into Python code on its first render.

    Generating and compiling the code is most of a template's cost (~0.5 ms), and most rules do
    not fire in a given run. Everything that can fail is judged at load: syntax and
    :func:`check_template` by the parse, unknown filters and tests by the check.
    """

    __slots__ = ("_template", "_tree")

    def __init__(self, tree: nodes.Template):
        self._tree = tree
        self._template = None

    def generate(self, **context: Any):
        if self._template is None:
            env = environment()
            self._template = env.template_class.from_code(env, env.compile(self._tree), env.make_globals(None), None)
        return self._template.generate(**context)


def check_template(tree: nodes.Template) -> None:
    """Refuse what a message template never needs and a hostile one uses (see module doc)."""
    for node in tree.find_all(nodes.Node):
        line = getattr(node, "lineno", None)
        if isinstance(node, _FORBIDDEN_NODES):
            raise TemplateSyntaxError(f"{type(node).__name__.lower()} is not allowed in rule templates", line)
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            raise TemplateSyntaxError(f"attribute {node.attr!r} is not allowed in rule templates", line)
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) \
                and isinstance(node.arg.value, str) and node.arg.value.startswith("_"):
            raise TemplateSyntaxError(f"item {node.arg.value!r} is not allowed in rule templates", line)
        if isinstance(node, nodes.Call):
            _check_call(node, line)
        if isinstance(node, nodes.Mul | nodes.Mod) and isinstance(node.left, nodes.Const) \
                and isinstance(node.right, nodes.Const):
            try:  # constants are cheap to judge now, and lint should say so
                environment().call_binop(None, "*" if isinstance(node, nodes.Mul) else "%",
                                         node.left.value, node.right.value)
            except SecurityError as exc:
                raise TemplateSyntaxError(str(exc), line) from None
            except (TypeError, ValueError, ZeroDivisionError):
                pass
        if isinstance(node, nodes.For):
            if node.recursive:
                raise TemplateSyntaxError("recursive loops are not allowed in rule templates", line)
            if _loop_depth(tree, node) > MAX_LOOP_NESTING:
                raise TemplateSyntaxError(f"for loops nested deeper than {MAX_LOOP_NESTING}", line)
        if isinstance(node, nodes.Filter | nodes.Test):
            for argument in [*node.args, *(kw.value for kw in node.kwargs)]:
                if isinstance(argument, nodes.Const) and isinstance(argument.value, str) \
                        and argument.value.lstrip(".").startswith("_"):
                    raise TemplateSyntaxError(f"attribute {argument.value!r} is not allowed in rule templates", line)
        # What code generation would refuse, said at load: the code is generated on first use.
        if isinstance(node, nodes.Filter) and node.name not in environment().filters:
            raise TemplateSyntaxError(f"No filter named {node.name!r}.", line)
        if isinstance(node, nodes.Test) and node.name not in environment().tests:
            raise TemplateSyntaxError(f"No test named {node.name!r}.", line)


def _check_call(node: nodes.Call, line: int | None) -> None:
    callee = node.node
    if isinstance(callee, nodes.Getattr) and callee.attr in ALLOWED_METHODS:
        return
    if isinstance(callee, nodes.Getattr) and isinstance(callee.node, nodes.Name) and callee.node.name == "loop" \
            and callee.attr in ("cycle", "changed"):
        return
    name = callee.attr if isinstance(callee, nodes.Getattr) else getattr(callee, "name", type(callee).__name__)
    raise TemplateSyntaxError(f"calling {name!r} is not allowed in rule templates", line)


def _loop_depth(tree: nodes.Template, target: nodes.For) -> int:
    def depth(node: nodes.Node, level: int) -> int | None:
        if node is target:
            return level + 1
        inner = level + 1 if isinstance(node, nodes.For) else level
        for child in node.iter_child_nodes():
            found = depth(child, inner)
            if found is not None:
                return found
        return None

    return depth(tree, 0) or 1


def render(template, context: dict[str, Any]) -> str:
    """Render, stopping once the output is long enough to be cut anyway."""
    parts: list[str] = []
    size = 0
    for part in template.generate(**context):
        parts.append(part)
        size += len(part)
        if size > MAX_RENDERED * 2:
            break
    text = "".join(parts).strip()
    return text if len(text) <= MAX_RENDERED else text[:MAX_RENDERED] + " …"


__all__ = ["TemplateError", "check_template", "compile_template", "join_some", "render"]
