"""Issue 18: docs/rules.md lists every shipped rule with its standing and source, generated from the rule
sets by scripts/rules_doc.py; this test fails when the document and the sets disagree."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from tests.support import REPO
from vccore.recognition.rulesets import shipped_rules


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rules_doc", REPO / "scripts" / "rules_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_rules_md_is_the_generated_list_of_the_shipped_rules() -> None:
    script = _script()
    doc = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert script.rewritten(doc) == doc, "docs/rules.md is out of date: run python scripts/rules_doc.py"
    assert script.main(["rules_doc.py", "--check"]) == 0


def test_every_rule_is_listed_with_its_standing_and_source() -> None:
    section = _script().render()
    rows = {line.split("`")[1]: line for line in section.splitlines() if line.startswith("| `")}
    assert set(rows) == {r.id for r in shipped_rules()}
    for rule in shipped_rules():
        cells = [c.strip() for c in rows[rule.id].strip("|").split(" | ")]
        assert cells[1] == rule.standing
        assert cells[2] == ("原文件未取得" if rule.legal_basis.document_name is None else cells[2]) and cells[2]
        assert all(ref in cells[3] for ref in rule.provenance.refs)
    assert "Ships 6 of the 50 items (5 evaluable)" in section


def test_a_changed_rule_set_makes_the_check_fail() -> None:
    script = _script()
    doc = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    stale = doc.replace(
        "| `CN-SX-L2-TO-INTERMEDIATE` 优秀技师经评审可择优认定中级职称（山西） | reported",
        "| `CN-SX-L2-TO-INTERMEDIATE` 技师对应中级职称 | sourced",
    )
    assert stale != doc and script.rewritten(stale) != stale
