"""Issue 18: every shipped rule says no more than its source, and users see its standing.

Each rule has a ``standing`` (sourced: instrument retrieved and cited; reported: a reliable secondary source
describes it; inferred: our reading) that its provenance supports, and quotes (verbatim lines of
``../shared/domain/article.txt`` or ``DOMAIN.md``) that carry every grant and purpose it gives, unless it is
inferred. The surfaces (explain, ``issuer rules list``, the wallet card, the scan page's data) show the
standing, a 依据 row (原文件未取得 when no document is named) and the rule's qualifying note.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from skillcred.cli import cli
from skillcred.recognize_cli import rules_list
from tests.support import CLOCK, NOW, SHARED, invoke
from tests.world import AUTH_SX, ROOT, recognitions, signed_trust_list
from vccore.recognition.credential import legal_basis, rule_credential
from vccore.recognition.evaluate import evaluate
from vccore.recognition.model import RecognitionRule
from vccore.recognition.rulesets import find_rule, load_shipped, shipped_rules
from vccore.recognition.text import basis_text, summarize_rule
from vccore.result import Check, CheckName, VerificationResult
from verifier.pages.view import credential_view
from wallet_demo.cards import card_for

DOMAIN = SHARED / "domain"
RULES = shipped_rules()
IDS = [r.id for r in RULES]


def _quoted(rule: RecognitionRule) -> set[str]:
    return {s for q in rule.provenance.quotes for s in q.supports}


# --- standing matches provenance; grants and purposes are quoted ------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_the_standing_matches_the_provenance(rule: RecognitionRule) -> None:
    p = rule.provenance
    assert rule.standing in ("sourced", "reported", "inferred")
    if rule.standing == "sourced":  # the instrument itself was retrieved, and the basis names it
        assert p.instrument_retrieved and rule.legal_basis.document_name, rule.id
        assert "retrieved" in _quoted(rule), "a sourced rule quotes where its instrument was read"
    if not p.instrument_retrieved:
        assert rule.standing != "sourced"
    if p.evidence == "reasoned":
        assert rule.inferred
    # a legal basis links only to a named document's pages
    assert rule.legal_basis.document_name or not rule.legal_basis.urls, rule.id


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_every_grant_and_purpose_is_traceable_to_a_quoted_source_line_or_marked_inferred(
    rule: RecognitionRule,
) -> None:
    texts = {name: (DOMAIN / name).read_text(encoding="utf-8") for name in ("article.txt", "DOMAIN.md")}
    assert rule.provenance.quotes, f"{rule.id} quotes no source line"
    for quote in rule.provenance.quotes:
        assert quote.text in texts[quote.source], f"{rule.id}: not verbatim in {quote.source}: {quote.text!r}"
    if rule.inferred:
        return
    supported = _quoted(rule)
    for grant in rule.grants:
        assert f"grant:{grant}" in supported, f"{rule.id}: grant {grant} has no quoted source line"
    for purpose in rule.purposes:
        assert f"purpose:{purpose}" in supported, f"{rule.id}: purpose {purpose} has no quoted source line"
    if rule.recognized_as is not None:
        assert "outcome" in supported, f"{rule.id}: what it recognizes has no quoted source line"


def test_the_standing_counts_are_as_the_sources_allow() -> None:
    by = {s: sorted(r.id for r in RULES if r.standing == s) for s in ("sourced", "reported", "inferred")}
    # only the Shandong text (a government forwarding, S5) and the Guangdong 2020 notice (S32) were retrieved
    assert by["sourced"] == [
        "CN-GD-2020-JIANZAOSHI-1",
        "CN-GD-2020-JIANZAOSHI-2",
        "CN-SD-2020-L2-TO-INTERMEDIATE",
        "CN-SD-2020-L3-TO-ASSISTANT",
        "CN-SD-2020-SCHOOL-EQUIV",
    ]
    for rule_id in ("CN-GD-YUBEIJISHI-TO-BENKE", "CN-GD-GAOJIGONG-TO-DAZHUAN", "CN-ENG-2018-L2-TO-INTERMEDIATE"):
        assert rule_id in by["reported"]


# --- Shanxi: selective, reported, nothing borrowed --------------------------------------------------------


@pytest.mark.parametrize("rule_id", ["CN-SX-L2-TO-INTERMEDIATE", "CN-SX-L1-TO-ASSOCIATE-SENIOR"])
def test_the_shanxi_rules_are_selective_and_need_a_review_outcome(rule_id: str) -> None:
    rule = find_rule(rule_id)
    assert rule is not None and rule.standing == "reported"
    assert [d.name for d in rule.declared_inputs] == ["reviewOutcome"]
    assert [c.id for c in rule.conditions] == ["review-selected"]
    assert rule.grants == ("deemed-equivalent",) and rule.purposes == ()
    assert rule.legal_basis.urls == () and rule.legal_basis.issuing_authority is None
    assert rule.notes is not None and "择优" in rule.notes.zh and "比照享受待遇" in rule.notes.zh
    p1 = recognitions().p1
    assert not evaluate(rule, [p1], as_of=date(2030, 1, 1)).holds  # no review outcome: never holds
    if rule_id.endswith("INTERMEDIATE"):
        assert not evaluate(rule, [p1], as_of=date(2026, 7, 1), declarations={"reviewOutcome": "not-selected"}).holds
        assert evaluate(rule, [p1], as_of=date(2026, 7, 1), declarations={"reviewOutcome": "selected"}).holds


def test_a_rule_credential_is_named_by_its_signer_never_by_the_cited_authority() -> None:
    own = [{"@value": "示例认定服务", "@language": "zh"}, {"@value": "Example recognition service", "@language": "en"}]
    for ruleset in load_shipped().values():
        named = rule_credential(ruleset, authority_did=AUTH_SX.controller, issuer_name=own, now=NOW)
        assert named["issuer"] == {"id": AUTH_SX.controller, "name": own}
        anonymous = rule_credential(ruleset, authority_did=AUTH_SX.controller, now=NOW)
        assert anonymous["issuer"] == {"id": AUTH_SX.controller}
    sx = json.dumps(rule_credential(load_shipped()["CN-SX"], authority_did=AUTH_SX.controller, now=NOW))
    assert "山西省人力资源和社会保障厅" not in sx
    assert load_shipped()["CN-SX"].basis.issuing_authority is None  # the article names no Shanxi body
    assert load_shipped()["CN"].basis.standing == "reported"


# --- Guangdong and Heilongjiang coverage -----------------------------------------------------------------


def test_guangdong_treatments_take_skill_levels_and_qualifications_with_their_standing() -> None:
    for rule_id, level, edu in (
        ("CN-GD-L4-TO-ZHONGZHUAN", "L4", "zhongzhuan"),
        ("CN-GD-L3-TO-DAZHUAN", "L3", "dazhuan"),
    ):
        rule = find_rule(rule_id)
        assert rule is not None and rule.standing == "inferred"  # the level pairing is the seed table's
        (slot,) = rule.inputs
        assert slot.kinds == ("SkillLevelCredential",) and slot.match["skillLevel"] == (level,)
        assert set(slot.match["credentialForm"]) == {"职业资格证书", "职业技能等级证书"}
        assert rule.recognized_as is not None and rule.recognized_as.education_level == edu
        assert rule.purposes == ("入户", "职称评审", "职级晋升")  # article.txt: exactly these three
    for rule_id in ("CN-GD-YUBEIJISHI-TO-BENKE", "CN-GD-GAOJIGONG-TO-DAZHUAN"):
        rule = find_rule(rule_id)
        assert rule is not None and rule.standing == "reported" and not rule.provenance.instrument_retrieved


def test_heilongjiang_ships_the_registered_accountant_and_not_the_accounting_title() -> None:
    hl = load_shipped()["CN-HL"]
    rule = hl.rule("CN-HL-ZHUCE-KUAIJISHI")
    assert rule is not None and rule.inputs[0].match["qualificationName"] == ("注册会计师",)
    assert rule.recognized_as is not None and (rule.recognized_as.title_name, rule.recognized_as.title_level) == (
        "会计师",
        "intermediate",
    )
    assert hl.rule("CN-HL-KUAIJI-ZHONGJI") is None and hl.rule("CN-HL-KUAIJI-CHUJI") is None
    assert hl.coverage is not None and hl.coverage.listed == 50 and len(hl.rules) == 6


def test_rules_list_shows_standing_basis_notes_and_the_heilongjiang_count() -> None:
    zh = invoke_rules("zh")
    assert "收录 6 / 50 项（其中 5 项可判定）" in zh
    sx = zh[zh.index("CN-SX-L2-TO-INTERMEDIATE") :]
    assert sx.splitlines()[0].endswith("[据报道（原文件未取得）]")
    assert sx.splitlines()[1].strip() == "依据: 原文件未取得"
    assert "择优" in sx.splitlines()[2] and sx.splitlines()[2].strip().startswith("规则说明:")
    assert "CN-HL-KUAIJI-ZHONGJI" not in zh and "CN-HL-ZHUCE-KUAIJISHI" in zh
    en = invoke_rules("en")
    assert "ships 6 of 50 items (5 evaluable)" in en
    assert "CN-SD-2020-L3-TO-ASSISTANT" in en and "[sourced (instrument retrieved and cited)]" in en
    assert "Legal basis: instrument not retrieved" in en


def invoke_rules(lang: str) -> str:
    result = invoke(rules_list, ["--lang", lang], clock=CLOCK)
    assert result.exit_code == 0, result.output
    return result.output


# --- surfaces: explain, the wallet card, the scan page's data -------------------------------------------


def test_explain_shows_the_standing_the_empty_basis_and_the_note(tmp_path: Path) -> None:
    w = recognitions()
    trust = signed_trust_list(w.trust, id="urn:uuid:tl-standing", now=NOW)
    files = {
        "rec": w.selected,
        "sources": [w.p1],
        "rules": w.rule_credentials,
        "trust": trust,
    }
    paths = {}
    for name, doc in files.items():
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    args = ["explain", str(paths["rec"]), "--sources", str(paths["sources"]), "--rules", str(paths["rules"])]
    args += ["--trust-list", str(paths["trust"]), "--now", NOW.isoformat(), "--lang", "zh"]
    result = invoke(cli, [*args, "--root", ROOT.controller])
    assert result.exit_code == 0, result.output
    assert "依据：原文件未取得" in result.output
    assert "依据状态：据报道（原文件未取得）" in result.output and "择优" in result.output


def test_the_wallet_card_shows_standing_basis_and_note_rows() -> None:
    w = recognitions()
    rows = {f.label.zh: f.value for f in card_for(w.selected).fields}
    assert rows["依据状态"].zh == "据报道（原文件未取得）"
    assert rows["依据"].zh == "原文件未取得" and rows["依据"].en == "instrument not retrieved"
    assert "择优" in rows["规则说明"].zh and "selective" in rows["规则说明"].en
    named = {f.label.zh: f.value for f in card_for(w.recognition).fields}
    assert named["依据状态"].zh == "据报道（原文件未取得）"
    assert named["依据"].zh.startswith("人力资源社会保障部《关于在工程技术领域实现高技能人才")


def test_the_scan_page_data_carries_standing_basis_and_note() -> None:
    w = recognitions()
    signed = VerificationResult(checks=(Check.ok(CheckName.PROOF),))  # what it says may be shown
    view = credential_view(w.selected, signed, w.trust, NOW)
    rows = {r["label"]["zh"]: r["value"] for r in view["recognition"]["rows"]}
    assert rows["依据状态"] == {"zh": "据报道（原文件未取得）", "en": "reported (instrument not retrieved)"}
    assert rows["依据"] == {"zh": "原文件未取得", "en": "instrument not retrieved"}
    assert "择优" in rows["规则说明"]["zh"]
    assert view["recognition"]["standing"] == "reported"
    named = credential_view(w.recognition, signed, w.trust, NOW)
    assert "关于在工程技术领域" in named["recognition"]["legalBasis"]
    assert "关于在工程技术领域" in {r["label"]["zh"]: r["value"] for r in named["recognition"]["rows"]}["依据"]["zh"]
    # a proof that failed shows none of it (issue 15)
    assert credential_view(w.selected, VerificationResult(checks=()), w.trust, NOW)["recognition"] is None


def test_summaries_and_basis_text_say_not_retrieved_when_no_document_is_named() -> None:
    for rule in RULES:
        zh, en = summarize_rule(rule, "zh"), summarize_rule(rule, "en")
        assert "依据状态：" in zh and "Standing: " in en
        if rule.legal_basis.document_name is None:
            assert basis_text(legal_basis(rule)).zh == "原文件未取得"
            assert "原文件未取得" in zh


def test_explain_names_a_school_class_in_words_not_its_code() -> None:
    """``explain`` titles a source by its fields: 陈试五's diploma reads 预备技师班, not its code."""
    from tests.world import recognitions
    from vccore.recognition.explain import explain_tree

    node = explain_tree(recognitions().p5, sources=[], rule_credentials=[], trust=None, result=None)
    assert node.title.zh == "技工院校毕业凭证：预备技师班 示例市技师学院", node.title
    assert node.title.en.endswith(": preparatory-technician class 示例市技师学院"), node.title
