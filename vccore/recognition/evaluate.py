"""Evaluation of a recognition rule against source credentials: pure, deterministic and total.

Contract: :func:`evaluate` takes a :class:`vccore.recognition.model.RecognitionRule`, the source data and
``as_of`` and always returns an :class:`Evaluation`, never an exception for bad data (only a
non-date ``as_of`` is a :class:`TypeError`). The rule's in-force window and, for an evaluable rule,
each input slot and each condition (:mod:`vccore.recognition.conditions`) become one :class:`ConditionResult`
with a zh/en sentence. Candidates per slot and the combinations tried are bounded
(:data:`MAX_CANDIDATES`, :data:`MAX_COMBINATIONS`); the first combination meeting every condition is
taken, else the closest miss. Facts that no credential carries (the applicant's post, annual
assessments) enter only as explicit ``declarations``, and a failure caused by a missing
declaration says so (``docs/rules.md``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from vccore.recognition.conditions import Outcome, as_date
from vccore.recognition.model import (
    KIND_DATES,
    SKILL_LEVELS,
    InputSlot,
    RecognitionRule,
    RecognizedAs,
    RuleCondition,
)
from vccore.text import Text

MAX_CANDIDATES: Final = 32
MAX_COMBINATIONS: Final = 64


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
    def standing(self) -> str:
        return self.rule.standing

    def to_json(self) -> dict[str, Any]:
        return {
            "recognitionRule": self.rule.id,
            "ruleVersion": self.rule.version,
            "ruleStanding": self.rule.standing,
            "evaluatedOn": self.as_of.isoformat(),
            "holds": self.holds,
            "conditionsMet": dict(self.conditions_met),
            "failed": [list(f) for f in self.failed],
            "facts": json.loads(json.dumps(dict(self.facts))),
            **(
                {
                    "recognizedAs": self.recognized_as.to_json(),
                    "grants": list(self.grants),
                    "purposes": list(self.purposes),
                }
                if self.recognized_as
                else {}
            ),
        }


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
    if kind is None or any(
        not isinstance(subject.get(f), str) or subject.get(f) not in allowed for f, allowed in slot.match.items()
    ):
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


def _describe(cond: RuleCondition, outcome: Outcome, rule: RecognitionRule, declared: Mapping[str, str]) -> Text:
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
            en += (
                f" ({spec.text.en} ({spec.name}) not declared: no credential carries it; it must be "
                "declared by the applicant or attested by the employer)"
            )
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
        return ConditionResult(
            "in-force", True, f"规则在 {as_of} 有效（{window_zh}）", f"the rule is in force on {as_of} ({window_en})"
        )
    return ConditionResult(
        "in-force",
        False,
        f"规则在 {as_of} 不在有效期内（{window_zh}）",
        f"the rule is not in force on {as_of} ({window_en})",
    )


def evaluate(
    rule: RecognitionRule,
    sources: Sequence[Mapping[str, Any]],
    *,
    as_of: date,
    work_field: str | None = None,
    declarations: Mapping[str, str] | None = None,
) -> Evaluation:
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
        results.append(
            ConditionResult(
                "evaluable",
                False,
                "该规则无具体等级或条件，不能机械判定",
                "the rule has no concrete levels or conditions to evaluate mechanically",
            )
        )
    else:
        candidates = []
        for slot in rule.inputs:
            found = [(i, k) for i, c in enumerate(items) if (k := _slot_kind(slot, c)) is not None]
            candidates.append(found[:MAX_CANDIDATES])
            results.append(
                ConditionResult(
                    f"input:{slot.name}", bool(found), f"依据凭证：{slot.text.zh}", f"source credential: {slot.text.en}"
                )
            )
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
    return Evaluation(
        rule,
        as_of,
        holds,
        rule.recognized_as if holds else None,
        rule.grants if holds else (),
        rule.purposes if holds else (),
        MappingProxyType(met),
        tuple(Failure(r.id, r.zh, r.en) for r in results if not r.met),
        tuple(results),
        MappingProxyType(facts),
        MappingProxyType(traces),
    )


_Trial = tuple[int, list[ConditionResult], dict[str, Outcome], dict[str, Any]]


def _try(
    rule: RecognitionRule,
    combo: tuple[tuple[int, str], ...],
    items: list[Any],
    as_of: date,
    declared: Mapping[str, str],
) -> _Trial:
    context: dict[str, Any] = {
        "asOf": as_of.isoformat(),
        "sources": items,
        "declared": dict(declared),
        "rule": {"id": rule.id, "jurisdiction": rule.jurisdiction},
    }
    inputs: dict[str, Any] = {}
    for slot, (index, kind) in zip(rule.inputs, combo, strict=True):
        cred = items[index]
        when = source_date(cred, kind)
        context[slot.name], context[f"{slot.name}Date"] = cred, when.isoformat() if when else None
        ident = cred.get("id")
        inputs[slot.name] = {
            "index": index,
            "kind": kind,
            "id": ident if isinstance(ident, str) else None,
            "date": context[f"{slot.name}Date"],
        }
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
