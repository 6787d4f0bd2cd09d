"""Explaining a recognition chain to people: a tree of the recognition, its rule and its sources.

:func:`explain_tree` turns a recognition, the documents it cites and (optionally) the verification
result into an :class:`ExplainNode` tree: credential -> rule -> sources, a source that is itself a
recognition nesting its own rule and sources. Each node has its kind, a zh/en title, its issuer's name
*as the trust list gives it* (never only the name the credential claims: SECURITY.md verifier item 16;
an issuer not on the list is marked so), its dates, its check outcome with the problems that concern
it, and the inferred marker. :func:`render_text` prints it for the CLI, ``to_json`` feeds the pages.
Explaining never raises for bad input and never decides anything: outcomes come from ``result``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from vccore.credentials import issuer_id, types_of
from vccore.errors import SkillcredError
from vccore.recognition.credential import RECOGNITION_TYPE, RecognitionLinks, parse_rule_credential, recognition_links
from vccore.recognition.evaluate import evaluate
from vccore.recognition.model import KIND_DATES, RecognizedAs
from vccore.recognition.text import INFERRED_MARK, LABELS, describe_outcome, explain_evaluation, summarize_rule
from vccore.result import Check, CheckName, Problem, VerificationResult
from vccore.text import Text
from vccore.trust.lists import TrustList

KIND_NAMES: Final = {
    "SkillLevelCredential": Text("职业技能等级凭证", "Skill level credential"),
    "ProfessionalQualificationCredential": Text("专业技术人员职业资格凭证", "Professional qualification credential"),
    "ProfessionalTitleCredential": Text("职称凭证", "Professional title credential"),
    "DegreeCredential": Text("学历凭证", "Education (degree) credential"),
    "TechnicalSchoolDiplomaCredential": Text("技工院校毕业凭证", "Technical school diploma credential"),
    "RecognitionCredential": Text("认定凭证", "Recognition credential"),
}
NOT_LISTED: Final = Text("不在信任列表中", "not on the trust list")
MAX_DEPTH: Final = 4
_DETAIL_FIELDS: Final = (
    "occupationName",
    "skillLevel",
    "qualificationName",
    "qualificationGrade",
    "titleName",
    "titleLevel",
    "educationLevel",
    "technicalSchoolClass",
    "schoolName",
    "institutionName",
)


@dataclass(frozen=True)
class ExplainNode:
    kind: str  # recognition | rule | source
    id: str
    title: Text
    issuer: str
    issuer_name: Text | None  # from the trust list; None: not on it
    dates: Mapping[str, str]
    outcome: str  # passed | failed | not-checked
    problems: tuple[Problem, ...] = ()
    inferred: bool = False
    notes: tuple[Text, ...] = ()
    children: tuple[ExplainNode, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        name = self.issuer_name or NOT_LISTED
        return {
            "kind": self.kind,
            "id": self.id,
            "title": {"zh": self.title.zh, "en": self.title.en},
            "issuer": {
                "id": self.issuer,
                "trusted": self.issuer_name is not None,
                "name": {"zh": name.zh, "en": name.en},
            },
            "dates": dict(self.dates),
            "outcome": self.outcome,
            "inferred": self.inferred,
            "problems": [p.to_json() for p in self.problems],
            "notes": [{"zh": n.zh, "en": n.en} for n in self.notes],
            "children": [c.to_json() for c in self.children],
        }


def _label(code: Any, zh: bool) -> str:
    pair = LABELS.get(code) if isinstance(code, str) else None
    return str(code) if pair is None else pair[0] if zh else pair[1]


def _title(doc: Mapping[str, Any]) -> Text:
    kind = next((t for t in types_of(doc) if t in KIND_NAMES), None)
    base = KIND_NAMES[kind] if kind else Text("凭证", "Credential")
    subject = doc.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    if kind == RECOGNITION_TYPE:
        outcome = subject.get("recognizedAs")
        if isinstance(outcome, Mapping):
            ra = RecognizedAs(
                str(outcome.get("kind")),
                *(
                    outcome.get(k) if isinstance(outcome.get(k), str) else None
                    for k in ("titleSeries", "titleLevel", "titleName", "skillLevel", "educationLevel", "treatment")
                ),
            )
            return Text(f"{base.zh}：{describe_outcome(ra, 'zh')}", f"{base.en}: {describe_outcome(ra, 'en')}")
        return base
    parts = [subject[f] for f in _DETAIL_FIELDS if isinstance(subject.get(f), str)]
    if not parts:
        return base
    return Text(
        f"{base.zh}：{' '.join(_label(p, True) for p in parts)}",
        f"{base.en}: {' '.join(_label(p, False) for p in parts)}",
    )


def _dates(doc: Mapping[str, Any]) -> dict[str, str]:
    out = {k: doc[k] for k in ("validFrom", "validUntil") if isinstance(doc.get(k), str)}
    subject = doc.get("credentialSubject")
    if isinstance(subject, Mapping):
        for key in sorted(set(KIND_DATES.values())):
            if isinstance(subject.get(key), str):
                out[key] = subject[key]
    return out


def _outcome(result: VerificationResult | None, extra: Sequence[Problem] = ()) -> tuple[str, tuple[Problem, ...]]:
    if result is None:
        return ("failed", tuple(extra)) if extra else ("not-checked", ())
    problems = (*result.problems(), *extra)
    return ("passed" if result.verified and not extra else "failed"), tuple(dict.fromkeys(problems))


def _issuer(doc: Mapping[str, Any], trust: TrustList | None) -> tuple[str, Text | None]:
    did = issuer_id(doc) or ""
    names = trust.names(did) if trust is not None and did else None
    return did, Text(names["zh"], names["en"]) if names else None


def _child(check: Check | None, ident: str | None) -> VerificationResult | None:
    if check is None or ident is None:
        return None
    return next((c for c in check.children if c.subject == ident), None)


def explain_tree(
    recognition: Any,
    *,
    sources: Sequence[Mapping[str, Any]],
    rule_credentials: Sequence[Mapping[str, Any]],
    trust: TrustList | None,
    result: VerificationResult | None,
    lang: str = "both",
    _depth: int = 0,
    _seen: frozenset[str] = frozenset(),
) -> ExplainNode:
    """The tree for ``recognition`` (see the module docstring). ``result`` is the recognition's own
    verification result, with its ``recognition`` check (None: nothing was checked). ``lang`` is kept
    for the callers' convenience; every node carries both languages."""
    if lang not in ("zh", "en", "both"):
        raise ValueError(f"lang: expected zh, en or both, got {lang!r}")
    doc: Mapping[str, Any] = recognition if isinstance(recognition, Mapping) else {}
    did, name = _issuer(doc, trust)
    ident = str(doc.get("id", ""))
    chain = result.check(CheckName.RECOGNITION) if result is not None else None
    state, problems = _outcome(result)
    problems = tuple(p for p in problems if chain is None or p not in chain.problems)
    try:
        links = recognition_links(doc)
    except SkillcredError as err:
        note = Text(f"无法读取认定内容：{err.detail}", f"cannot read the recognition: {err.detail}")
        return ExplainNode("recognition", ident, _title(doc), did, name, _dates(doc), state, problems, notes=(note,))
    inferred = links.standing == "inferred"
    by_pointer: dict[str, list[Problem]] = {}
    for p in chain.problems if chain else ():
        by_pointer.setdefault(p.pointer, []).append(p)
    source_docs = [
        next((s for s in sources if isinstance(s, Mapping) and s.get("id") == sid), None) for sid in links.sources
    ]
    leaves = []
    for i, (sid, sdoc) in enumerate(zip(links.sources, source_docs, strict=True)):
        extra = by_pointer.get(f"/credentialSubject/recognizedFrom/{i}", [])
        sub = _child(chain, sid)
        if sdoc is None:
            leaves.append(
                ExplainNode(
                    "source",
                    sid,
                    Text("缺少依据凭证", "source credential not supplied"),
                    "",
                    None,
                    {},
                    "failed" if chain else "not-checked",
                    tuple(extra),
                )
            )
        elif RECOGNITION_TYPE in types_of(sdoc) and _depth + 1 < MAX_DEPTH and sid not in _seen | {ident}:
            leaves.append(
                explain_tree(
                    sdoc,
                    sources=sources,
                    rule_credentials=rule_credentials,
                    trust=trust,
                    result=sub,
                    lang=lang,
                    _depth=_depth + 1,
                    _seen=_seen | {ident},
                )
            )
        else:
            s_did, s_name = _issuer(sdoc, trust)
            s_state, s_problems = _outcome(sub, extra) if chain else ("not-checked", ())
            leaves.append(ExplainNode("source", sid, _title(sdoc), s_did, s_name, _dates(sdoc), s_state, s_problems))
    rule_node = _rule_node(links, rule_credentials, trust, chain, by_pointer, [s for s in source_docs if s], leaves)
    return ExplainNode(
        "recognition",
        ident,
        _title(doc),
        did,
        name,
        _dates(doc) | {"recognitionDate": links.date.isoformat()},
        state,
        problems,
        inferred,
        children=(rule_node,),
    )


