"""Recognition derivation: what a recognition authority runs (ARCHITECTURE.md, issuer).

:class:`RecognitionService` publishes rule set versions as signed ``RecognitionRuleCredential``s and
derives ``RecognitionCredential``s: it verifies every source (all must verify), evaluates the rule as
of the requested date, and only if the rule holds builds the credential (:mod:`vccore.recognition.credential`)
and has the issuer sign, record and release it. A rule that does not hold raises
``SkillcredError(RULE_NOT_SATISFIED)`` listing the failed conditions in Chinese and English, and
nothing is issued. A recognition may be a source of another one; the chain's depth is bounded.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final, Protocol

from vccore.clock import Clock
from vccore.errors import Code, SkillcredError
from vccore.recognition.chain import chain_depth
from vccore.recognition.conditions import as_date
from vccore.recognition.credential import parse_rule_credential, recognition_credential, rule_credential
from vccore.recognition.evaluate import evaluate
from vccore.recognition.model import RecognitionRule, RuleSet
from vccore.result import Check, VerificationResult
from vccore.timeutil import beijing_date, require_aware

MAX_DEPTH: Final = 3


class Issued(Protocol):
    """What an issuer returns: the released credential (``IssuerService``'s ``IssuedCredential``)."""

    @property
    def id(self) -> str: ...

    def json(self) -> dict[str, Any]: ...


class Issuing(Protocol):
    """The part of :class:`issuer.service.IssuerService` this service uses."""

    def issue(self, credential: Mapping[str, Any], *, idempotency_key: str | None = None) -> Issued: ...


class SourceVerifier(Protocol):
    """What recognition needs of a verifier (:class:`verifier.pipeline.Verifier` is one; the issuer never
    imports it, the composing code hands it in): verify a source in full, read a document the one way
    every check reads it, and re-check a recognition's chain exactly as a verifier will."""

    def verify_credential(self, document: Any) -> VerificationResult: ...

    def read(self, document: Mapping[str, Any]) -> Mapping[str, Any] | None: ...

    def check_recognition(
        self, recognition: Mapping[str, Any], *, presented: Sequence[Mapping[str, Any]] = ()
    ) -> Check: ...


class RecognitionService:
    """Derive recognitions with ``issuer``, as the authority ``authority`` (its DID, or an issuer
    object with ``id`` and ``name``), citing the signed ``rule_credentials`` it has published; sources
    are verified, read and the result re-checked by ``verifier`` before anything is signed."""

    def __init__(
        self,
        issuer: Issuing,
        *,
        authority: str | Mapping[str, Any],
        rule_credentials: Sequence[Mapping[str, Any]] = (),
        verifier: SourceVerifier,
        clock: Clock,
        max_depth: int = MAX_DEPTH,
    ) -> None:
        did = authority.get("id") if isinstance(authority, Mapping) else authority
        if not isinstance(did, str) or not did.startswith("did:"):
            raise ValueError(f"authority: expected a DID or an issuer object with a DID id, got {authority!r}")
        if max_depth < 1:
            raise ValueError(f"max_depth: at least 1, got {max_depth!r}")
        self._issuer = issuer
        self._authority = authority
        self._did = did
        self._rules: list[tuple[Mapping[str, Any], RuleSet]] = []
        for i, doc in enumerate(rule_credentials):
            try:
                self._rules.append((doc, parse_rule_credential(doc)))
            except SkillcredError as err:
                raise ValueError(f"rule_credentials[{i}]: {err.detail}") from err
        self._verifier = verifier
        self._clock = clock
        self._max_depth = max_depth

    @property
    def rule_credentials(self) -> tuple[Mapping[str, Any], ...]:
        return tuple(doc for doc, _ in self._rules)

    def publish_ruleset(self, ruleset: RuleSet | Mapping[str, Any], *, idempotency_key: str | None = None) -> Issued:
        """Sign and release one rule set version; later recognitions may cite it. A version already
        published is never changed: issuing it again is the issuer's ``CONFLICT``."""
        name = self._authority.get("name") if isinstance(self._authority, Mapping) else None
        unsigned = rule_credential(ruleset, authority_did=self._did, issuer_name=name, now=require_aware(self._clock()))
        issued = self._issuer.issue(unsigned, idempotency_key=idempotency_key)
        doc = issued.json()
        self._rules.append((doc, parse_rule_credential(doc)))
        return issued

    def find_rule(self, rule_id: str) -> tuple[Mapping[str, Any], RecognitionRule] | None:
        """The most recently published rule credential holding ``rule_id``, and the rule."""
        for doc, ruleset in reversed(self._rules):
            rule = ruleset.rule(rule_id)
            if rule is not None:
                return doc, rule
        return None

    def recognize(
        self,
        sources: Sequence[Mapping[str, Any]],
        *,
        rule_id: str,
        as_of: date,
        declarations: Mapping[str, str] | None = None,
        supporting: Sequence[Mapping[str, Any]] = (),
        credential_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Issued:
        """Verify ``sources``, evaluate ``rule_id`` on them as of ``as_of`` and issue the recognition.

        ``supporting`` are the documents behind sources that are themselves recognitions (their own
        sources), used only to measure the chain's depth.
        """
        found = self.find_rule(rule_id)
        if found is None:
            raise SkillcredError(f"{rule_id} is in no rule set this authority has published", code=Code.NOT_FOUND)
        rule_doc, rule = found
        if not sources:
            raise SkillcredError("no source credentials were given", code=Code.CHAIN_SOURCE_MISSING)
        readings: list[Mapping[str, Any]] = []
        for i, source in enumerate(sources):
            result = self._verifier.verify_credential(source)
            reading = self._verifier.read(source) if result.verified else None
            if reading is None:
                codes = ", ".join(sorted({p.code.value for p in result.problems()}))
                raise SkillcredError(
                    f"source {i} ({source.get('id', '?')}) does not verify: {codes}",
                    code=Code.CHAIN_SOURCE_INVALID,
                    pointer=f"/sources/{i}",
                )
            readings.append(reading)
        now = require_aware(self._clock())
        today = beijing_date(now)
        if as_of > today:
            raise SkillcredError(
                f"asOf {as_of} is in the future (today is {today} in Beijing) / 认定日期 {as_of} 晚于今天",
                code=Code.RANGE_ERROR,
                pointer="/asOf",
            )
        pool = [*readings, *supporting]
        depth = max((chain_depth(s, pool, limit=self._max_depth) for s in readings), default=0)
        if depth + 1 > self._max_depth:
            raise SkillcredError(
                f"the recognition would stand on {depth + 1} steps; at most {self._max_depth}", code=Code.CHAIN_TOO_DEEP
            )
        evaluation = evaluate(rule, readings, as_of=as_of, declarations=declarations)
        if not evaluation.holds:
            zh = "；".join(f.zh for f in evaluation.failed)
            en = "; ".join(f.en for f in evaluation.failed)
            raise SkillcredError(
                f"{rule.id} 不满足：{zh} / {rule.id} does not hold: {en}", code=Code.RULE_NOT_SATISFIED
            )
        for slot in evaluation.facts["inputs"].values():
            achieved = as_date(slot.get("date"))
            if achieved is not None and achieved > as_of:
                raise SkillcredError(
                    f"asOf {as_of} is before {slot.get('id')} was achieved ({achieved}) "
                    f"/ 认定日期 {as_of} 早于依据证书的日期 {achieved}",
                    code=Code.RANGE_ERROR,
                    pointer="/asOf",
                )
        unsigned = recognition_credential(
            evaluation,
            rule=rule,
            rule_credential=rule_doc,
            sources=readings,
            issuer=self._authority,
            as_of=as_of,
            credential_id=credential_id or f"urn:uuid:{uuid.uuid4()}",
            now=now,
        )
        self._self_check(unsigned, [*sources, *supporting, *self.rule_credentials])
        return self._issuer.issue(unsigned, idempotency_key=idempotency_key)

    def _self_check(self, unsigned: Mapping[str, Any], presented: Sequence[Mapping[str, Any]]) -> None:
        """The recognition's chain, re-checked by the verifier's own rules before anything is signed:
        what a verifier would refuse is never issued (its first problem is raised)."""
        check = self._verifier.check_recognition(unsigned, presented=presented)
        if not check.passed:
            first = check.problems[0]
            raise SkillcredError(
                f"the recognition would not verify: {first.detail or first.title} / 认定凭证无法通过核验",
                code=first.code,
                pointer=first.pointer,
            )
