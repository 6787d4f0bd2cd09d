"""Recognition credentials and the signed rule sets they cite (docs/credentials.md, docs/rules.md).

A recognition authority publishes each rule set version as a ``RecognitionRuleCredential`` and derives
``RecognitionCredential``s from source credentials by evaluating one of its rules. The derived
credential is bound to what it was derived from by ``relatedResource`` digests (VC Data Model 2.0
section 5.3 "Integrity of Related Resources"), one per source and one for the rule credential, so a
verifier can re-check the whole chain (:mod:`vccore.recognition.chain`).

**The digest.** ``digestMultibase`` is the multibase base64url (``u``) encoding of the sha2-256
multihash (``0x12 0x20`` + the 32-byte digest) of the RFC 8785 (JCS) bytes of the *whole secured
document*, proof included. VC 2.0 section 5.3 digests "the resource" as retrieved; a credential here
travels as JSON whose whitespace and key order vary between wallets, QR payloads and stores, so the
JCS form is the stable byte string of that resource. Including the proof means a re-signed or edited
copy, even a validly signed one with the same ``id``, no longer matches.

Builders are pure: no I/O, no signing, inputs never mutated. Misuse raises ``ValueError``; a rule that
does not hold or sources that are not about one person raise :class:`SkillcredError`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

import contexts
from vccore import multibase
from vccore.canon import jcs
from vccore.errors import Code, SkillcredError
from vccore.recognition.conditions import as_date
from vccore.recognition.evaluate import Evaluation
from vccore.recognition.model import RecognitionRule, RuleSet
from vccore.recognition.rules import parse_ruleset
from vccore.timeutil import format_datetime, require_aware

CONTEXT: Final = (contexts.CREDENTIALS_V2, contexts.SKILLCRED_V1)
RECOGNITION_TYPE: Final = "RecognitionCredential"
RULE_TYPE: Final = "RecognitionRuleCredential"
RULESET_SUBJECT_TYPE: Final = "RecognitionRuleSet"
SCHEMA_ID: Final = "https://w3id.org/skillcred/schemas/recognition-v1.json"
SHA2_256: Final = b"\x12\x20"
_NAMESPACE: Final = uuid.UUID("6f1c7a52-4b55-4d0e-9f5a-2a1c1d7e0b11")


def digest_multibase(document: Mapping[str, Any]) -> str:
    """``u`` + base64url(0x12 0x20 + sha256(JCS(document))): see the module docstring."""
    return multibase.encode_u(SHA2_256 + hashlib.sha256(jcs.jcs_bytes(document)).digest())


def ruleset_subject_id(ruleset_id: str, version: str) -> str:
    return f"urn:skillcred:ruleset:{ruleset_id}:{version}"


def _bilingual(zh: str, en: str) -> list[dict[str, str]]:
    return [{"@value": zh, "@language": "zh"}, {"@value": en, "@language": "en"}]


def _types(document: Mapping[str, Any]) -> list[str]:
    t = document.get("type")
    return [t] if isinstance(t, str) else [x for x in t if isinstance(x, str)] if isinstance(t, list) else []


def rule_credential(
    ruleset: RuleSet | Mapping[str, Any],
    *,
    authority_did: str,
    now: datetime,
    issuer_name: Any = None,
    credential_id: str | None = None,
) -> dict[str, Any]:
    """The unsigned ``RecognitionRuleCredential`` publishing one version of a rule set.

    The issuer is the signer: ``authority_did`` and, when given, ``issuer_name`` (its own profile name,
    a string or language-tagged values). The authority the set *cites* stays in the set's
    ``legalBasis`` with its standing and is never written as the issuer's name.

    A version is published once: the default ``id`` is derived from the authority, the set id and the
    version, so publishing the same version twice collides in the issuer's registry instead of
    changing a credential that recognitions already cite. A new version is a new credential.
    """
    parsed = ruleset if isinstance(ruleset, RuleSet) else parse_ruleset(ruleset)
    if not isinstance(authority_did, str) or not authority_did.startswith("did:") or "#" in authority_did:
        raise ValueError(f"authority_did: expected a DID, got {authority_did!r}")
    subject_id = ruleset_subject_id(parsed.id, parsed.version)
    ident = credential_id or f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{authority_did} {subject_id}')}"
    return {
        "@context": list(CONTEXT),
        "id": ident,
        "type": ["VerifiableCredential", RULE_TYPE],
        "name": _bilingual("认定规则集凭证", "Recognition rule set credential"),
        "issuer": {"id": authority_did, **({"name": issuer_name} if issuer_name else {})},
        "validFrom": format_datetime(require_aware(now)),
        "credentialSubject": {
            "id": subject_id,
            "type": RULESET_SUBJECT_TYPE,
            "ruleSetId": parsed.id,
            "ruleSetVersion": parsed.version,
            "jurisdiction": parsed.jurisdiction,
            "ruleSet": parsed.to_json(),
        },
    }


def parse_rule_credential(document: Any) -> RuleSet:
    """The rule set a ``RecognitionRuleCredential`` publishes; ``SkillcredError(RULE_ERROR)`` if it is
    not one, or if its ``ruleSetId``/``ruleSetVersion``/``jurisdiction``/``id`` disagree with the set."""
    if not isinstance(document, Mapping) or RULE_TYPE not in _types(document):
        raise SkillcredError(f"not a {RULE_TYPE}", code=Code.RULE_ERROR, pointer="/type")
    subject = document.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("type") != RULESET_SUBJECT_TYPE:
        raise SkillcredError(
            f"credentialSubject must be a {RULESET_SUBJECT_TYPE}", code=Code.RULE_ERROR, pointer="/credentialSubject"
        )
    parsed = parse_ruleset(subject.get("ruleSet"))
    expected = {
        "id": ruleset_subject_id(parsed.id, parsed.version),
        "ruleSetId": parsed.id,
        "ruleSetVersion": parsed.version,
        "jurisdiction": parsed.jurisdiction,
    }
    for key, value in expected.items():
        if subject.get(key) != value:
            raise SkillcredError(
                f"credentialSubject.{key} {subject.get(key)!r} is not the rule set's {value!r}",
                code=Code.RULE_ERROR,
                pointer=f"/credentialSubject/{key}",
            )
    return parsed


def same_subject(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Are two ``credentialSubject`` objects the same person? Every identifier both carry (the DID
    ``id``, the ``identityHash``) must be equal, and they must share at least one. Identity hashes are
    salted per credential, so two sources from different issuers match only through a DID."""
    shared = [k for k in ("id", "identityHash") if a.get(k) is not None and b.get(k) is not None]
    return bool(shared) and all(a[k] == b[k] for k in shared)


