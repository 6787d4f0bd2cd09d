"""One result type at every layer: named checks, each with problem details.

``verified`` is true only when at least one check ran and every check passed. A check that could
not run (a status list that cannot be fetched) is recorded as failed with its own code, never as a
pass. Nested results (a presentation's credentials, a recognition's sources and rule) hang off the
result and count: a failed child fails the parent's check that carries it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from vccore.errors import Code, SkillcredError, title_en, title_zh


class CheckName(StrEnum):
    """The name of every check a result may hold (beside :class:`vccore.errors.Code`, the codes of its
    problems). A member is its string: results serialize and compare as before."""

    SYNTAX = "syntax"  # size, depth and strict JSON
    CONTEXT = "context"  # pinned @context URLs only
    FORM = "form"  # the one reading (vccore.jsonld.reading)
    DATA_MODEL = "dataModel"  # VC 2.0 data model and the JSON Schemas of skillcred's types
    PROOF = "proof"  # Data Integrity proofs
    VALIDITY = "validity"  # validFrom / validUntil
    STATUS = "status"  # a status entry of an unknown purpose
    STATUS_REVOCATION = "status.revocation"
    STATUS_SUSPENSION = "status.suspension"
    TRUST = "trust"  # the issuer on the trust list for the credential's kind and jurisdiction
    RECOGNITION = "recognition"  # the recognition chain, re-checked
    SOURCE = "source"  # one source of a recognition
    RULE = "rule"  # the rule credential a recognition cites
    CHALLENGE = "challenge"  # a presentation's challenge and domain
    HOLDER_BINDING = "holderBinding"  # the presenter is each credential's subject
    CREDENTIALS = "credentials"  # a presentation's credentials
    TRUST_LIST = "trustList"  # a trust list credential's own content
    TRUST_PACK = "trustPack"
    TRUST_PACK_PROOF = "trustPack.proof"
    TRUST_PACK_TRUST_LISTS = "trustPack.trustLists"

    @classmethod
    def status(cls, purpose: str) -> CheckName:
        """The check of a status entry of ``purpose``."""
        return {"revocation": cls.STATUS_REVOCATION, "suspension": cls.STATUS_SUSPENSION}.get(purpose, cls.STATUS)


@dataclass(frozen=True)
class Problem:
    """An RFC 9457-style problem: a code from :mod:`vccore.errors`, a title, a detail, a pointer."""

    code: Code
    detail: str = ""
    pointer: str = ""

    @property
    def title(self) -> str:
        return title_en(self.code)

    @property
    def title_zh(self) -> str:
        return title_zh(self.code)

    @classmethod
    def from_error(cls, err: SkillcredError) -> Problem:
        return cls(err.code, err.detail, err.pointer)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code.value,
            "title": self.title,
            "title_zh": self.title_zh,
            "detail": self.detail,
        }
        if self.pointer:
            out["pointer"] = self.pointer
        return out


@dataclass(frozen=True)
class Check:
    """A named step (``proof``, ``status.revocation``, ``recognition.rule`` ...) and its outcome."""

    name: CheckName
    passed: bool
    problems: tuple[Problem, ...] = ()
    info: Mapping[str, Any] = field(default_factory=dict)
    children: tuple[VerificationResult, ...] = ()

    def __post_init__(self) -> None:
        if self.passed and self.problems:
            raise ValueError(f"check {self.name!r}: a passed check carries no problems")
        if not self.passed and not self.problems:
            raise ValueError(f"check {self.name!r}: a failed check needs at least one problem")

    @classmethod
    def ok(
        cls, name: CheckName, *, info: Mapping[str, Any] | None = None, children: Iterable[VerificationResult] = ()
    ) -> Check:
        kids = tuple(children)
        failed = [k for k in kids if not k.verified]
        if failed:
            return cls(
                name,
                False,
                tuple(p for k in failed for p in k.problems())
                or (Problem(Code.PROOF_VERIFICATION_ERROR, "a nested result failed"),),
                dict(info or {}),
                kids,
            )
        return cls(name, True, (), dict(info or {}), kids)

    @classmethod
    def fail(
        cls,
        name: CheckName,
        code: Code,
        detail: str = "",
        *,
        pointer: str = "",
        info: Mapping[str, Any] | None = None,
        children: Iterable[VerificationResult] = (),
    ) -> Check:
        return cls(name, False, (Problem(code, detail, pointer),), dict(info or {}), tuple(children))

    @classmethod
    def from_problems(
        cls,
        name: CheckName,
        problems: Iterable[Problem],
        *,
        info: Mapping[str, Any] | None = None,
        children: Iterable[VerificationResult] = (),
    ) -> Check:
        probs = tuple(problems)
        if probs:
            return cls(name, False, probs, dict(info or {}), tuple(children))
        return cls.ok(name, info=info, children=children)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"check": self.name, "passed": self.passed}
        if self.problems:
            out["problems"] = [p.to_json() for p in self.problems]
        if self.info:
            out["info"] = dict(self.info)
        if self.children:
            out["results"] = [c.to_json() for c in self.children]
        return out


@dataclass(frozen=True)
class VerificationResult:
    """An ordered tuple of checks about one document (``subject`` names it: an id or a label)."""

    checks: tuple[Check, ...] = ()
    subject: str = ""
    warnings: tuple[Problem, ...] = ()
    info: Mapping[str, Any] = field(default_factory=dict)

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    def check(self, name: str) -> Check | None:
        for c in self.checks:
            if c.name == name:
                return c
        return None

    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    def problems(self) -> tuple[Problem, ...]:
        return tuple(p for c in self.checks for p in c.problems)

    def codes(self) -> set[Code]:
        """Every problem code in this result and in its nested results."""
        out = {p.code for p in self.problems()}
        for c in self.checks:
            for child in c.children:
                out |= child.codes()
        return out

    def with_check(self, check: Check) -> VerificationResult:
        return VerificationResult((*self.checks, check), self.subject, self.warnings, self.info)

    def with_warning(self, problem: Problem) -> VerificationResult:
        return VerificationResult(self.checks, self.subject, (*self.warnings, problem), self.info)

    def with_info(self, **info: Any) -> VerificationResult:
        merged = dict(self.info)
        merged.update(info)
        return VerificationResult(self.checks, self.subject, self.warnings, merged)

    def to_json(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "subject": self.subject,
            "checks": [c.to_json() for c in self.checks],
            "warnings": [w.to_json() for w in self.warnings],
            "errors": [p.to_json() for p in self.problems()],
            **({"info": dict(self.info)} if self.info else {}),
        }


def failure(
    name: CheckName, code: Code, detail: str = "", *, subject: str = "", pointer: str = ""
) -> VerificationResult:
    """A result with one failed check: the usual answer for input that cannot be examined further."""
    return VerificationResult((Check.fail(name, code, detail, pointer=pointer),), subject)
