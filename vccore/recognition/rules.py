"""Recognition rules: the model, strict parsing, pure evaluation, and explanations in zh and en.

A rule (``docs/rules.md``; schema ``vccore/data/ruleset.schema.json``) says what it takes (input
slots: credential kinds plus field filters on ``credentialSubject``), what must hold (conditions in
:mod:`vccore.recognition.conditions`, each with a zh/en sentence), what it yields (``recognizedAs``, grants,
purposes), when it is in force, on what legal basis, and how it stands (``standing``: ``sourced``,
``reported`` or ``inferred``; an inferred rule is never presented as official, and a rule whose
instrument was not retrieved is never ``sourced``).

Parsing raises ``SkillcredError(RULE_ERROR)`` naming the JSON pointer. :func:`evaluate` is pure,
deterministic and total: any source data gives an :class:`Evaluation`, never an exception. Facts
that no credential carries (the applicant's post, annual assessments) enter only as explicit
``declarations``, and a failure caused by a missing declaration says so.

This module is the strict parser and the entry point. The model (:mod:`vccore.recognition.model`),
evaluation (:mod:`vccore.recognition.evaluate`) and explanations (:mod:`vccore.recognition.text`) live in their own
modules and are re-exported here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from types import MappingProxyType
from typing import Any, Final

from vccore import jsonstrict
from vccore.errors import Code, SkillcredError
from vccore.recognition.conditions import as_date, compile_condition
from vccore.recognition.model import (
    DIRECTIONS,
    EDUCATION_LEVELS,
    GRANTS,
    KIND_DATES,
    MATCH_FIELDS,
    OUTCOME_KINDS,
    QUOTE_SOURCES,
    SKILL_LEVELS,
    STANDINGS,
    TITLE_LEVELS,
    Coverage,
    DeclaredInput,
    InputSlot,
    LegalBasis,
    Provenance,
    Quote,
    RecognitionRule,
    RecognizedAs,
    RuleCondition,
    RuleSet,
    SetBasis,
)
from vccore.text import Text

_RESERVED: Final = frozenset({"asOf", "sources", "declared", "rule", "it"})
_RULE_ID: Final = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*")
_JURISDICTION: Final = re.compile(r"CN(?:-[A-Z]{2})?")
_NAME: Final = re.compile(r"[a-z][A-Za-z0-9]*")
_COND_ID: Final = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PARTIAL_DATE: Final = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")


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


def _str(
    v: Any,
    ptr: str,
    *,
    nullable: bool = False,
    pattern: re.Pattern[str] | None = None,
    enum: Sequence[str] | None = None,
) -> Any:
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
    return InputSlot(
        name, kinds, MappingProxyType(filters), low, Text(_str(m["zh"], f"{ptr}/zh"), _str(m["en"], f"{ptr}/en"))
    )


def _quote(v: Any, ptr: str) -> Quote:
    m = _obj(v, ptr, "source text supports")
    return Quote(
        _str(m["source"], f"{ptr}/source", enum=QUOTE_SOURCES),
        _str(m["text"], f"{ptr}/text"),
        _strs(m["supports"], f"{ptr}/supports", min_items=1),
    )


def _declared(v: Any, ptr: str) -> DeclaredInput:
    m = _obj(v, ptr, "name zh en", "values")
    return DeclaredInput(
        _str(m["name"], f"{ptr}/name", pattern=_NAME),
        Text(_str(m["zh"], f"{ptr}/zh"), _str(m["en"], f"{ptr}/en")),
        _strs(m.get("values", []), f"{ptr}/values"),
    )


def _outcome(v: Any, ptr: str) -> RecognizedAs | None:
    if v is None:
        return None
    m = _obj(v, ptr, "kind", "titleSeries titleLevel titleName skillLevel educationLevel treatment")
    kind = _str(m["kind"], f"{ptr}/kind", enum=tuple(OUTCOME_KINDS))
    if m.get(OUTCOME_KINDS[kind]) is None:
        raise _fail(f"{ptr}/{OUTCOME_KINDS[kind]}", f"required for kind {kind!r}")
    enums: dict[str, Sequence[str] | None] = {
        "titleLevel": TITLE_LEVELS,
        "skillLevel": tuple(SKILL_LEVELS),
        "educationLevel": EDUCATION_LEVELS,
    }
    f = {
        k: _str(m.get(k), f"{ptr}/{k}", nullable=True, enum=enums.get(k))
        for k in ("titleSeries", "titleLevel", "titleName", "skillLevel", "educationLevel", "treatment")
    }
    return RecognizedAs(
        kind, f["titleSeries"], f["titleLevel"], f["titleName"], f["skillLevel"], f["educationLevel"], f["treatment"]
    )


def parse_rule(doc: Any, *, pointer: str = "") -> RecognitionRule:
    """Validate one rule object strictly and build it. Raises ``SkillcredError(RULE_ERROR)``."""
    p = pointer
    m = _obj(
        doc,
        p,
        "id version jurisdiction direction name legalBasis inputs conditions recognizedAs "
        "grants purposes inForceFrom inForceUntil evaluable standing provenance",
        "locality declaredInputs notes",
    )
    lb = _obj(m["legalBasis"], f"{p}/legalBasis", "issuingAuthority documentName documentNumber documentDate urls")
    if lb["documentDate"] is not None and not _PARTIAL_DATE.fullmatch(str(lb["documentDate"])):
        raise _fail(f"{p}/legalBasis/documentDate", "expected YYYY, YYYY-MM or YYYY-MM-DD or null")
    lbs = {k: _str(lb[k], f"{p}/legalBasis/{k}", nullable=True) for k in lb if k != "urls"}
    basis = LegalBasis(
        lbs["issuingAuthority"],
        lbs["documentName"],
        lbs["documentNumber"],
        lbs["documentDate"],
        _strs(lb["urls"], f"{p}/legalBasis/urls"),
    )
    pv = _obj(
        m["provenance"], f"{p}/provenance", "document number date urls refs evidence instrumentRetrieved", "note quotes"
    )
    if not isinstance(pv["instrumentRetrieved"], bool):
        raise _fail(f"{p}/provenance/instrumentRetrieved", "expected true or false")
    raw_quotes = pv.get("quotes", [])
    if not isinstance(raw_quotes, list):
        raise _fail(f"{p}/provenance/quotes", "expected a list")
    quotes = tuple(_quote(q, f"{p}/provenance/quotes/{i}") for i, q in enumerate(raw_quotes))
    prov = Provenance(
        _str(pv["document"], f"{p}/provenance/document"),
        _str(pv["number"], f"{p}/provenance/number", nullable=True),
        _str(pv["date"], f"{p}/provenance/date", nullable=True),
        _strs(pv["urls"], f"{p}/provenance/urls"),
        _strs(pv["refs"], f"{p}/provenance/refs"),
        _str(pv["evidence"], f"{p}/provenance/evidence", enum=("read", "seed", "reasoned")),
        _str(pv.get("note"), f"{p}/provenance/note", nullable=True),
        pv["instrumentRetrieved"],
        quotes,
    )
    standing = _str(m["standing"], f"{p}/standing", enum=STANDINGS)
    if standing == "sourced" and not (prov.instrument_retrieved and basis.document_name):
        raise _fail(f"{p}/standing", "a rule whose instrument was not retrieved (or is not named) cannot be 'sourced'")
    if standing != "inferred" and prov.evidence == "reasoned":
        raise _fail(f"{p}/standing", "a rule whose evidence is our reasoning is 'inferred'")
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
            if head not in known or (head == "declared" and rest.split(".")[0] not in {d.name for d in declared}):
                raise _fail(f"{cp}/logic", f"variable {var!r} is neither an input nor a declared input")
        conds.append(
            RuleCondition(
                _str(cm["id"], f"{cp}/id", pattern=_COND_ID),
                Text(_str(cm["zh"], f"{cp}/zh"), _str(cm["en"], f"{cp}/en")),
                logic,
                _str(cm.get("confidence", "sourced"), f"{cp}/confidence", enum=("sourced", "inferred")),
            )
        )
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
        _str(m["id"], f"{p}/id", pattern=_RULE_ID),
        _str(m["version"], f"{p}/version"),
        _str(m["jurisdiction"], f"{p}/jurisdiction", pattern=_JURISDICTION),
        _str(m.get("locality"), f"{p}/locality", nullable=True),
        _str(m["direction"], f"{p}/direction", enum=DIRECTIONS),
        _text(m["name"], f"{p}/name"),
        basis,
        slots,
        declared,
        tuple(conds),
        outcome,
        _strs(m["grants"], f"{p}/grants", enum=GRANTS, min_items=1),
        _strs(m["purposes"], f"{p}/purposes"),
        start,
        end,
        evaluable,
        standing,
        prov,
        _text(m["notes"], f"{p}/notes") if m.get("notes") is not None else None,
        json.dumps(m, ensure_ascii=False, sort_keys=True),
    )


def parse_ruleset(doc: Any) -> RuleSet:
    m = _obj(doc, "", "type id version jurisdiction legalBasis rules", "coverage")
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
    lb = _obj(m["legalBasis"], "/legalBasis", "issuingAuthority standing")
    basis = SetBasis(
        None if lb["issuingAuthority"] is None else _text(lb["issuingAuthority"], "/legalBasis/issuingAuthority"),
        _str(lb["standing"], "/legalBasis/standing", enum=STANDINGS),
    )
    coverage = None
    if m.get("coverage") is not None:
        cv = _obj(m["coverage"], "/coverage", "listed zh en")
        if not isinstance(cv["listed"], int) or isinstance(cv["listed"], bool) or cv["listed"] < len(rules):
            raise _fail("/coverage/listed", f"expected a whole number of at least {len(rules)} (the rules shipped)")
        coverage = Coverage(cv["listed"], _text({"zh": cv["zh"], "en": cv["en"]}, "/coverage"))
    return RuleSet(
        _str(m["id"], "/id", pattern=_RULE_ID),
        _str(m["version"], "/version"),
        jurisdiction,
        basis,
        rules,
        coverage,
    )


def load_ruleset(data: str | bytes) -> RuleSet:
    """Parse JSON text strictly (:mod:`vccore.jsonstrict`) into a rule set; every error is RULE_ERROR."""
    try:
        doc = jsonstrict.loads(data)
    except SkillcredError as err:
        raise SkillcredError(f"rule set: {err.detail}", code=Code.RULE_ERROR) from err
    return parse_ruleset(doc)