def _subject(source: Any) -> Mapping[str, Any]:
    subject = source.get("credentialSubject") if isinstance(source, Mapping) else None
    return subject if isinstance(subject, Mapping) else {}


def legal_basis(rule: RecognitionRule) -> dict[str, Any]:
    """The ``legalBasis`` a recognition under ``rule`` carries: the members known, always typed; a
    basis with no ``documentName`` reads 原文件未取得 (instrument not retrieved) on every surface."""
    b = rule.legal_basis
    members = {
        "issuingAuthority": b.issuing_authority,
        "documentName": b.document_name,
        "documentNumber": b.document_number,
        "documentDate": b.document_date,
    }
    return {"type": "LegalBasis", **{k: v for k, v in members.items() if v is not None}}


def rule_note(rule: RecognitionRule) -> list[dict[str, str]] | None:
    """The rule's notes (what qualifies it), as the recognition carries them: zh and en, or None."""
    return _bilingual(rule.notes.zh, rule.notes.en) if rule.notes is not None else None


def recognition_credential(
    evaluation: Evaluation,
    *,
    rule: RecognitionRule | None = None,
    rule_credential: Mapping[str, Any],
    sources: Sequence[Mapping[str, Any]],
    issuer: str | Mapping[str, Any],
    as_of: date,
    credential_id: str,
    now: datetime,
) -> dict[str, Any]:
    """The unsigned ``RecognitionCredential`` for an evaluation that holds.

    ``sources`` are the secured credentials the evaluation saw (same list, same order); only those that
    filled an input slot are cited. ``rule_credential`` is the secured rule credential that publishes
    ``evaluation.rule`` unchanged. The subject is the sources' subject (``id``, ``name``,
    ``identityHash`` copied from the first). Declared facts go into the evidence (``conditionsMet``)
    so that a verifier can evaluate the rule again.
    """
    rule = rule or evaluation.rule
    if rule.document != evaluation.rule.document:
        raise ValueError(f"rule: {rule.id} is not the evaluated rule {evaluation.rule.id}")
    if not isinstance(as_of, date) or as_of != evaluation.as_of:
        raise ValueError(f"as_of: {as_of!r} is not the evaluation's date {evaluation.as_of}")
    if not evaluation.holds or evaluation.recognized_as is None:
        failed = "; ".join(f.en for f in evaluation.failed)
        raise SkillcredError(f"{rule.id} does not hold: {failed}", code=Code.RULE_NOT_SATISFIED)
    published = parse_rule_credential(rule_credential).rule(rule.id)
    if published is None or published.document != rule.document:
        raise ValueError(f"rule_credential: does not publish {rule.id} version {rule.version} unchanged")
    if not isinstance(rule_credential.get("id"), str) or "proof" not in rule_credential:
        raise ValueError("rule_credential: expected the secured rule credential, with an id and a proof")
    used = [sources[slot["index"]] for slot in evaluation.facts["inputs"].values()]
    for i, src in enumerate(used):
        if not isinstance(src.get("id"), str) or "proof" not in src:
            raise ValueError(f"sources: source {i} must be a secured credential with an id")
    first = _subject(used[0])
    for src in used[1:]:
        if not same_subject(first, _subject(src)):
            raise SkillcredError(
                f"{src['id']} is not about the same person as {used[0]['id']}", code=Code.CHAIN_SUBJECT_MISMATCH
            )
    subject: dict[str, Any] = {k: first[k] for k in ("id", "name", "identityHash") if k in first}
    subject |= {"recognizedAs": evaluation.recognized_as.to_json(), "grants": list(evaluation.grants)}
    if evaluation.purposes:
        subject["purposes"] = list(evaluation.purposes)
    subject |= {
        "jurisdiction": rule.jurisdiction,
        "recognitionRule": rule.id,
        "ruleVersion": rule.version,
        "ruleStanding": rule.standing,
        "recognitionDate": as_of.isoformat(),
        "recognizedFrom": [src["id"] for src in used],
        "legalBasis": legal_basis(rule),
    }
    note = rule_note(rule)
    if note is not None:
        subject["ruleNote"] = note
    facts = evaluation.facts
    conditions = {
        "conditions": dict(evaluation.conditions_met),
        "declared": dict(facts.get("declared", {})),
        "inputs": dict(facts.get("inputs", {})),
        "years": dict(facts.get("years", {})),
    }
    return {
        "@context": list(CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", RECOGNITION_TYPE],
        "name": _bilingual("认定凭证", "Recognition credential"),
        "issuer": dict(issuer) if isinstance(issuer, Mapping) else issuer,
        "validFrom": format_datetime(require_aware(now)),
        "credentialSchema": {"id": SCHEMA_ID, "type": "JsonSchema"},
        "credentialSubject": subject,
        "relatedResource": [{"id": d["id"], "digestMultibase": digest_multibase(d)} for d in (*used, rule_credential)],
        # one evidence object, not an array of one: the compact form every verifier reads (vccore.jsonld.reading)
        "evidence": {
            "type": "RecognitionEvidence",
            "recognitionRule": rule.id,
            "ruleVersion": rule.version,
            "ruleStanding": rule.standing,
            "evaluatedOn": as_of.isoformat(),
            "conditionsMet": conditions,
        },
    }


MAX_LINKS: Final = 16


@dataclass(frozen=True)
class RecognitionLinks:
    """What a recognition cites and claims, read strictly from the credential (no verification)."""

    id: str
    subject: Mapping[str, Any]
    sources: tuple[str, ...]
    digests: Mapping[str, str]
    rule_ref: str | None
    rule_id: str
    rule_version: str
    standing: str
    date: date
    declared: Mapping[str, str]
    claims: Mapping[str, Any]
    evidence: tuple[Mapping[str, Any], ...]


def _bad(detail: str, pointer: str) -> SkillcredError:
    return SkillcredError(detail, code=Code.MALFORMED_VALUE_ERROR, pointer=pointer)


def recognition_links(document: Any) -> RecognitionLinks:
    """Parse the chain-relevant members of a ``RecognitionCredential``; ``SkillcredError`` (malformed,
    with a pointer) on any defect. At most :data:`MAX_LINKS` related resources."""
    if not isinstance(document, Mapping) or RECOGNITION_TYPE not in _types(document):
        raise _bad(f"not a {RECOGNITION_TYPE}", "/type")
    ident = document.get("id")
    subject = document.get("credentialSubject")
    if not isinstance(ident, str) or not isinstance(subject, Mapping):
        raise _bad("a recognition needs an id and a credentialSubject object", "/credentialSubject")
    related = document.get("relatedResource")
    if isinstance(related, Mapping):
        related = [related]  # one related resource, in the compact form
    if not isinstance(related, list) or not related or len(related) > MAX_LINKS:
        raise _bad(f"relatedResource: expected 1 to {MAX_LINKS} entries", "/relatedResource")
    digests: dict[str, str] = {}
    for i, r in enumerate(related):
        if (
            not isinstance(r, Mapping)
            or not isinstance(r.get("id"), str)
            or not isinstance(r.get("digestMultibase"), str)
            or r["id"] in digests
        ):
            raise _bad("each relatedResource needs a unique id and a digestMultibase", f"/relatedResource/{i}")
        digests[r["id"]] = r["digestMultibase"]
    sources = subject.get("recognizedFrom")
    if (
        not isinstance(sources, list)
        or not sources
        or not all(isinstance(s, str) for s in sources)
        or len(set(sources)) != len(sources)
        or len(sources) > MAX_LINKS
    ):
        raise _bad("recognizedFrom: expected a list of distinct source ids", "/credentialSubject/recognizedFrom")
    others = [r for r in digests if r not in sources]
    if len(others) > 1:
        raise _bad("relatedResource names more than one resource that is not a source", "/relatedResource")
    rule_id, version, standing = (subject.get(k) for k in ("recognitionRule", "ruleVersion", "ruleStanding"))
    on = as_date(subject.get("recognitionDate"))
    if (
        not isinstance(rule_id, str)
        or not isinstance(version, str)
        or not isinstance(standing, str)
        or (on is None or subject.get("recognitionDate") != on.isoformat())
    ):
        raise _bad("recognitionRule, ruleVersion, ruleStanding and recognitionDate are required", "/credentialSubject")
    raw_evidence = document.get("evidence")
    evidence = tuple(
        e
        for e in (raw_evidence if isinstance(raw_evidence, list) else [raw_evidence])
        if isinstance(e, Mapping) and "RecognitionEvidence" in _types(e)
    )
    if not evidence:
        raise _bad("a RecognitionEvidence entry is required", "/evidence")
    met = evidence[0].get("conditionsMet")
    declared = met.get("declared") if isinstance(met, Mapping) else None
    decl = (
        {k: v for k, v in declared.items() if isinstance(k, str) and isinstance(v, str)}
        if isinstance(declared, Mapping)
        else {}
    )
    grants, purposes = subject.get("grants"), subject.get("purposes", [])
    claims = {
        "recognizedAs": subject.get("recognizedAs"),
        "jurisdiction": subject.get("jurisdiction"),
        "grants": sorted(grants) if isinstance(grants, list) and all(isinstance(g, str) for g in grants) else grants,
        "purposes": sorted(purposes)
        if isinstance(purposes, list) and all(isinstance(p, str) for p in purposes)
        else purposes,
        "ruleVersion": version,
        "ruleStanding": standing,
        "legalBasis": subject.get("legalBasis"),
        "ruleNote": subject.get("ruleNote"),
    }
    return RecognitionLinks(
        ident,
        subject,
        tuple(sources),
        digests,
        others[0] if others else None,
        rule_id,
        version,
        standing,
        on,
        decl,
        claims,
        evidence,
    )
