"""Rule packs: --rules directories, --no-default-rules, and packs installed through entry points."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from bundle_analyzer.rules import packs
from bundle_analyzer.rules.ruleset import load_ruleset

PACK_RULE = """rules:
  - id: site-policy-no-external-snat
    title: this site never runs with external SNAT
    category: site-policy
    severity: warning
    check: {expect: '!("AWS_VPC_K8S_CNI_EXTERNALSNAT" in config) || config["AWS_VPC_K8S_CNI_EXTERNALSNAT"] != "true"'}
    message: external SNAT is on
"""


class FakeEntryPoint:
    def __init__(self, target):
        self.target = target

    def load(self):
        return self.target


def write_pack(tmp_path: Path) -> Path:
    pack = tmp_path / "site-pack"
    pack.mkdir()
    (pack / "site.yaml").write_text(PACK_RULE)
    return pack


def test_entry_point_pack_is_loaded_beside_the_default_rules(tmp_path, monkeypatch):
    pack = write_pack(tmp_path)
    monkeypatch.setattr(metadata, "entry_points",
                        lambda group=None: [FakeEntryPoint(lambda: pack)] if group == "cnibundle.rules" else [])
    ids = {rule.id for rule in load_ruleset().rules}
    assert "site-policy-no-external-snat" in ids
    assert "pod-egress-rule-missing" in ids


def test_extra_directory_without_default_rules(tmp_path):
    pack = write_pack(tmp_path)
    ruleset = load_ruleset([pack], default=False, packs=False)
    assert [rule.id for rule in ruleset.rules] == ["site-policy-no-external-snat"]


def test_installed_wheel_finds_the_packaged_rules(monkeypatch, tmp_path):
    """Outside a source checkout the pack comes from bundle_analyzer/rules_pack inside the wheel."""
    monkeypatch.setattr(packs, "__file__", str(tmp_path / "site-packages" / "bundle_analyzer" / "rules" / "packs.py"))
    assert packs.default_rules_dir().name == "rules_pack"
