"""Recognition rules: the model, strict parsing, pure evaluation, and explanations in zh and en.

A rule (``docs/rules.md``; schema ``vccore/data/ruleset.schema.json``) says what it takes (input
slots: credential kinds plus field filters on ``credentialSubject``), what must hold (conditions in
:mod:`vccore.conditions`, each with a zh/en sentence), what it yields (``recognizedAs``, grants,
purposes), when it is in force, on what legal basis, and how sure we are (``confidence``:
``sourced`` or ``inferred``; an inferred rule is never presented as official).

Parsing raises ``SkillcredError(RULE_ERROR)`` naming the JSON pointer. :func:`evaluate` is pure,
deterministic and total: any source data gives an :class:`Evaluation`, never an exception. Facts
that no credential carries (the applicant's post, annual assessments) enter only as explicit
``declarations``, and a failure caused by a missing declaration says so.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from vccore import jsonstrict
from vccore.conditions import Condition, Outcome, as_date, compile_condition
from vccore.errors import Code, SkillcredError

SKILL_LEVELS: Final = {"apprentice": 0, "L5": 1, "L4": 2, "L3": 3, "L2": 4, "L1": 5,
                       "special-technician": 6, "chief-technician": 7}
TITLE_LEVELS: Final = ("yuanji", "assistant", "intermediate", "associate-senior", "full-senior")
EDUCATION_LEVELS: Final = ("zhongzhuan", "dazhuan", "benke", "master", "doctor")
SCHOOL_CLASSES: Final = ("intermediate-worker-class", "advanced-worker-class", "preparatory-technician-class")
GRANTS: Final = ("eligibility-to-apply", "deemed-equivalent", "basis-for-next-level",
                 "education-equivalence-for-application", "education-equivalent-treatment",
                 "equal-treatment", "exam-exemption", "green-channel")
DIRECTIONS: Final = ("skill-to-title", "title-to-skill", "qualification-to-title", "bidirectional",
                     "school-to-degree-equivalence", "school-or-skill-to-degree-equivalence",
                     "skill-to-professional-qualification", "skill-to-title-treatment", "skill-to-treatment")
#: Credential kind -> the subject field that dates the achievement (else ``validFrom``).
KIND_DATES: Final = {"SkillLevelCredential": "assessmentDate",
                     "ProfessionalQualificationCredential": "issueDate",
                     "ProfessionalTitleCredential": "awardDate", "DegreeCredential": "graduationDate",
                     "TechnicalSchoolDiplomaCredential": "graduationDate",
                     "RecognitionCredential": "recognitionDate"}
#: Input filters: ``credentialSubject`` field -> allowed codes (None: free text).
MATCH_FIELDS: Final[dict[str, tuple[str, ...] | None]] = {
    "skillLevel": tuple(SKILL_LEVELS), "credentialForm": None, "occupationCode": None,
    "qualificationName": None, "qualificationGrade": None,
    "qualificationCategory": ("access", "level-evaluation"),
    "titleSeries": None, "titleLevel": TITLE_LEVELS, "educationLevel": EDUCATION_LEVELS,
    "technicalSchoolClass": SCHOOL_CLASSES}
OUTCOME_KINDS: Final = {"title": "titleLevel", "skill-level": "skillLevel", "education": "educationLevel",
                        "treatment": "treatment"}
_RESERVED: Final = frozenset({"asOf", "sources", "declared", "rule", "it"})
_RULE_ID: Final = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*")
_JURISDICTION: Final = re.compile(r"CN(?:-[A-Z]{2})?")
_NAME: Final = re.compile(r"[a-z][A-Za-z0-9]*")
_COND_ID: Final = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PARTIAL_DATE: Final = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")
MAX_CANDIDATES: Final = 32
MAX_COMBINATIONS: Final = 64


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class LegalBasis:
    issuing_authority: str | None
    document_name: str | None
    document_number: str | None
    document_date: str | None  # YYYY, YYYY-MM or YYYY-MM-DD
    urls: tuple[str, ...]


@dataclass(frozen=True)
class InputSlot:
    """One source the rule takes: a kind and field filters. Bound in the context as ``name``."""

    name: str
    kinds: tuple[str, ...]
    match: Mapping[str, tuple[str, ...]]
    min_skill_level: str | None
    text: Text

    def __hash__(self) -> int:
        return hash((self.name, self.kinds, tuple(sorted(self.match.items())), self.min_skill_level))


@dataclass(frozen=True)
class DeclaredInput:
    name: str
    text: Text
    values: tuple[str, ...]


@dataclass(frozen=True)
class RuleCondition:
    id: str
    text: Text
    logic: Condition
    confidence: str


@dataclass(frozen=True)
class RecognizedAs:
    kind: str
    title_series: str | None = None
    title_level: str | None = None
    title_name: str | None = None
    skill_level: str | None = None
    education_level: str | None = None
    treatment: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "RecognitionOutcome", "kind": self.kind}
        for key, value in (("titleSeries", self.title_series), ("titleLevel", self.title_level),
                           ("titleName", self.title_name), ("skillLevel", self.skill_level),
                           ("educationLevel", self.education_level), ("treatment", self.treatment)):
            if value is not None:
                out[key] = value
        return out


@dataclass(frozen=True)
class Provenance:
    document: str
    number: str | None
    date: str | None
    urls: tuple[str, ...]
    refs: tuple[str, ...]
    evidence: str
    note: str | None


@dataclass(frozen=True)
class RecognitionRule:
    id: str
    version: str
    jurisdiction: str
    locality: str | None
    direction: str
    name: Text
    legal_basis: LegalBasis
    inputs: tuple[InputSlot, ...]
    declared_inputs: tuple[DeclaredInput, ...]
    conditions: tuple[RuleCondition, ...]
    recognized_as: RecognizedAs | None
    grants: tuple[str, ...]
    purposes: tuple[str, ...]
    in_force_from: date | None
    in_force_until: date | None
    evaluable: bool
    confidence: str
    provenance: Provenance
    notes: Text | None
    document: str  # the validated JSON, canonical text (sorted keys)

    def __hash__(self) -> int:
        return hash(self.document)

    @property
    def inferred(self) -> bool:
        return self.confidence == "inferred"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = json.loads(self.document)
        return out


@dataclass(frozen=True)
class RuleSet:
    id: str
    version: str
    jurisdiction: str
    authority: Text
    rules: tuple[RecognitionRule, ...]

    def rule(self, rule_id: str) -> RecognitionRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def to_json(self) -> dict[str, Any]:
        return {"type": "RecognitionRuleSet", "id": self.id, "version": self.version,
                "jurisdiction": self.jurisdiction,
                "authority": {"zh": self.authority.zh, "en": self.authority.en},
                "rules": [r.to_json() for r in self.rules]}


# --- parsing -------------------------------------------------------------------------------------

def _fail(ptr: str, detail: str) -> SkillcredError:
    return SkillcredError(f"{ptr or '/'}: {detail}", code=Code.RULE_ERROR, pointer=ptr)


def _obj(v: Any, ptr: str, required: str, optional: str = "") -> Mapping[str, Any]:
    if not isinstance(v, Mapping):
        raise _fail(ptr, "expected an object")
    req, opt = required.split(), optional.split()
    for key in v:
        if key not in req and key not in opt:
            raise _fail(f"{ptr}/{key}", "unknown member")
    for key in req:
        if key not in v:
            raise _fail(f"{ptr}/{key}", "missing member")
    return v


def _str(v: Any, ptr: str, *, nullable: bool = False, pattern: re.Pattern[str] | None = None,
         enum: Sequence[str] | None = None) -> Any:
    if v is None and nullable:
        return None
    if not isinstance(v, str) or not v.strip():
        raise _fail(ptr, f"expected a non-empty string, got {v!r}")
    if pattern is not None and not pattern.fullmatch(v):
        raise _fail(ptr, f"{v!r} does not match {pattern.pattern}")
    if enum is not None and v not in enum:
        raise _fail(ptr, f"{v!r} is not one of {', '.join(enum)}")
    return v


def _strs(v: Any, ptr: str, *, enum: Sequence[str] | None = None, min_items: int = 0) -> tuple[str, ...]:
    if not isinstance(v, list) or len(v) < min_items:
        raise _fail(ptr, f"expected a list of at least {min_items} strings")
    out = tuple(_str(x, f"{ptr}/{i}", enum=enum) for i, x in enumerate(v))
    if len(set(out)) != len(out):
        raise _fail(ptr, "duplicate entries")
    return out


def _text(v: Any, ptr: str) -> Text:
    m = _obj(v, ptr, "zh en")
    return Text(_str(m["zh"], f"{ptr}/zh"), _str(m["en"], f"{ptr}/en"))


def _day(v: Any, ptr: str) -> date | None:
    if v is None:
        return None
    if not isinstance(v, str) or not _DAY.fullmatch(v) or as_date(v) is None:
        raise _fail(ptr, f"expected a date YYYY-MM-DD or null, got {v!r}")
    return as_date(v)


def _slot(v: Any, ptr: str) -> InputSlot:
    m = _obj(v, ptr, "name kinds zh en", "match minSkillLevel")
    name = _str(m["name"], f"{ptr}/name", pattern=_NAME)
    if name in _RESERVED or name.endswith("Date"):
        raise _fail(f"{ptr}/name", f"{name!r} is reserved")
    kinds = _strs(m["kinds"], f"{ptr}/kinds", enum=tuple(KIND_DATES), min_items=1)
    match = _obj(m.get("match", {}), f"{ptr}/match", "", " ".join(MATCH_FIELDS))
    filters = {k: _strs(x, f"{ptr}/match/{k}", enum=MATCH_FIELDS[k], min_items=1) for k, x in match.items()}
    low = _str(m.get("minSkillLevel"), f"{ptr}/minSkillLevel", nullable=True, enum=tuple(SKILL_LEVELS))
    return InputSlot(name, kinds, MappingProxyType(filters), low, Text(_str(m["zh"], f"{ptr}/zh"),
                                                                      _str(m["en"], f"{ptr}/en")))


def _declared(v: Any, ptr: str) -> DeclaredInput:
    m = _obj(v, ptr, "name zh en", "values")
    return DeclaredInput(_str(m["name"], f"{ptr}/name", pattern=_NAME),
                         Text(_str(m["zh"], f"{ptr}/zh"), _str(m["en"], f"{ptr}/en")),
                         _strs(m.get("values", []), f"{ptr}/values"))


def _outcome(v: Any, ptr: str) -> RecognizedAs | None:
    if v is None:
        return None
    m = _obj(v, ptr, "kind", "titleSeries titleLevel titleName skillLevel educationLevel treatment")
    kind = _str(m["kind"], f"{ptr}/kind", enum=tuple(OUTCOME_KINDS))
    if m.get(OUTCOME_KINDS[kind]) is None:
        raise _fail(f"{ptr}/{OUTCOME_KINDS[kind]}", f"required for kind {kind!r}")
    enums: dict[str, Sequence[str] | None] = {"titleLevel": TITLE_LEVELS, "skillLevel": tuple(SKILL_LEVELS),
                                              "educationLevel": EDUCATION_LEVELS}
    f = {k: _str(m.get(k), f"{ptr}/{k}", nullable=True, enum=enums.get(k)) for k in
         ("titleSeries", "titleLevel", "titleName", "skillLevel", "educationLevel", "treatment")}
    return RecognizedAs(kind, f["titleSeries"], f["titleLevel"], f["titleName"], f["skillLevel"],
                        f["educationLevel"], f["treatment"])


def parse_rule(doc: Any, *, pointer: str = "") -> RecognitionRule:
    """Validate one rule object strictly and build it. Raises ``SkillcredError(RULE_ERROR)``."""
    p = pointer
    m = _obj(doc, p, "id version jurisdiction direction name legalBasis inputs conditions recognizedAs "
                     "grants purposes inForceFrom inForceUntil evaluable confidence provenance",
             "locality declaredInputs notes")
    lb = _obj(m["legalBasis"], f"{p}/legalBasis",
              "issuingAuthority documentName documentNumber documentDate urls")
    if lb["documentDate"] is not None and not _PARTIAL_DATE.fullmatch(str(lb["documentDate"])):
        raise _fail(f"{p}/legalBasis/documentDate", "expected YYYY, YYYY-MM or YYYY-MM-DD or null")
    lbs = {k: _str(lb[k], f"{p}/legalBasis/{k}", nullable=True) for k in lb if k != "urls"}
    basis = LegalBasis(lbs["issuingAuthority"], lbs["documentName"], lbs["documentNumber"],
                       lbs["documentDate"], _strs(lb["urls"], f"{p}/legalBasis/urls"))
    pv = _obj(m["provenance"], f"{p}/provenance", "document number date urls refs evidence", "note")
    prov = Provenance(_str(pv["document"], f"{p}/provenance/document"),
                      _str(pv["number"], f"{p}/provenance/number", nullable=True),
                      _str(pv["date"], f"{p}/provenance/date", nullable=True),
                      _strs(pv["urls"], f"{p}/provenance/urls"), _strs(pv["refs"], f"{p}/provenance/refs"),
                      _str(pv["evidence"], f"{p}/provenance/evidence", enum=("read", "seed", "reasoned")),
                      _str(pv.get("note"), f"{p}/provenance/note", nullable=True))
    if not isinstance(m["inputs"], list) or not isinstance(m["conditions"], list):
        raise _fail(f"{p}/inputs", "inputs and conditions are lists")
    slots = tuple(_slot(x, f"{p}/inputs/{i}") for i, x in enumerate(m["inputs"]))
    raw_decl = m.get("declaredInputs", [])
    if not isinstance(raw_decl, list):
        raise _fail(f"{p}/declaredInputs", "expected a list")
    declared = tuple(_declared(x, f"{p}/declaredInputs/{i}") for i, x in enumerate(raw_decl))
    names = [s.name for s in slots]
    if len(set(names)) != len(names) or len({d.name for d in declared}) != len(declared):
        raise _fail(f"{p}/inputs", "input and declared-input names must be unique")
    known = _RESERVED | set(names) | {f"{n}Date" for n in names}
    conds: list[RuleCondition] = []
    for i, c in enumerate(m["conditions"]):
        cp = f"{p}/conditions/{i}"
        cm = _obj(c, cp, "id zh en logic", "confidence")
        logic = compile_condition(cm["logic"], pointer=f"{cp}/logic")
        for var in sorted(logic.variables()):
            head, _, rest = var.partition(".")
            if head not in known or (head == "declared" and rest.split(".")[0] not in
                                     {d.name for d in declared}):
                raise _fail(f"{cp}/logic", f"variable {var!r} is neither an input nor a declared input")
        conds.append(RuleCondition(_str(cm["id"], f"{cp}/id", pattern=_COND_ID),
                                   Text(_str(cm["zh"], f"{cp}/zh"), _str(cm["en"], f"{cp}/en")), logic,
                                   _str(cm.get("confidence", "sourced"), f"{cp}/confidence",
                                        enum=("sourced", "inferred"))))
    if len({c.id for c in conds}) != len(conds) or {c.id for c in conds} & {"in-force", "evaluable"}:
        raise _fail(f"{p}/conditions", "condition ids must be unique and not 'in-force' or 'evaluable'")
    evaluable = m["evaluable"]
    if not isinstance(evaluable, bool):
        raise _fail(f"{p}/evaluable", "expected a boolean")
    outcome = _outcome(m["recognizedAs"], f"{p}/recognizedAs")
    if evaluable and (outcome is None or not slots):
        raise _fail(p, "an evaluable rule needs inputs and recognizedAs")
    start, end = _day(m["inForceFrom"], f"{p}/inForceFrom"), _day(m["inForceUntil"], f"{p}/inForceUntil")
    if start is not None and end is not None and end < start:
        raise _fail(f"{p}/inForceUntil", "ends before inForceFrom")
    return RecognitionRule(
        _str(m["id"], f"{p}/id", pattern=_RULE_ID), _str(m["version"], f"{p}/version"),
        _str(m["jurisdiction"], f"{p}/jurisdiction", pattern=_JURISDICTION),
        _str(m.get("locality"), f"{p}/locality", nullable=True),
        _str(m["direction"], f"{p}/direction", enum=DIRECTIONS), _text(m["name"], f"{p}/name"), basis,
        slots, declared, tuple(conds), outcome, _strs(m["grants"], f"{p}/grants", enum=GRANTS, min_items=1),
        _strs(m["purposes"], f"{p}/purposes"), start, end, evaluable,
        _str(m["confidence"], f"{p}/confidence", enum=("sourced", "inferred")), prov,
        _text(m["notes"], f"{p}/notes") if m.get("notes") is not None else None,
        json.dumps(m, ensure_ascii=False, sort_keys=True))


def parse_ruleset(doc: Any) -> RuleSet:
    m = _obj(doc, "", "type id version jurisdiction authority rules")
    if m["type"] != "RecognitionRuleSet":
        raise _fail("/type", "expected 'RecognitionRuleSet'")
    jurisdiction = _str(m["jurisdiction"], "/jurisdiction", pattern=_JURISDICTION)
    if not isinstance(m["rules"], list):
        raise _fail("/rules", "expected a list")
    rules = tuple(parse_rule(r, pointer=f"/rules/{i}") for i, r in enumerate(m["rules"]))
    for i, r in enumerate(rules):
        if r.jurisdiction != jurisdiction:
            raise _fail(f"/rules/{i}/jurisdiction", f"{r.jurisdiction!r} is not the set's {jurisdiction!r}")
    if len({r.id for r in rules}) != len(rules):
        raise _fail("/rules", "rule ids must be unique")
    return RuleSet(_str(m["id"], "/id", pattern=_RULE_ID), _str(m["version"], "/version"), jurisdiction,
                   _text(m["authority"], "/authority"), rules)


def load_ruleset(data: str | bytes) -> RuleSet:
    """Parse JSON text strictly (:mod:`vccore.jsonstrict`) into a rule set; every error is RULE_ERROR."""
    try:
        doc = jsonstrict.loads(data)
    except SkillcredError as err:
        raise SkillcredError(f"rule set: {err.detail}", code=Code.RULE_ERROR) from err
    return parse_ruleset(doc)


# --- evaluation ----------------------------------------------------------------------------------

class Failure(NamedTuple):
    condition_id: str
    zh: str
    en: str


class ConditionResult(NamedTuple):
    id: str
    met: bool
    zh: str
    en: str


@dataclass(frozen=True)
class Evaluation:
    """What :func:`evaluate` found. ``recognized_as``, ``grants``, ``purposes`` are set only if it holds."""

    rule: RecognitionRule
    as_of: date
    holds: bool
    recognized_as: RecognizedAs | None
    grants: tuple[str, ...]
    purposes: tuple[str, ...]
    conditions_met: Mapping[str, bool]
    failed: tuple[Failure, ...]
    results: tuple[ConditionResult, ...]
    facts: Mapping[str, Any]
    traces: Mapping[str, Outcome]

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def confidence(self) -> str:
        return self.rule.confidence

    def to_json(self) -> dict[str, Any]:
        return {"recognitionRule": self.rule.id, "ruleVersion": self.rule.version,
                "ruleConfidence": self.rule.confidence, "evaluatedOn": self.as_of.isoformat(),
                "holds": self.holds, "conditionsMet": dict(self.conditions_met),
                "failed": [list(f) for f in self.failed], "facts": json.loads(json.dumps(dict(self.facts))),
                **({"recognizedAs": self.recognized_as.to_json(), "grants": list(self.grants),
                    "purposes": list(self.purposes)} if self.recognized_as else {})}


def _types(cred: Mapping[Any, Any]) -> tuple[str, ...]:
    t = cred.get("type")
    items = [t] if isinstance(t, str) else t if isinstance(t, list | tuple) else []
    return tuple(x for x in items if isinstance(x, str))


def _slot_kind(slot: InputSlot, cred: Any) -> str | None:
    if not isinstance(cred, Mapping):
        return None
    kind = next((k for k in slot.kinds if k in _types(cred)), None)
    subject = cred.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    if kind is None or any(not isinstance(subject.get(f), str) or subject.get(f) not in allowed
                           for f, allowed in slot.match.items()):
        return None
    if slot.min_skill_level is not None:
        level = subject.get("skillLevel")
        if not isinstance(level, str) or SKILL_LEVELS.get(level, -1) < SKILL_LEVELS[slot.min_skill_level]:
            return None
    return kind


def source_date(cred: Mapping[Any, Any], kind: str) -> date | None:
    """The achievement's date: the kind's own field (``assessmentDate`` ...) if valid, else ``validFrom``."""
    subject = cred.get("credentialSubject")
    own = as_date(subject.get(KIND_DATES[kind])) if isinstance(subject, Mapping) else None
    return own or as_date(cred.get("validFrom"))


def _years_detail(outcome: Outcome) -> Text | None:
    for step in outcome.trace:
        if step.op in ("yearsBetween", "yearsSince"):
            a, b = (as_date(x) for x in step.args[:2])
            if step.value is None or a is None or b is None:
                return Text("（缺少有效日期）", "(no valid date)")
            return Text(f"（{a} 起，至 {b} 为 {step.value} 年）", f"({a} to {b} is {step.value} years)")
    return None


def _describe(cond: RuleCondition, outcome: Outcome, rule: RecognitionRule,
              declared: Mapping[str, str]) -> Text:
    zh, en = cond.text.zh, cond.text.en
    years = _years_detail(outcome)
    if years is not None:
        zh, en = zh + years.zh, en + " " + years.en
    for spec in rule.declared_inputs:
        if f"declared.{spec.name}" not in cond.logic.variables():
            continue
        if spec.name in declared:
            zh += f"（声明{spec.text.zh}：{declared[spec.name]}）"
            en += f" (declared {spec.text.en}: {declared[spec.name]})"
        else:
            zh += f"（未声明{spec.text.zh}（{spec.name}）：凭证不载明此项，须由本人声明或用人单位证明）"
            en += (f" ({spec.text.en} ({spec.name}) not declared: no credential carries it; it must be "
                   "declared by the applicant or attested by the employer)")
    if outcome.exhausted:
        zh, en = zh + "（超出计算预算）", en + " (evaluation budget exceeded)"
    if cond.confidence == "inferred":
        zh, en = zh + "［推定条件］", en + " [inferred condition]"
    return Text(zh, en)


def _in_force(rule: RecognitionRule, as_of: date) -> ConditionResult:
    start, end = rule.in_force_from, rule.in_force_until
    met = (start is None or start <= as_of) and (end is None or as_of <= end)
    window_zh = (f"自 {start} 起" if start else "生效日期不详") + (f"，至 {end} 止" if end else "")
    window_en = (f"from {start}" if start else "in-force date unknown") + (f" until {end}" if end else "")
    if met:
        return ConditionResult("in-force", True, f"规则在 {as_of} 有效（{window_zh}）",
                               f"the rule is in force on {as_of} ({window_en})")
    return ConditionResult("in-force", False, f"规则在 {as_of} 不在有效期内（{window_zh}）",
                           f"the rule is not in force on {as_of} ({window_en})")


def evaluate(rule: RecognitionRule, sources: Sequence[Mapping[str, Any]], *, as_of: date,
             work_field: str | None = None, declarations: Mapping[str, str] | None = None) -> Evaluation:
    """Evaluate ``rule`` on ``sources`` as of ``as_of``. Pure and total: bad data never raises.

    ``work_field`` is shorthand for ``declarations["workField"]``. For each input slot the candidates
    are the matching sources in order; the first combination meeting every condition is taken, else
    the one meeting the most (the first such), so that the failures reported are the closest miss.
    """
    if not isinstance(as_of, date):
        raise TypeError(f"as_of must be a datetime.date, got {as_of!r}")
    as_of = date(as_of.year, as_of.month, as_of.day)
    given = declarations.items() if isinstance(declarations, Mapping) else ()
    declared = {k: v for k, v in given if isinstance(k, str) and isinstance(v, str)}
    if isinstance(work_field, str):
        declared["workField"] = work_field
    items = list(sources) if isinstance(sources, Sequence) and not isinstance(sources, str | bytes) else []
    results = [_in_force(rule, as_of)]
    traces: dict[str, Outcome] = {}
    facts: dict[str, Any] = {"asOf": as_of.isoformat(), "inputs": {}, "declared": {}, "years": {}}
    if not rule.evaluable:
        results.append(ConditionResult(
            "evaluable", False, "该规则无具体等级或条件，不能机械判定",
            "the rule has no concrete levels or conditions to evaluate mechanically"))
    else:
        candidates = []
        for slot in rule.inputs:
            found = [(i, k) for i, c in enumerate(items) if (k := _slot_kind(slot, c)) is not None]
            candidates.append(found[:MAX_CANDIDATES])
            results.append(ConditionResult(f"input:{slot.name}", bool(found), f"依据凭证：{slot.text.zh}",
                                           f"source credential: {slot.text.en}"))
        best: _Trial | None = None
        combos = (c for c in itertools.product(*candidates) if len({i for i, _ in c}) == len(c))
        for combo in itertools.islice(combos, MAX_COMBINATIONS):
            trial = _try(rule, combo, items, as_of, declared)
            if best is None or trial[0] > best[0]:
                best = trial
            if trial[0] == len(rule.conditions):
                break
        if best is not None:
            results += best[1]
            traces, facts = best[2], {**facts, **best[3]}
    met = {r.id: r.met for r in results}
    holds = all(met.values())
    return Evaluation(rule, as_of, holds, rule.recognized_as if holds else None, rule.grants if holds else (),
                      rule.purposes if holds else (), MappingProxyType(met),
                      tuple(Failure(r.id, r.zh, r.en) for r in results if not r.met), tuple(results),
                      MappingProxyType(facts), MappingProxyType(traces))


_Trial = tuple[int, list[ConditionResult], dict[str, Outcome], dict[str, Any]]


def _try(rule: RecognitionRule, combo: tuple[tuple[int, str], ...], items: list[Any], as_of: date,
         declared: Mapping[str, str]) -> _Trial:
    context: dict[str, Any] = {"asOf": as_of.isoformat(), "sources": items, "declared": dict(declared),
                               "rule": {"id": rule.id, "jurisdiction": rule.jurisdiction}}
    inputs: dict[str, Any] = {}
    for slot, (index, kind) in zip(rule.inputs, combo, strict=True):
        cred = items[index]
        when = source_date(cred, kind)
        context[slot.name], context[f"{slot.name}Date"] = cred, when.isoformat() if when else None
        ident = cred.get("id")
        inputs[slot.name] = {"index": index, "kind": kind, "id": ident if isinstance(ident, str) else None,
                             "date": context[f"{slot.name}Date"]}
    results, traces, years = [], {}, {}
    for cond in rule.conditions:
        outcome = cond.logic.evaluate(context)
        traces[cond.id] = outcome
        text = _describe(cond, outcome, rule, declared)
        results.append(ConditionResult(cond.id, outcome.holds, text.zh, text.en))
        for step in outcome.trace:
            if step.op in ("yearsBetween", "yearsSince") and isinstance(step.value, int):
                years[cond.id] = step.value
                break
    used = {d.name: declared[d.name] for d in rule.declared_inputs if d.name in declared}
    facts = {"inputs": inputs, "declared": used, "years": years}
    return sum(r.met for r in results), results, traces, facts


# --- explanations --------------------------------------------------------------------------------

LABELS: Final[dict[str, tuple[str, str]]] = {
    "apprentice": ("学徒工", "apprentice"), "L5": ("五级/初级工", "level 5/junior worker"),
    "L4": ("四级/中级工", "level 4/intermediate worker"), "L3": ("三级/高级工", "level 3/senior worker"),
    "L2": ("二级/技师", "level 2/technician"), "L1": ("一级/高级技师", "level 1/senior technician"),
    "special-technician": ("特级技师", "special technician"),
    "chief-technician": ("首席技师", "chief technician"),
    "yuanji": ("员级", "entry level"), "assistant": ("助理级", "assistant level"),
    "intermediate": ("中级", "intermediate"), "associate-senior": ("副高级", "associate senior"),
    "full-senior": ("正高级", "full senior"), "zhongzhuan": ("中专", "secondary specialised (zhongzhuan)"),
    "dazhuan": ("大专", "junior college (dazhuan)"), "benke": ("本科", "bachelor (benke)"),
    "master": ("硕士研究生", "master"), "doctor": ("博士研究生", "doctor"),
    "eligibility-to-apply": ("可申报评审", "eligible to apply"),
    "deemed-equivalent": ("视同具备", "deemed equivalent"),
    "basis-for-next-level": ("可作为申报上一级的依据", "basis for applying for the next level"),
    "education-equivalence-for-application": ("按相应学历申报", "counts as that education when applying"),
    "education-equivalent-treatment": ("按相应学历落实待遇", "treated as that education level"),
    "equal-treatment": ("享受同等待遇", "equal treatment"),
    "exam-exemption": ("可免理论考试", "exam exemption"), "green-channel": ("绿色通道", "green channel"),
    "full-senior-title-treatment": ("比照正高级职称人员享受同等待遇",
                                    "same treatment as full-senior title holders"),
    "chief-technician-pay": ("薪酬参照本单位高级管理人员标准确定，不低于特级技师",
                             "pay set by reference to senior managers, not below special technicians"),
    "same-level-graduate-equality": ("与同层次普通学校毕业生享有平等机会",
                                     "equal opportunity with same-level general-school graduates"),
}
INFERRED_MARK: Final = Text("推定（非官方）", "inferred, not official")


def _label(code: str | None, lang: str) -> str:
    if code is None:
        return ""
    pair = LABELS.get(code)
    return code if pair is None else pair[0] if lang == "zh" else pair[1]


def describe_outcome(outcome: RecognizedAs, lang: str = "zh") -> str:
    """``工程系列 工程师（中级）`` / ``intermediate title 工程师 (工程系列)``."""
    zh = lang == "zh"
    if outcome.kind == "title":
        level = _label(outcome.title_level, lang)
        name = " ".join(x for x in (outcome.title_series, outcome.title_name) if x)
        if zh:
            return f"{name}（{level}）" if name else f"{level}职称"
        return f"{level} title" + (f" ({name})" if name else "")
    if outcome.kind == "skill-level":
        return _label(outcome.skill_level, lang) if zh else f"skill {_label(outcome.skill_level, lang)}"
    if outcome.kind == "education":
        level = _label(outcome.education_level, lang)
        return f"相当于{level}" if zh else f"equivalent to {level}"
    treatment = _label(outcome.treatment, lang)
    return f"待遇：{treatment}" if zh else f"treatment: {treatment}"


def summarize_rule(rule: RecognitionRule, lang: str = "zh") -> str:
    """One line: id, jurisdiction, name, legal basis, in-force window, and the inferred marker."""
    zh = lang == "zh"
    b = rule.legal_basis
    where = rule.jurisdiction + (f" {rule.locality}" if rule.locality else "")
    if b.document_name:
        doc = f"{b.issuing_authority or ''}《{b.document_name}》" if zh else \
            f"{b.document_name}" + (f", {b.issuing_authority}" if b.issuing_authority else "")
        doc += (f" {b.document_number}" if b.document_number else "") + (f"（{b.document_date}）" if zh and
                                                                         b.document_date else "")
        doc += f" ({b.document_date})" if not zh and b.document_date else ""
    else:
        doc = f"原文件未取得（{rule.provenance.document}）" if zh else \
            f"document not retrieved ({rule.provenance.document})"
    start = rule.in_force_from
    force = (f"自 {start} 起施行" if start else "生效日期不详") if zh else \
        (f"in force from {start}" if start else "in-force date unknown")
    if rule.in_force_until:
        force += f"，至 {rule.in_force_until} 止" if zh else f" until {rule.in_force_until}"
    if zh:
        line = f"{rule.id}（{where}）：{rule.name.zh}。依据：{doc}；{force}"
    else:
        line = f"{rule.id} ({where}): {rule.name.en}. Basis: {doc}; {force}"
    if not rule.evaluable:
        line += "；不能机械判定" if zh else "; not mechanically evaluable"
    if rule.inferred:
        line += f"。{INFERRED_MARK.zh}" if zh else f". {INFERRED_MARK.en}"
    return line


def explain_evaluation(evaluation: Evaluation, lang: str = "zh") -> list[str]:
    """Readable lines: the rule summary, the result, then one line per check (✓ met, ✗ not met)."""
    zh = lang == "zh"
    rule, when = evaluation.rule, evaluation.as_of
    lines = [summarize_rule(rule, lang)]
    if evaluation.holds and evaluation.recognized_as is not None:
        grants = "、".join(_label(g, lang) for g in evaluation.grants) if zh else \
            ", ".join(_label(g, lang) for g in evaluation.grants)
        what = describe_outcome(evaluation.recognized_as, lang)
        if zh:
            purposes = f"；适用事项：{'、'.join(evaluation.purposes)}" if evaluation.purposes else ""
            lines.append(f"结论（{when}）：满足 → {what}；效力：{grants}{purposes}")
        else:
            purposes = f"; purposes: {', '.join(evaluation.purposes)}" if evaluation.purposes else ""
            lines.append(f"Result on {when}: holds → {what}; grants: {grants}{purposes}")
    else:
        lines.append(f"结论（{when}）：不满足" if zh else f"Result on {when}: does not hold")
    lines += [f"{'✓' if r.met else '✗'} {r.zh if zh else r.en}" for r in evaluation.results]
    return lines