def _rule_node(
    links: RecognitionLinks,
    rule_credentials: Sequence[Mapping[str, Any]],
    trust: TrustList | None,
    chain: Check | None,
    by_pointer: Mapping[str, list[Problem]],
    used: list[Mapping[str, Any]],
    leaves: list[ExplainNode],
) -> ExplainNode:
    ref = links.rule_ref or ""
    extra = [
        p for key, ps in by_pointer.items() if not key.startswith("/credentialSubject/recognizedFrom/") for p in ps
    ]
    doc = next((r for r in rule_credentials if isinstance(r, Mapping) and r.get("id") == ref), None)
    state, problems = _outcome(_child(chain, ref), extra) if chain else ("not-checked", ())
    if doc is None:
        missing = Text(f"缺少规则凭证（{links.rule_id}）", f"rule credential missing ({links.rule_id})")
        return ExplainNode("rule", ref, missing, "", None, {}, state, problems, children=tuple(leaves))
    did, name = _issuer(doc, trust)
    try:
        rule = parse_rule_credential(doc).rule(links.rule_id)
    except SkillcredError:
        rule = None
    if rule is None:
        return ExplainNode(
            "rule",
            ref,
            Text(f"规则 {links.rule_id}", f"rule {links.rule_id}"),
            did,
            name,
            _dates(doc),
            state,
            problems,
            children=tuple(leaves),
        )
    notes = [Text(summarize_rule(rule, "zh"), summarize_rule(rule, "en"))]
    if len(used) == len(links.sources):
        evaluation = evaluate(rule, used, as_of=links.date, declarations=links.declared)
        notes += [
            Text(zh, en)
            for zh, en in zip(
                explain_evaluation(evaluation, "zh")[1:], explain_evaluation(evaluation, "en")[1:], strict=True
            )
        ]
    dates = _dates(doc) | {
        k: v.isoformat()
        for k, v in (("inForceFrom", rule.in_force_from), ("inForceUntil", rule.in_force_until))
        if v is not None
    }
    return ExplainNode(
        "rule",
        ref,
        Text(f"{rule.id}：{rule.name.zh}", f"{rule.id}: {rule.name.en}"),
        did,
        name,
        dates,
        state,
        problems,
        rule.inferred,
        tuple(notes),
        tuple(leaves),
    )


