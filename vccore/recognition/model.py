"""The recognition rule model: immutable values for rules and rule sets, and the code lists they use.

Contract: every class here is a frozen dataclass built only by the strict parser
(:func:`vccore.recognition.rules.parse_rule`); a :class:`RecognitionRule` keeps its validated JSON as
canonical text (``document``, sorted keys), which is its identity (``__hash__``) and its
:meth:`RecognitionRule.to_json`. The code lists (skill levels, title and education levels, grants,
directions, credential kinds and the subject field that dates each) are those of ``docs/rules.md``
and the schema ``vccore/data/ruleset.schema.json``. No behaviour beyond access and JSON output:
parsing is :mod:`vccore.recognition.rules`, evaluation :mod:`vccore.recognition.evaluate`, explanations
:mod:`vccore.recognition.text`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from vccore.recognition.conditions import Condition
from vccore.text import Text

SKILL_LEVELS: Final = {
    "apprentice": 0,
    "L5": 1,
    "L4": 2,
    "L3": 3,
    "L2": 4,
    "L1": 5,
    "special-technician": 6,
    "chief-technician": 7,
}
TITLE_LEVELS: Final = ("yuanji", "assistant", "intermediate", "associate-senior", "full-senior")
EDUCATION_LEVELS: Final = ("zhongzhuan", "dazhuan", "benke", "master", "doctor")
SCHOOL_CLASSES: Final = ("intermediate-worker-class", "advanced-worker-class", "preparatory-technician-class")
GRANTS: Final = (
    "eligibility-to-apply",
    "deemed-equivalent",
    "basis-for-next-level",
    "education-equivalence-for-application",
    "education-equivalent-treatment",
    "equal-treatment",
    "exam-exemption",
    "green-channel",
)
DIRECTIONS: Final = (
    "skill-to-title",
    "title-to-skill",
    "qualification-to-title",
    "bidirectional",
    "school-to-degree-equivalence",
    "school-or-skill-to-degree-equivalence",
    "skill-to-professional-qualification",
    "skill-to-title-treatment",
    "skill-to-treatment",
)
#: Credential kind -> the subject field that dates the achievement (else ``validFrom``).
KIND_DATES: Final = {
    "SkillLevelCredential": "assessmentDate",
    "ProfessionalQualificationCredential": "issueDate",
    "ProfessionalTitleCredential": "awardDate",
    "DegreeCredential": "graduationDate",
    "TechnicalSchoolDiplomaCredential": "graduationDate",
    "RecognitionCredential": "recognitionDate",
}
#: Input filters: ``credentialSubject`` field -> allowed codes (None: free text).
MATCH_FIELDS: Final[dict[str, tuple[str, ...] | None]] = {
    "skillLevel": tuple(SKILL_LEVELS),
    "credentialForm": None,
    "occupationCode": None,
    "qualificationName": None,
    "qualificationGrade": None,
    "qualificationCategory": ("access", "level-evaluation"),
    "titleSeries": None,
    "titleLevel": TITLE_LEVELS,
    "educationLevel": EDUCATION_LEVELS,
    "technicalSchoolClass": SCHOOL_CLASSES,
}
#: How a rule stands (docs/rules.md "Standing"): ``sourced`` - the instrument itself was retrieved and is
#: cited; ``reported`` - a reliable secondary source (the starting article, an official news report, a
#: forwarding notice's summary) describes it, the instrument was not retrieved; ``inferred`` - our reading.
STANDINGS: Final = ("sourced", "reported", "inferred")
#: Where a quoted source line can be checked: files of ``../shared/domain`` (quotes are verbatim).
QUOTE_SOURCES: Final = ("article.txt", "DOMAIN.md")
OUTCOME_KINDS: Final = {
    "title": "titleLevel",
    "skill-level": "skillLevel",
    "education": "educationLevel",
    "treatment": "treatment",
}


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
        for key, value in (
            ("titleSeries", self.title_series),
            ("titleLevel", self.title_level),
            ("titleName", self.title_name),
            ("skillLevel", self.skill_level),
            ("educationLevel", self.education_level),
            ("treatment", self.treatment),
        ):
            if value is not None:
                out[key] = value
        return out


@dataclass(frozen=True)
class Quote:
    """A verbatim line of ``source`` (one of :data:`QUOTE_SOURCES`) and what of the rule it supports:
    ``grant:<code>``, ``purpose:<text>``, ``outcome``, ``input`` or ``condition:<id>``."""

    source: str
    text: str
    supports: tuple[str, ...]


@dataclass(frozen=True)
class Provenance:
    document: str
    number: str | None
    date: str | None
    urls: tuple[str, ...]
    refs: tuple[str, ...]
    evidence: str
    note: str | None
    #: was the instrument itself (its text, an official reprint or a forwarding of it) retrieved?
    instrument_retrieved: bool = False
    quotes: tuple[Quote, ...] = ()


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
    standing: str  # one of STANDINGS
    provenance: Provenance
    notes: Text | None
    document: str  # the validated JSON, canonical text (sorted keys)

    def __hash__(self) -> int:
        return hash(self.document)

    @property
    def inferred(self) -> bool:
        return self.standing == "inferred"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = json.loads(self.document)
        return out


@dataclass(frozen=True)
class SetBasis:
    """The authority a rule set cites (None: no source names it) and how that stands. It is never the
    name of whoever signs the set: that is the signing issuer's own profile name."""

    issuing_authority: Text | None
    standing: str


@dataclass(frozen=True)
class Coverage:
    """How much of a list the sources speak of the set holds: ``listed`` items, of which the set
    ships ``len(rules)``; ``text`` says where the count comes from."""

    listed: int
    text: Text


@dataclass(frozen=True)
class RuleSet:
    id: str
    version: str
    jurisdiction: str
    basis: SetBasis
    rules: tuple[RecognitionRule, ...]
    coverage: Coverage | None = None

    def rule(self, rule_id: str) -> RecognitionRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "RecognitionRuleSet",
            "id": self.id,
            "version": self.version,
            "jurisdiction": self.jurisdiction,
            "legalBasis": {
                "issuingAuthority": None
                if self.basis.issuing_authority is None
                else {"zh": self.basis.issuing_authority.zh, "en": self.basis.issuing_authority.en},
                "standing": self.basis.standing,
            },
            **(
                {}
                if self.coverage is None
                else {
                    "coverage": {
                        "listed": self.coverage.listed,
                        "zh": self.coverage.text.zh,
                        "en": self.coverage.text.en,
                    }
                }
            ),
            "rules": [r.to_json() for r in self.rules],
        }
