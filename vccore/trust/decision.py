"""The one trust decision: may this document's issuer issue it, there, with the keys that signed it?

Used by the verifier pipeline (its ``trust`` check), by the recognition chain (each source, and the rule
credential with the ``recognition-authority`` role) and by every caller outside the pipeline
(:func:`trust_check`). It reads the document's reading (:mod:`vccore.jsonld.reading`) and answers for every
credential type it has, every jurisdiction its subjects claim, and every key that signed it at the time it
signed (the proof's ``created``, else ``validFrom``, else now).

A ``jurisdiction`` that is present but not one plain region code (an array, a value object) is not a
restriction to be skipped: it fails the decision (red-team finding: ``["CN", "CN"]`` or a typed string
kept the signature valid and, read as "no jurisdiction", dropped the jurisdiction rule).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vccore.credentials import issuer_id, types_of
from vccore.errors import Code, SkillcredError
from vccore.result import Check, CheckName, Problem
from vccore.timeutil import parse_datetime
from vccore.trust.lists import TrustList

__all__ = ["TrustDecision", "decide", "jurisdictions_of", "signing_keys", "trust_check"]


def _proofs(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    proofs = document.get("proof")
    return [p for p in (proofs if isinstance(proofs, list) else [proofs]) if isinstance(p, Mapping)]


def _method_id(vm: str) -> str:
    """A did:key written without its fragment names its one key."""
    if vm.startswith("did:key:") and "#" not in vm:
        return f"{vm}#{vm[len('did:key:') :]}"
    return vm


def signing_keys(document: Mapping[str, Any], *, now: datetime) -> list[tuple[str, datetime]]:
    """``(verification method, when it signed)`` for every proof that names one."""
    out = []
    for proof in _proofs(document):
        vm = proof.get("verificationMethod")
        if not isinstance(vm, str):
            continue
        at = now
        for value in (proof.get("created"), document.get("validFrom"), document.get("issuanceDate")):
            try:
                at = parse_datetime(value)
                break
            except SkillcredError:
                continue
        out.append((_method_id(vm), at))
    return out


def jurisdictions_of(document: Mapping[str, Any]) -> tuple[str, ...]:
    """Every jurisdiction the document's subjects claim, in order, once each (empty: none claims one).
    Raises ``MALFORMED_VALUE_ERROR`` when a subject's ``jurisdiction`` is present but not a plain string."""
    subject = document.get("credentialSubject")
    out: dict[str, None] = {}
    for i, item in enumerate(subject if isinstance(subject, list) else [subject]):
        if not isinstance(item, Mapping) or "jurisdiction" not in item:
            continue
        value = item["jurisdiction"]
        if not isinstance(value, str) or not value:
            where = (
                f"/credentialSubject/{i}/jurisdiction"
                if isinstance(subject, list)
                else "/credentialSubject/jurisdiction"
            )
            raise SkillcredError(
                f"jurisdiction must be one region code, not {value!r}", code=Code.MALFORMED_VALUE_ERROR, pointer=where
            )
        out[value] = None
    return tuple(out)


@dataclass(frozen=True)
class TrustDecision:
    """The answer, its reasons (empty when trusted) and what it was about."""

    trusted: bool
    reasons: tuple[Problem, ...]
    issuer: str
    credential_types: tuple[str, ...]
    jurisdictions: tuple[str, ...]

    def info(self, trust: TrustList | None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "issuer": self.issuer,
            "credentialTypes": list(self.credential_types),
            "trusted": self.trusted,
            "names": trust.names(self.issuer) if trust else None,
        }
        if self.jurisdictions:
            out["jurisdiction"] = self.jurisdictions[0] if len(self.jurisdictions) == 1 else list(self.jurisdictions)
        return out


def decide(
    document: Mapping[str, Any],
    trust: TrustList | None,
    *,
    now: datetime,
    credential_types: Sequence[str] | None = None,
    jurisdictions: Sequence[str] | None = None,
    role: str | None = None,
) -> TrustDecision:
    """Is ``document``'s issuer listed (with ``role``, when given) for each of ``credential_types`` (default:
    the document's own, besides ``VerifiableCredential``) in each of ``jurisdictions`` (default: what its
    subjects claim), with every key that signed it valid when it signed?"""
    issuer = issuer_id(document) or ""
    kinds = tuple(
        credential_types
        if credential_types is not None
        else [t for t in types_of(document) if t != "VerifiableCredential"] or ["VerifiableCredential"]
    )
    reasons: list[Problem] = []
    try:
        regions = tuple(jurisdictions) if jurisdictions is not None else jurisdictions_of(document)
    except SkillcredError as err:
        return TrustDecision(False, (Problem(err.code, err.detail, err.pointer),), issuer, kinds, ())
    keys = signing_keys(document, now=now)
    entry = trust.issuer(issuer) if trust is not None else None
    if trust is None:
        reasons.append(Problem(Code.UNTRUSTED_ISSUER, "no trust list is configured", "/issuer"))
    elif role is not None and (entry is None or role not in entry.roles):
        why = f"{issuer or 'the issuer'} is not on the trust list" if entry is None else f"{issuer} is not a {role}"
        reasons.append(Problem(Code.UNTRUSTED_ISSUER, why, "/issuer"))
    elif not keys:
        reasons.append(Problem(Code.UNTRUSTED_ISSUER, "the credential names no signing key", "/issuer"))
    else:
        for kind in kinds:
            for region in regions or (None,):
                for key, at in keys:
                    ok, why = trust.is_trusted(issuer, credential_type=kind, jurisdiction=region, key_id=key, at=at)
                    if not ok:
                        reasons.append(Problem(Code.UNTRUSTED_ISSUER, why, "/issuer"))
    unique = tuple(dict.fromkeys(reasons))
    return TrustDecision(not unique, unique, issuer, kinds, regions)


def trust_check(document: Any, trust: TrustList | None, *, now: datetime, name: CheckName = CheckName.TRUST) -> Check:
    """The ``trust`` check of :func:`decide`, for callers outside the verifier pipeline."""
    if not isinstance(document, Mapping):
        return Check.fail(name, Code.PARSING_ERROR, "the document is not a JSON object")
    decision = decide(document, trust, now=now)
    return Check.from_problems(name, decision.reasons, info=decision.info(trust))