_MARKS: Final = {"passed": "✓", "failed": "✗", "not-checked": "?"}
_KINDS: Final = {
    "recognition": Text("认定", "recognition"),
    "rule": Text("规则", "rule"),
    "source": Text("依据", "source"),
}


def _say(text: Text, lang: str) -> str:
    return text.zh if lang == "zh" else text.en if lang == "en" else f"{text.zh} / {text.en}"


def render_text(node: ExplainNode, lang: str = "both", *, indent: str = "") -> str:
    """The tree as indented lines: mark, kind, title, issuer (trust-list name), dates, problems, notes."""
    if lang not in ("zh", "en", "both"):
        raise ValueError(f"lang: expected zh, en or both, got {lang!r}")
    issuer = _say(node.issuer_name, lang) if node.issuer_name else f"{node.issuer or '?'} ({_say(NOT_LISTED, lang)})"
    head = f"{indent}{_MARKS[node.outcome]} [{_say(_KINDS[node.kind], lang)}] {_say(node.title, lang)}"
    if node.inferred:
        head += f" 〔{_say(INFERRED_MARK, lang)}〕"
    lines = [head, f"{indent}    {_say(Text('签发机构', 'issuer'), lang)}: {issuer}"]
    if node.dates:
        lines.append(f"{indent}    " + ", ".join(f"{k} {v}" for k, v in node.dates.items()))
    for p in node.problems:
        title = p.title_zh if lang == "zh" else p.title if lang == "en" else f"{p.title_zh} / {p.title}"
        lines.append(f"{indent}    ✗ {p.code.value}: {title}{' — ' + p.detail if p.detail else ''}")
    lines += [f"{indent}    · {_say(n, lang)}" for n in node.notes]
    lines += [render_text(c, lang, indent=indent + "  ") for c in node.children]
    return "\n".join(lines)
