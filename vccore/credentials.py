"""The VC 2.0 data model checks and the proof-level verification of one credential.

VC Data Model 2.0 sections 4.1–4.9 (contexts, identifiers, types, issuer, subject, validity) and
7.1 (verification). These are the checks every layer shares: the verifier pipeline adds status,
trust and recognition chains on top; the issuer runs the same checks before it signs (SECURITY.md,
issuer item 5).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import contexts
from vccore.di.proofs import verify_proofs
from vccore.di.purposes import AssertionPurpose, Purpose
from vccore.errors import Code, SkillcredError
from vccore.jsonld import context_policy
from vccore.jsonld.loader import DocumentLoader
from vccore.jsonld.reading import read_one_way
from vccore.jsonld.related import related_resource_problems, typed_member_problems
from vccore.kinds.schemas import SchemaOutcome
from vccore.result import Check, CheckName, Problem, VerificationResult
from vccore.timeutil import DEFAULT_SKEW, outside_window, parse_datetime

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")
#: the base contexts a credential or presentation may start with: VC 2.0, and VC 1.1 (issue 17)
FIRST_CONTEXTS = (contexts.CREDENTIALS_V2, contexts.CREDENTIALS_V1)
#: the validity members of each data model: VC 2.0 ``validFrom``/``validUntil``, VC 1.1
#: ``issuanceDate``/``expirationDate`` (VC Data Model 1.1 sections 4.6 and 4.7)
VALIDITY_MEMBERS = {
    contexts.CREDENTIALS_V2: ("validFrom", "validUntil"),
    contexts.CREDENTIALS_V1: ("issuanceDate", "expirationDate"),
}
#: Caps on what one credential may ask a verifier to look at (SECURITY.md verifier item 18): each status
#: entry may cost a fetch, each subject a trust and binding decision. Proofs are capped by the proof
#: engine (:data:`vccore.di.proofs.MAX_PROOFS`), a recognition's sources by
#: :data:`vccore.recognition.credential.MAX_LINKS`.
MAX_STATUS_ENTRIES = 8
MAX_SUBJECTS = 8


def is_url(value: Any) -> bool:
    return isinstance(value, str) and bool(_URL.match(value))


def types_of(document: Mapping[str, Any]) -> list[str]:
    t = document.get("type")
    if isinstance(t, str):
        return [t]
    if isinstance(t, list):
        return [x for x in t if isinstance(x, str)]
    return []


def issuer_id(document: Mapping[str, Any]) -> str | None:
    iss = document.get("issuer")
    if isinstance(iss, str):
        return iss
    if isinstance(iss, Mapping) and isinstance(iss.get("id"), str):
        return str(iss["id"])
    return None


def is_vc11(document: Any) -> bool:
    """Whether ``document`` is a VC 1.1 document (its first context is ``https://www.w3.org/2018/credentials/v1``)."""
    if not isinstance(document, Mapping):
        return False
    ctx = document.get("@context")
    first = ctx[0] if isinstance(ctx, list) and ctx else ctx
    return bool(first == contexts.CREDENTIALS_V1)


def validity_members(document: Any) -> tuple[str, str]:
    """The names of the start and end of ``document``'s validity in its data model."""
    return VALIDITY_MEMBERS[contexts.CREDENTIALS_V1 if is_vc11(document) else contexts.CREDENTIALS_V2]


def check_contexts(document: Any, *, loader: DocumentLoader, name: CheckName = CheckName.CONTEXT) -> Check:
    """The verifier decides which contexts apply (DI 1.0 section 4.6 "Context Validation"): the
    top-level ``@context`` follows :func:`vccore.jsonld.context_policy.check_contexts` (pinned URLs only, the
    first is VC 2.0), and no object inside the document carries a context of its own (SECURITY.md
    items 3 and 4; embedded credentials of a presentation are checked on their own)."""
    if not isinstance(document, Mapping):
        return Check.fail(name, Code.PARSING_ERROR, "the document is not a JSON object")
    problems: list[Problem] = []
    try:
        context_policy.check_contexts(document, loader=loader, first=FIRST_CONTEXTS)
    except SkillcredError as err:
        problems.append(Problem(err.code, err.detail, err.pointer))
    ctx = document.get("@context")
    listed = ctx if isinstance(ctx, list) else [ctx]
    if contexts.SKILLCRED_V1 in listed and any(isinstance(item, Mapping) for item in listed):
        problems.append(
            Problem(Code.CONTEXT_NOT_ALLOWED, "skillcred's own credentials never take an inline context", "/@context")
        )
    pointer = _nested_context(document)
    if pointer is not None:
        problems.append(Problem(Code.CONTEXT_NOT_ALLOWED, "a context inside the document is not allowed", pointer))
    return Check.from_problems(name, problems)


_NOT_WALKED = frozenset({"proof", "verifiableCredential"})
_MAX_CONTEXT_DEPTH = 64


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _container(value: Any) -> bool:
    kind = type(value)
    return kind is dict or kind is list or (kind not in _SCALARS and isinstance(value, Mapping | list))


def _nested_context(document: Mapping[str, Any]) -> str | None:
    """The JSON pointer of the first ``@context`` below the top level (outside ``proof`` and
    ``verifiableCredential``), in document order, or of the first node nested deeper than 64
    levels; None when there is none.

    Recursive (the depth is bounded by the limit itself); the path is spelled out only for the node
    found, since this runs on every issuance and verification."""
    for key, value in document.items():
        if key != "@context" and key not in _NOT_WALKED and _container(value):
            found = _find_context(value, 1)
            if found is not None:
                found.append(str(key))
                return "/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in reversed(found))
    return None


def _find_context(node: Any, depth: int) -> list[str] | None:
    """The reversed path (below ``node``) of the first nested ``@context`` or too-deep node."""
    if depth > _MAX_CONTEXT_DEPTH:
        return []
    if type(node) is dict or (type(node) is not list and isinstance(node, Mapping)):  # the ABC check is slow
        if "@context" in node:
            return ["@context"]
        children: Any = node.items()
    else:
        children = enumerate(node)
    for key, value in children:
        kind = type(value)
        if kind in _SCALARS or key in _NOT_WALKED:
            continue
        if kind is dict or kind is list or isinstance(value, Mapping | list):
            found = _find_context(value, depth + 1)
            if found is not None:
                found.append(str(key))
                return found
    return None


def check_data_model(document: Any, *, name: CheckName = CheckName.DATA_MODEL) -> Check:
    """VC 2.0 section 4 required properties and value shapes (not the claims' meaning)."""
    if not isinstance(document, Mapping):
        return Check.fail(name, Code.PARSING_ERROR, "the document is not a JSON object")
    problems: list[Problem] = []
    mal = Code.MALFORMED_VALUE_ERROR
    if "VerifiableCredential" not in types_of(document):
        problems.append(Problem(mal, "type must include VerifiableCredential", "/type"))
    if "id" in document and not is_url(document["id"]):
        problems.append(Problem(mal, "id must be a URL", "/id"))
    iid = issuer_id(document)
    if iid is None or not is_url(iid):
        problems.append(Problem(mal, "issuer must be a URL or an object with a URL id", "/issuer"))
    subj = document.get("credentialSubject")
    subjects = subj if isinstance(subj, list) else [subj]
    if len(subjects) > MAX_SUBJECTS:
        problems.append(
            Problem(Code.RESOURCE_LIMIT_EXCEEDED, f"more than {MAX_SUBJECTS} subjects", "/credentialSubject")
        )
    elif subj is None or not subjects or not all(isinstance(s, Mapping) and s for s in subjects):
        problems.append(Problem(mal, "credentialSubject must be a non-empty object", "/credentialSubject"))
    start, end = validity_members(document)
    if is_vc11(document):
        if start not in document:
            problems.append(Problem(mal, "a VC 1.1 credential needs issuanceDate", "/issuanceDate"))
        for field in ("validFrom", "validUntil"):
            if field in document:
                problems.append(Problem(mal, f"{field} is not a VC 1.1 member (use {start}/{end})", f"/{field}"))
    for field in (start, end):
        if field in document:
            try:
                parse_datetime(document[field], field=field)
            except SkillcredError as err:
                problems.append(Problem(err.code, err.detail, f"/{field}"))
    if start in document and end in document and not problems:
        if parse_datetime(document[end]) < parse_datetime(document[start]):
            problems.append(Problem(Code.RANGE_ERROR, f"{end} is before {start}", f"/{end}"))
    status = document.get("credentialStatus")
    if status is not None:
        entries = status if isinstance(status, list) else [status]
        if len(entries) > MAX_STATUS_ENTRIES:
            problems.append(
                Problem(
                    Code.RESOURCE_LIMIT_EXCEEDED, f"more than {MAX_STATUS_ENTRIES} status entries", "/credentialStatus"
                )
            )
            entries = []
        for i, e in enumerate(entries):
            if not isinstance(e, Mapping) or "type" not in e:
                problems.append(Problem(mal, "a credentialStatus entry needs a type", f"/credentialStatus/{i}"))
    problems.extend(typed_member_problems(document))
    problems.extend(related_resource_problems(document, context_bytes=pinned_context_bytes))
    return Check.from_problems(name, problems)


def pinned_context_bytes(url: str) -> bytes | None:
    """The bytes of a context shipped pinned (:mod:`contexts`), for ``relatedResource`` digests."""
    return contexts.raw_bytes(url) if contexts.pinned(url) is not None else None


def check_validity(
    document: Mapping[str, Any], *, now: datetime, skew: timedelta = DEFAULT_SKEW, name: CheckName = CheckName.VALIDITY
) -> Check:
    """``validFrom <= now <= validUntil`` with the clock-skew allowance (:func:`vccore.timeutil.outside_window`);
    for a VC 1.1 document ``issuanceDate`` and ``expirationDate``."""
    start, end = validity_members(document)
    try:
        bounds = [parse_datetime(document[k], field=k) if k in document else None for k in (start, end)]
    except SkillcredError as err:
        return Check.fail(name, err.code, err.detail)
    where = outside_window(now, valid_from=bounds[0], valid_until=bounds[1], skew=skew)
    if where == "early":
        return Check.fail(name, Code.NOT_YET_VALID, f"valid from {document[start]}", pointer=f"/{start}")
    if where == "late":
        return Check.fail(name, Code.EXPIRED, f"expired at {document[end]}", pointer=f"/{end}")
    return Check.ok(name, info={k: document[k] for k in (start, end) if k in document})


def check_form(
    document: Any, *, loader: DocumentLoader, name: CheckName = CheckName.FORM
) -> tuple[Check, dict[str, Any] | None]:
    """The one-reading gate (SECURITY.md verifier item 17): the document's reading
    (:func:`vccore.jsonld.reading.read_one_way`), or a failed check with ``NOT_COMPACT_FORM`` (or the safe-mode
    and context codes) naming the first member spelled otherwise."""
    if not isinstance(document, Mapping):
        return Check.fail(name, Code.PARSING_ERROR, "the document is not a JSON object"), None
    try:
        reading = read_one_way(document, loader=loader)
    except SkillcredError as err:
        return Check.fail(name, err.code, err.detail, pointer=err.pointer), None
    return Check.ok(name), reading


#: ``schemas(reading) -> outcome``: the JSON Schema step of the data model check
#: (:func:`vccore.kinds.schemas.check_schemas`)
SchemaCheck = Callable[[Mapping[str, Any]], SchemaOutcome]


def with_schemas(model: Check, reading: Mapping[str, Any], schemas: SchemaCheck | None) -> Check:
    """``dataModel`` with the schema problems of ``reading`` added (only when the model passed)."""
    if schemas is None or not model.passed:
        return model
    outcome = schemas(reading)
    info = {**model.info, "schemasChecked": list(outcome.checked), "schemasNotPinned": list(outcome.not_pinned)}
    return Check.from_problems(model.name, [Problem(c, d, p) for c, d, p in outcome.problems], info=info)


def examine(
    document: Any, *, loader: DocumentLoader, schemas: SchemaCheck | None = None
) -> tuple[VerificationResult, dict[str, Any] | None]:
    """The checks that need neither a key nor the time, in order, each only if the one before passed:
    ``context``, ``form`` (the reading), ``dataModel`` (with ``schemas``). Returns the result and the
    reading every later decision is made on: None unless the contexts, the form and the VC data model
    passed. A document that only fails its JSON Schema keeps its reading, so that a verifier still says
    whether its signature holds (a tampered field fails both); the result says it failed either way. The
    issuer runs exactly these before it signs (and signs only what passed all); :func:`verify_issued` runs
    them before the proof."""
    subject = str(document.get("id", ""))[:200] if isinstance(document, Mapping) else ""
    ctx = check_contexts(document, loader=loader)
    result = VerificationResult((ctx,), subject)
    if not ctx.passed:
        return result, None
    form, reading = check_form(document, loader=loader)
    result = result.with_check(form)
    if reading is None:
        return result, None
    model = check_data_model(reading)
    result = result.with_check(with_schemas(model, reading, schemas))
    return result, (reading if model.passed else None)


def verify_issued_and_read(
    document: Any,
    *,
    loader: DocumentLoader,
    now: datetime,
    skew: timedelta = DEFAULT_SKEW,
    purpose: Purpose | None = None,
    schemas: SchemaCheck | None = None,
    memo: Callable[[str, Callable[[], Any]], Any] | None = None,
) -> tuple[VerificationResult, dict[str, Any] | None]:
    """Verify a document signed by its issuer: :func:`examine`, then ``proof`` (assertionMethod by
    default, the key's controller must be the issuer) and ``validity``, all decided on the reading.
    Status, trust and chains are the verifier pipeline's. Returns the result and the reading.

    ``memo`` (:meth:`vccore.canon.memo.BoundedMemo.bind` for this exact ``document``, owned by a caller whose
    ``loader`` and ``schemas`` do not change) keeps the pure work between calls: :func:`examine` (the
    reading) and the canonical form the proof signs. The keys, the signatures and the validity window are
    checked on every call; the reading it returns is shared and must not be changed."""
    result, reading = (
        memo("examine", lambda: examine(document, loader=loader, schemas=schemas))
        if memo is not None
        else examine(document, loader=loader, schemas=schemas)
    )
    if reading is None:
        return result, None
    assert isinstance(document, Mapping)
    cosigned = purpose is None and not is_skillcred_own(reading)
    if purpose is None:
        purpose = AssertionPurpose(controller=issuer_id(reading))
    proof = verify_proofs(document, loader=loader, purpose=purpose, now=now, skew=skew, reading=reading, memo=memo)
    if cosigned and not proof.passed:
        proof = _with_cosigners(document, proof, loader=loader, now=now, skew=skew, reading=reading)
    return result.with_check(proof).with_check(check_validity(reading, now=now, skew=skew)), reading


def is_skillcred_own(document: Mapping[str, Any]) -> bool:
    """Whether ``document`` uses skillcred's context (its own credentials keep every strict rule)."""
    ctx = document.get("@context")
    return contexts.SKILLCRED_V1 in (ctx if isinstance(ctx, list) else [ctx])


def _with_cosigners(
    document: Mapping[str, Any],
    strict: Check,
    *,
    loader: DocumentLoader,
    now: datetime,
    skew: timedelta,
    reading: Mapping[str, Any],
) -> Check:
    """A generic credential's proof set or chain with co-signers (VC Data Integrity 1.0: proofs by
    several parties): it passes when every proof verifies against its own key's controller document
    and at least one proof is by a key the issuer controls, i.e. when the strict check failed only
    with ``ISSUER_KEY_MISMATCH`` and not on every proof. Skillcred's own credentials never get here;
    a trust list still decides every signing key (:func:`vccore.trust.decision.decide`)."""
    proofs = reading.get("proof")
    count = len(proofs) if isinstance(proofs, list) else 1
    mismatches = [p for p in strict.problems if p.code is Code.ISSUER_KEY_MISMATCH]
    if len(mismatches) != len(strict.problems) or not 0 < len(mismatches) < count:
        return strict
    relaxed = verify_proofs(document, loader=loader, purpose=AssertionPurpose(), now=now, skew=skew, reading=reading)
    if not relaxed.passed:
        return strict
    return Check.ok(relaxed.name, info={**relaxed.info, "cosigners": [p.detail for p in mismatches]})


def verify_issued(
    document: Any,
    *,
    loader: DocumentLoader,
    now: datetime,
    skew: timedelta = DEFAULT_SKEW,
    purpose: Purpose | None = None,
    schemas: SchemaCheck | None = None,
) -> VerificationResult:
    """:func:`verify_issued_and_read` without the reading."""
    return verify_issued_and_read(document, loader=loader, now=now, skew=skew, purpose=purpose, schemas=schemas)[0]
