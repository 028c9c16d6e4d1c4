"""libyaml's composer stands in for ruamel's round-trip loader only where both build the same."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bundle_analyzer.rules import loader
from bundle_analyzer.rules.loader import read_yaml, rule_files
from bundle_analyzer.rules.packs import default_rules_dir

pytestmark = pytest.mark.skipif(loader._FAST_YAML is None, reason="ruamel.yaml.clib not installed")


def shape(node):
    """Values with every container's and entry's line/column, as locate() reads them."""
    if isinstance(node, CommentedMap):
        return ("map", node.lc.line, node.lc.col,
                [(key, node.lc.key(key), node.lc.value(key), shape(value)) for key, value in node.items()])
    if isinstance(node, CommentedSeq):
        return ("seq", node.lc.line, node.lc.col, [(node.lc.item(i), shape(v)) for i, v in enumerate(node)])
    return (type(node).__mro__[-2].__name__, str(node) if isinstance(node, str) else node)


def test_every_shipped_rule_and_case_file_composes_as_the_round_trip_loader_reads_it():
    rules = default_rules_dir()
    files = rule_files([rules]) + sorted((rules / "tests").rglob("*.yaml"))
    assert len(files) > 50
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = loader._compose_plain(text)
        assert fast is not None, path
        assert shape(fast) == shape(YAML(typ="rt").load(text)), path


@pytest.mark.parametrize("text", [
    "a: !!str 5\n",
    "rules:\n  - id: x\n    message: !custom y\n",
    "base: &b {x: 1}\nother: *b\n",
    "a: [1, 2\n",
])
def test_tags_aliases_and_errors_go_to_the_round_trip_loader(text):
    assert loader._compose_plain(text) is None


def test_a_tag_is_still_refused_with_its_location(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("rules:\n  - id: x\n    message: !!python/name:os.system y\n")
    tree, problems = read_yaml(path)
    assert tree is None
    assert [(p.location.line, "tag" in p.message) for p in problems] == [(3, True)]
