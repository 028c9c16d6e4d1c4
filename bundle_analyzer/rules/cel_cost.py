"""How much work a CEL expression can do, judged from its text before it ever runs.

Rule files come from anyone. CEL has no loops, but its comprehension macros (``map``, ``filter``,
``all``, ``exists``, ``exists_one``) nest, and ``+`` concatenates strings and lists; the
``[value].map(name, body)`` binding idiom the shipped rules use lets a value be doubled at every
level. So ``[1,2,…,100].map(a, [1,…,100].map(b, [1,…,100].map(c, a+b+c)))`` runs for many
seconds, and thirty nested ``[s + s].map(s, …)`` build a gigabyte string.

:func:`estimate` parses the expression (a small recursive-descent parser for the CEL grammar) and
adds up an upper bound of the work in "steps" (~1 µs each), assuming every list, map or string
that comes from the bundle holds ``unknown_size`` items. Literal lists, strings and what is built
from them are sized exactly. The CEL library's ``map`` and ``filter`` copy their result as it
grows (quadratic in the output), which the estimate charges too.

At load time the rule compiler refuses expressions whose estimate with ``unknown_size=1`` is over
:data:`MAX_STATIC_STEPS`: the work the expression text itself asks for, whatever the bundle. The
work that depends on the bundle's size is bounded when the expression runs (``cel_runner``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_STATIC_STEPS = 2_000_000
MAX_NESTING = 64
# One step is one comprehension iteration (~1 µs); growing a map/filter result by one element
# costs the CEL library a copy of the list so far, ~0.05 µs per element.
ACCUMULATE = 0.05
_MACROS = frozenset({"map", "filter", "all", "exists", "exists_one"})
_LIST_RESULT = frozenset({"map", "filter"})


class CelSyntaxError(ValueError):
    """The expression is not CEL this parser understands (the CEL compiler judges separately)."""


@dataclass(frozen=True)
class Size:
    """Upper bound of a value's length (list items, map entries, string characters), and of its
    elements' sizes when it is a list or map."""

    n: float
    elem: Size | None = None


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+|//[^\n]*)
  | (?P<string>[rR]?[bB]?[rR]?(?:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"))
  | (?P<number>0[xX][0-9a-fA-F]+[uU]?|(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?[uU]?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\|\||&&|==|!=|<=|>=|[-+*/%!<>?:.,()\[\]{}])
    """,
    re.VERBOSE | re.DOTALL,
)


def tokenize(source: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise CelSyntaxError(f"unexpected character {source[pos]!r} at {pos}")
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append((kind, match.group()))
        pos = match.end()
    tokens.append(("end", ""))
    return tokens


def _string_length(token: str) -> int:
    body = token.lstrip("rRbB")
    quote = 3 if body[:3] in ("'''", '"""') else 1
    return max(len(body) - 2 * quote, 0)


class _Parser:
    """CEL grammar (cel-spec langdef.md) into tuples: ("lit", Size|None), ("ident", name),
    ("list", items), ("map", pairs), ("select", operand, field), ("index", operand, key),
    ("call", name, target|None, args), ("op", symbol, operands), ("cond", test, then, else)."""

    def __init__(self, source: str):
        self.tokens = tokenize(source)
        self.pos = 0
        self.depth = 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def take(self, text: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if text is not None and token[1] != text:
            raise CelSyntaxError(f"expected {text!r}, found {token[1]!r}")
        self.pos += 1
        return token

    def at(self, *texts: str) -> bool:
        kind, text = self.peek()
        return kind in ("op", "ident") and text in texts

    def parse(self):
        node = self.expr()
        if self.peek()[0] != "end":
            raise CelSyntaxError(f"unexpected {self.peek()[1]!r}")
        return node

    def expr(self):
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise CelSyntaxError(f"nested deeper than {MAX_NESTING} levels")
        test = self.binary(0)
        if self.at("?"):
            self.take("?")
            then = self.binary(0)
            self.take(":")
            test = ("cond", test, then, self.expr())
        self.depth -= 1
        return test

    _LEVELS = (("||",), ("&&",), ("<", "<=", ">=", ">", "==", "!=", "in"), ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int):
        if level == len(self._LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while self.at(*self._LEVELS[level]):
            symbol = self.take()[1]
            node = ("op", symbol, (node, self.binary(level + 1)))
        return node

    def unary(self):
        if self.at("!", "-"):
            symbol = self.take()[1]
            return ("op", symbol, (self.unary(),))
        return self.member()

    def member(self):
        node = self.primary()
        while True:
            if self.at("."):
                self.take(".")
                if self.at("?"):
                    self.take("?")
                kind, name = self.take()
                if kind != "ident":
                    raise CelSyntaxError(f"expected a field name after '.', found {name!r}")
                if self.at("("):
                    node = ("call", name, node, self.arguments(")"))
                else:
                    node = ("select", node, name)
            elif self.at("["):
                self.take("[")
                if self.at("?"):
                    self.take("?")
                key = self.expr()
                self.take("]")
                node = ("index", node, key)
            else:
                return node

    def arguments(self, closer: str) -> list:
        self.take()  # the opener
        items = []
        while not self.at(closer):
            items.append(self.expr())
            if not self.at(","):
                break
            self.take(",")
        self.take(closer)
        return items

    def primary(self):
        kind, text = self.peek()
        if kind == "string":
            self.take()
            return ("lit", Size(_string_length(text)))
        if kind == "number":
            self.take()
            return ("lit", None)
        if kind == "ident":
            self.take()
            if text in ("true", "false", "null"):
                return ("lit", None)
            if self.at("("):
                return ("call", text, None, self.arguments(")"))
            if self.at("{"):  # message construction: Type{field: value}
                return ("map", self.map_entries(fields=True))
            return ("ident", text)
        if text == ".":
            self.take(".")
            return self.primary()
        if text == "(":
            self.take("(")
            node = self.expr()
            self.take(")")
            return node
        if text == "[":
            return ("list", self.arguments("]"))
        if text == "{":
            return ("map", self.map_entries(fields=False))
        raise CelSyntaxError(f"unexpected {text!r}" if text else "unexpected end of expression")

    def map_entries(self, *, fields: bool) -> list:
        self.take("{")
        pairs = []
        while not self.at("}"):
            if self.at("?"):
                self.take("?")
            key = ("lit", None) if fields else self.expr()
            if fields:
                self.take()
            self.take(":")
            pairs.append((key, self.expr()))
            if not self.at(","):
                break
            self.take(",")
        self.take("}")
        return pairs


def parse(source: str):
    """The expression tree, or :class:`CelSyntaxError`."""
    try:
        return _Parser(source).parse()
    except RecursionError:
        raise CelSyntaxError("nested too deeply") from None


def estimate(source: str, *, unknown_size: float = 1) -> float:
    """Upper bound of the steps evaluating ``source`` takes (see the module docstring)."""
    cost, _ = _Estimator(unknown_size).walk(parse(source), {})
    return cost


def static_problem(source: str) -> str | None:
    """Why the text of ``source`` alone asks for too much work, or None."""
    try:
        steps = estimate(source, unknown_size=1)
    except CelSyntaxError:
        return None  # the CEL compiler reports syntax; anything it accepts is bounded at run time
    if steps > MAX_STATIC_STEPS:
        return (f"CEL expression would take about {steps:.3g} steps whatever the bundle holds "
                f"(limit {MAX_STATIC_STEPS}): nested comprehensions over large literal lists, or values "
                "doubled at every level")
    return None


class _Estimator:
    def __init__(self, unknown: float):
        self.unknown = Size(unknown, None)

    def walk(self, node, env: dict[str, Size | None]) -> tuple[float, Size | None]:
        kind = node[0]
        if kind == "lit":
            return 1, node[1]
        if kind == "ident":
            return 1, env.get(node[1], self.unknown) if node[1] in env else self.unknown
        if kind == "list":
            cost, sizes = self._all(node[1], env)
            return cost + len(node[1]), Size(len(node[1]), _largest(sizes))
        if kind == "map":
            cost, sizes = self._all([value for _, value in node[1]] + [key for key, _ in node[1]], env)
            values = sizes[: len(node[1])]
            return cost + len(node[1]), Size(len(node[1]), _largest(values))
        if kind == "select":
            cost, size = self.walk(node[1], env)
            return cost + 1, (size.elem if size is not None and size.elem is not None else self.unknown)
        if kind == "index":
            cost, size = self.walk(node[1], env)
            key_cost, _ = self.walk(node[2], env)
            return cost + key_cost + 1, (size.elem if size is not None and size.elem is not None else self.unknown)
        if kind == "cond":
            costs = [self.walk(part, env) for part in node[1:]]
            return costs[0][0] + max(costs[1][0], costs[2][0]), _largest([costs[1][1], costs[2][1]])
        if kind == "op":
            return self._operator(node[1], node[2], env)
        return self._call(node, env)

    def _all(self, nodes, env) -> tuple[float, list[Size | None]]:
        cost = 0.0
        sizes = []
        for item in nodes:
            item_cost, size = self.walk(item, env)
            cost += item_cost
            sizes.append(size)
        return cost, sizes

    def _operator(self, symbol: str, operands, env) -> tuple[float, Size | None]:
        cost, sizes = self._all(operands, env)
        if symbol == "+" and len(sizes) == 2:
            if sizes[0] is None and sizes[1] is None:
                return cost + 1, None
            total = sum(s.n for s in sizes if s is not None)
            return cost + total, Size(total, _largest([s.elem for s in sizes if s is not None]))
        if symbol == "in" and len(sizes) == 2:
            return cost + (sizes[1].n if sizes[1] is not None else self.unknown.n), None
        if symbol in ("==", "!=") and len(sizes) == 2:
            return cost + max((s.n for s in sizes if s is not None), default=1), None
        return cost + 1, None

    def _call(self, node, env) -> tuple[float, Size | None]:
        _, name, target, args = node
        if target is not None and name in _MACROS and args and args[0][0] == "ident":
            return self._comprehension(name, target, args, env)
        if name == "has":
            return 1, None
        parts = ([target] if target is not None else []) + list(args)
        cost, sizes = self._all(parts, env)
        if name in ("size", "int", "uint", "double", "bool", "contains", "startsWith", "endsWith",
                    "matches", "exists", "all"):
            return cost + max((s.n for s in sizes if s is not None), default=1), None
        return cost + 1 + sum(s.n for s in sizes if s is not None), _largest(sizes)

    def _comprehension(self, name: str, target, args, env) -> tuple[float, Size | None]:
        cost, size = self.walk(target, env)
        size = size if size is not None else self.unknown
        inner = dict(env)
        inner[args[0][1]] = size.elem
        body_cost, body_sizes = self._all(args[1:], inner)
        n = size.n
        cost += n * (1 + body_cost)
        if name in _LIST_RESULT:
            cost += ACCUMULATE * n * n
            elem = body_sizes[-1] if name == "map" and body_sizes else size.elem
            return cost, Size(n, elem)
        return cost, None


def _largest(sizes) -> Size | None:
    known = [s for s in sizes if s is not None]
    if not known:
        return None
    return Size(max(s.n for s in known), _largest([s.elem for s in known]))
