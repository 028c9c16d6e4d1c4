"""Load rule files with ruamel.yaml, keeping every rule's file:line:col for messages.

Loading is collect-all: each problem in each file is reported, with its location, before
anything runs. YAML tags are refused outright (a rule file never needs one, and a tag is how
YAML loaders are talked into building objects); nothing in a rule file is ever executed.
Anchors and aliases are allowed, but the tree they expand to is bounded (billion laughs), and so
are the file size (ruamel's round-trip parser needs ~25 s and 500 MB for 4 MB) and the number of
problems reported per file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from bundle_analyzer.rules.model import Overlay, Rule

MAX_RULE_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 40
MAX_FLOW_DEPTH = 160
_BRACKETS = re.compile(r"[\[\]{}\n]")
# Values in the tree once aliases are expanded; the shipped pack holds a few thousand.
MAX_EXPANDED_NODES = 200_000
MAX_PROBLEMS_PER_FILE = 200


@dataclass(frozen=True)
class Location:
    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class RuleProblem:
    location: Location
    message: str
    rule_id: str | None = None

    def __str__(self) -> str:
        who = f" [{self.rule_id}]" if self.rule_id else ""
        return f"{self.location}:{who} {self.message}"


@dataclass
class LoadedRule:
    rule: Rule
    location: Location
    node: Any  # the ruamel mapping, to locate fields later (lint)

    def locate(self, *path: str | int) -> Location:
        return locate(self.node, path, self.location.file) or self.location


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` rule file under the given files and directories (tests excluded)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*.y*ml"))
                         if p.suffix in (".yaml", ".yml") and "tests" not in p.relative_to(path).parts)
        else:
            found.append(path)
    return found


def read_yaml(path: Path) -> tuple[Any, list[RuleProblem]]:
    """Parse one YAML file safely; return the tree or the problems."""
    where = Location(str(path), 1, 1)
    try:
        if path.stat().st_size > MAX_RULE_FILE_BYTES:
            return None, [RuleProblem(where, f"file larger than {MAX_RULE_FILE_BYTES} bytes")]
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [RuleProblem(where, f"cannot read: {exc}")]
    deep = _too_deep(text)
    if deep is not None:
        return None, [RuleProblem(Location(str(path), *deep), f"YAML nested deeper than {MAX_FLOW_DEPTH} levels")]
    try:
        tree = _compose_plain(text)
        if tree is None:
            tree = YAML(typ="rt").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = Location(str(path), mark.line + 1, mark.column + 1) if mark else where
        return None, [RuleProblem(loc, f"invalid YAML: {getattr(exc, 'problem', None) or exc}")]
    except RecursionError:
        return None, [RuleProblem(where, "YAML nested too deeply")]
    problems = _capped(_refuse_tags(tree, str(path), [0]), Location(str(path), 1, 1))
    return (None if problems else tree), problems


def _compose_plain(text: str) -> Any | None:
    """The tree ruamel's round-trip loader would give, composed by libyaml instead (~10x faster:
    the rule pack loads on every run), or None to leave the file to the round-trip loader.

    Taken only for what the pure loader would build the same way: no tag, no anchor, no
    alias (the round-trip loader refuses tags and bounds alias expansion, with locations), no
    syntax error (its messages say where), and ``ruamel.yaml.clib`` installed. Containers
    carry the same line/column data, so every problem is still located.
    """
    if _FAST_YAML is None:
        return None
    try:
        for event in _FAST_YAML.parse(text):
            if getattr(event, "tag", None) is not None or getattr(event, "anchor", None) is not None \
                    or isinstance(event, AliasEvent):
                return None
        root = _FAST_YAML.compose(text)
    except (YAMLError, RecursionError):
        return None
    return None if root is None else _commented(root, _FAST_YAML.constructor)


def _commented(node: Node, constructor: Any) -> Any:
    mark = node.start_mark
    if isinstance(node, MappingNode):
        mapping = CommentedMap()
        mapping._yaml_set_line_col(mark.line, mark.column)
        for key_node, value_node in node.value:
            key = _commented(key_node, constructor)
            mapping[key] = _commented(value_node, constructor)
            mapping._yaml_set_kv_line_col(key, [key_node.start_mark.line, key_node.start_mark.column,
                                                value_node.start_mark.line, value_node.start_mark.column])
        return mapping
    if isinstance(node, SequenceNode):
        sequence = CommentedSeq()
        sequence._yaml_set_line_col(mark.line, mark.column)
        for index, item in enumerate(node.value):
            sequence.append(_commented(item, constructor))
            sequence._yaml_set_idx_line_col(index, [item.start_mark.line, item.start_mark.column])
        return sequence
    return constructor.construct_object(node, deep=True)


def _fast_yaml() -> YAML | None:
    try:
        import _ruamel_yaml  # noqa: F401 - the C extension (package ruamel.yaml.clib)
    except ImportError:
        return None
    loader = YAML(typ="safe", pure=False)
    return loader if "CParser" in getattr(loader.Parser, "__name__", "") else None


_FAST_YAML = _fast_yaml()


def _too_deep(text: str) -> tuple[int, int] | None:
    """Where ``[``/``{`` open more than MAX_FLOW_DEPTH levels, or None. ruamel recurses per level
    and takes seconds to give up on a thousand; brackets inside quoted strings are counted too,
    which only matters for text no rule file holds (a hundred unclosed brackets)."""
    depth = 0
    line, line_start = 1, 0
    for match in _BRACKETS.finditer(text):
        char = match.group()
        if char == "\n":
            line, line_start = line + 1, match.end()
        elif char in "[{":
            depth += 1
            if depth > MAX_FLOW_DEPTH:
                return line, match.start() - line_start + 1
        elif depth:
            depth -= 1
    return None


def _capped(found: Iterable[RuleProblem], where: Location) -> list[RuleProblem]:
    problems: list[RuleProblem] = []
    for problem in found:
        if len(problems) >= MAX_PROBLEMS_PER_FILE:
            problems.append(RuleProblem(where, f"more than {MAX_PROBLEMS_PER_FILE} problems; the rest not listed"))
            break
        problems.append(problem)
    return problems


def _refuse_tags(node: Any, file: str, seen: list[int], depth: int = 0,
                 parent: Location | None = None) -> Iterable[RuleProblem]:
    """Tags, nesting and expanded size, walked as pydantic will see the tree (aliases expanded)."""
    seen[0] += 1
    if seen[0] > MAX_EXPANDED_NODES:
        if seen[0] == MAX_EXPANDED_NODES + 1:
            yield RuleProblem(parent or _loc_of(node, file),
                              f"YAML expands to more than {MAX_EXPANDED_NODES} values (aliases of aliases?)")
        return
    if depth > MAX_DEPTH:
        yield RuleProblem(_loc_of(node, file), f"nested deeper than {MAX_DEPTH} levels")
        return
    tag = getattr(node, "tag", None)
    tag_value = getattr(tag, "value", None) if tag is not None and not isinstance(tag, str) else tag
    if tag_value:
        known = getattr(getattr(node, "lc", None), "line", None) is not None
        where = _loc_of(node, file) if known else (parent or _loc_of(node, file))
        yield RuleProblem(where, f"YAML tag {tag_value} is not allowed in rule files")
        return
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            yield from _refuse_tags(value, file, seen, depth + 1, _child_loc(node, key, file) or parent)
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            yield from _refuse_tags(value, file, seen, depth + 1, _child_loc(node, index, file) or parent)


def _child_loc(node: Any, key: Any, file: str) -> Location | None:
    """Where the value under ``key`` starts (ruamel keeps it on the container)."""
    try:
        line, col = node.lc.value(key) if isinstance(node, CommentedMap) else node.lc.item(key)
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    return Location(file, line + 1, col + 1)


def load_rules(paths: Iterable[Path]) -> tuple[list[LoadedRule], list[RuleProblem]]:
    loaded: list[LoadedRule] = []
    problems: list[RuleProblem] = []
    for path in rule_files(paths):
        tree, found = read_yaml(path)
        problems.extend(found)
        if tree is None:
            continue
        items = tree.get("rules") if isinstance(tree, CommentedMap) else None
        if not isinstance(items, CommentedSeq):
            problems.append(RuleProblem(Location(str(path), 1, 1), "a rule file holds a mapping with a 'rules' list"))
            continue
        file_problems: list[RuleProblem] = []
        for index, node in enumerate(items):
            loaded_rule, rule_problems = _build_rule(node, path, items, index)
            file_problems.extend(rule_problems)
            if loaded_rule:
                loaded.append(loaded_rule)
            if len(file_problems) > MAX_PROBLEMS_PER_FILE:
                break
        problems.extend(_capped(file_problems, Location(str(path), 1, 1)))
    return loaded, problems


def _build_rule(node: Any, path: Path, parent: CommentedSeq, index: int) -> tuple[LoadedRule | None, list[RuleProblem]]:
    line, col = parent.lc.item(index)
    where = Location(str(path), line + 1, col + 1)
    rule_id = node.get("id") if isinstance(node, CommentedMap) else None
    try:
        rule = Rule.model_validate(_plain(node))
    except ValidationError as exc:
        return None, [RuleProblem(locate(node, err["loc"], str(path)) or where, _say(err), rule_id)
                      for err in exc.errors()]
    return LoadedRule(rule, where, node), []


def load_overlay(path: Path) -> tuple[Overlay | None, list[RuleProblem]]:
    tree, problems = read_yaml(path)
    if tree is None:
        return None, problems
    try:
        return Overlay.model_validate(_plain(tree)), []
    except ValidationError as exc:
        return None, [RuleProblem(locate(tree, err["loc"], str(path)) or Location(str(path), 1, 1), _say(err))
                      for err in exc.errors()]


def _say(err: dict) -> str:
    field = ".".join(str(p) for p in err["loc"]) or "rule"
    return f"{field}: {err['msg']}"


def _plain(node: Any) -> Any:
    """ruamel's commented containers → plain dicts and lists for pydantic."""
    if isinstance(node, CommentedMap):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def _loc_of(node: Any, file: str) -> Location:
    lc = getattr(node, "lc", None)
    if lc is not None and getattr(lc, "line", None) is not None:
        return Location(file, lc.line + 1, (lc.col or 0) + 1)
    return Location(file, 1, 1)


def locate(node: Any, path: Iterable[str | int], file: str) -> Location | None:
    """file:line:col of the value at ``path`` inside a ruamel tree (deepest found)."""
    found: Location | None = _loc_of(node, file) if hasattr(node, "lc") else None
    current = node
    for step in path:
        step = "as" if step == "as_" else step
        if isinstance(current, CommentedMap) and step in current:
            line, col = current.lc.value(step)
            found = Location(file, line + 1, col + 1)
            current = current[step]
        elif isinstance(current, CommentedSeq) and isinstance(step, int) and 0 <= step < len(current):
            line, col = current.lc.item(step)
            found = Location(file, line + 1, col + 1)
            current = current[step]
        elif isinstance(current, CommentedMap) and isinstance(step, str):
            # Unknown field: point at the key the user wrote, when pydantic names it.
            break
    return found
