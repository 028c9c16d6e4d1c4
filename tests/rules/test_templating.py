"""Rule templates: judged whole at load, turned into code only when first rendered."""

from __future__ import annotations

import pytest

from bundle_analyzer.rules.templating import TemplateError, compile_template, render


@pytest.mark.parametrize(("source", "says"), [
    ("{{ x | no_such_filter }}", "No filter named 'no_such_filter'"),
    ("{% if x is no_such_test %}y{% endif %}", "No test named 'no_such_test'"),
    ("{{ x.__class__ }}", "not allowed"),
    ("{% for a in b %}", "Unexpected end of template"),
])
def test_everything_that_can_fail_fails_at_load(source, says):
    with pytest.raises(TemplateError, match=says):
        compile_template(source)


def test_rendered_on_first_use_and_again():
    template = compile_template("{{ count }} IPs on {{ enis | join_some(2) }}{% if count is odd %} (odd){% endif %}")
    assert template._template is None  # no code yet
    assert render(template, {"count": 3, "enis": ["eni-1", "eni-2", "eni-3"]}).startswith("3 IPs on eni-1, eni-2")
    assert render(template, {"count": 4, "enis": ["eni-9"]}) == "4 IPs on eni-9"
