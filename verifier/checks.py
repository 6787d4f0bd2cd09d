"""The verifier's own checks, each a pure function returning a named :class:`Check`.

The shared VC checks (contexts, data model, proofs, validity) live in :mod:`vccore.credentials`
and :mod:`vccore.di.proofs`; these are the ones only a verifier runs: input syntax and size, pinned
JSON Schemas, trust, status (fail closed), and the presentation's holder, challenge and binding.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from vccore import jsonstrict
from vccore.credentials import types_of
from vccore.di.proofs import verify_proofs
from vccore.di.purposes import AuthenticationPurpose
from vccore.errors import Code, SkillcredError
from vccore.jsonld.loader import DocumentLoader
from vccore.result import Check, CheckName, Problem
from vccore.status.check import check_status
from vccore.status.entry import PURPOSES
from vccore.timeutil import format_datetime
from vccore.trust.decision import decide
from vccore.trust.lists import TrustList
from verifier.challenges import ChallengeStore
from verifier.status import StatusSource

MAX_CREDENTIALS: Final = 16


def syntax(raw: Any, *, max_bytes: int, max_depth: int, max_nodes: int) -> tuple[Check, Any]:
    """Strict JSON for text and bytes; a depth/size/type walk for already parsed values."""
    if isinstance(raw, str | bytes | bytearray):
        try:
            raw = jsonstrict.loads(
                bytes(raw) if isinstance(raw, bytearray) else raw, max_bytes=max_bytes, max_depth=max_depth
            )
        except SkillcredError as err:
            return Check.fail(CheckName.SYNTAX, err.code, err.detail), None
    if not isinstance(raw, Mapping):
        return Check.fail(
            CheckName.SYNTAX, Code.PARSING_ERROR, f"expected a JSON object, got {type(raw).__name__}"
        ), None
    stack: list[tuple[Any, int]] = [(raw, 1)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if depth > max_depth or nodes > max_nodes:
            return Check.fail(
                CheckName.SYNTAX,
                Code.RESOURCE_LIMIT_EXCEEDED,
                f"deeper than {max_depth} or more than {max_nodes} values",
            ), None
        if isinstance(value, Mapping):
            if not all(isinstance(k, str) for k in value):
                return Check.fail(CheckName.SYNTAX, Code.PARSING_ERROR, "object keys must be strings"), None
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
        elif isinstance(value, float) and not math.isfinite(value):
            return Check.fail(CheckName.SYNTAX, Code.PARSING_ERROR, "NaN and Infinity are not JSON"), None
        elif value is not None and not isinstance(value, str | int | float | bool):
            return Check.fail(CheckName.SYNTAX, Code.PARSING_ERROR, f"{type(value).__name__} is not JSON"), None
    return Check.ok(CheckName.SYNTAX), raw


def trust(
    document: Mapping[str, Any], trust_list: TrustList | None, *, trust_any: bool, now: datetime
) -> tuple[Check, list[Problem]]:
    """The ``trust`` check: :func:`vccore.trust.decision.decide` on the credential's reading.
    ``trust_any`` turns a refusal into a warning."""
    decision = decide(document, trust_list, now=now)
    info = decision.info(trust_list)
    if decision.trusted:
        return Check.ok(CheckName.TRUST, info=info), []
    if trust_any:
        return Check.ok(CheckName.TRUST, info=info), list(decision.reasons)
    return Check.from_problems(CheckName.TRUST, decision.reasons, info=info), []


def status(
    document: Mapping[str, Any], source: StatusSource, *, issuer: str, now: datetime, blocked: str | None
) -> tuple[tuple[Check, Check], list[dict[str, Any]]]:
    """``status.revocation`` and ``status.suspension``, fail closed. ``blocked`` says why nothing may be
    fetched (untrusted issuer, failed proof): any entry then fails with STATUS_RETRIEVAL_ERROR."""
    raw = document.get("credentialStatus")
    entries = [] if raw is None else raw if isinstance(raw, list) else [raw]
    by_purpose: dict[str, list[Any]] = {p: [] for p in PURPOSES}
    for e in entries:
        purpose = e.get("statusPurpose") if isinstance(e, Mapping) else None
        by_purpose["suspension" if purpose == "suspension" else "revocation"].append(e)
    freshness: list[dict[str, Any]] = []
    out = []
    for purpose in PURPOSES:
        name = CheckName.status(purpose)
        problems: list[Problem] = []
        info: dict[str, Any] = {"entries": len(by_purpose[purpose])}
        for entry in by_purpose[purpose]:
            pre = check_status(entry, {}, now=now, clock_skew=source.skew)
            if any(p.code is Code.MALFORMED_VALUE_ERROR for p in pre.problems):
                problems += pre.problems
                continue
            if blocked is not None:
                problems.append(
                    Problem(Code.STATUS_RETRIEVAL_ERROR, f"status not checked: {blocked}", "/credentialStatus")
                )
                continue
            found = source.lookup(str(entry["statusListCredential"]), issuer=issuer, now=now)
            freshness.append(found.freshness(now))
            if found.credential is None:
                problems.append(found.problem or Problem(Code.STATUS_RETRIEVAL_ERROR, "no status list"))
                continue
            got = check_status(entry, found.credential, now=now, clock_skew=source.skew).to_check()
            problems += got.problems
            info.update(got.info)
        out.append(Check.from_problems(name, problems, info=info))
    return (out[0], out[1]), freshness


def presentation_model(
    doc: Mapping[str, Any], *, require_holder: bool = True, require_credentials: bool = True
) -> Check:
    """VC 2.0 section 4.13: the type, the holder (a DID; optional unless ``require_holder``), the
    credentials (objects, capped; at least one when ``require_credentials``: a presentation of nothing
    proves only that someone holds a key)."""
    problems = []
    if "VerifiablePresentation" not in types_of(doc):
        problems.append(Problem(Code.MALFORMED_VALUE_ERROR, "type must include VerifiablePresentation", "/type"))
    holder = doc.get("holder")
    holder_id = holder.get("id") if isinstance(holder, Mapping) else holder
    if (require_holder or "holder" in doc) and (not isinstance(holder_id, str) or not holder_id.startswith("did:")):
        problems.append(Problem(Code.MALFORMED_VALUE_ERROR, "holder must be the holder's DID", "/holder"))
    creds = doc.get("verifiableCredential", [])
    items = creds if isinstance(creds, list) else [creds]
    if require_credentials and not items:
        problems.append(
            Problem(
                Code.NOTHING_PRESENTED,
                "the presentation carries no credential / 出示中没有凭证",
                "/verifiableCredential",
            )
        )
    elif len(items) > MAX_CREDENTIALS:
        problems.append(
            Problem(
                Code.RESOURCE_LIMIT_EXCEEDED,
                f"more than {MAX_CREDENTIALS} credentials",
                "/verifiableCredential",
            )
        )
    elif not all(isinstance(c, Mapping) for c in items):
        problems.append(
            Problem(
                Code.MALFORMED_VALUE_ERROR,
                "each verifiableCredential must be an object",
                "/verifiableCredential",
            )
        )
    return Check.from_problems(CheckName.DATA_MODEL, problems)


def holder_of(doc: Mapping[str, Any]) -> str | None:
    """The holder's DID, or None for a presentation without a holder."""
    if "holder" not in doc:
        return None
    holder = doc.get("holder")
    return str(holder.get("id") if isinstance(holder, Mapping) else holder)


def proof_with_challenge(
    doc: Mapping[str, Any],
    *,
    loader: DocumentLoader,
    holder: str | None,
    challenge: Any,
    domain: Any,
    verifier_domain: str | None,
    store: ChallengeStore | None,
    now: datetime,
    skew: timedelta,
    reading: Mapping[str, Any] | None = None,
    own_challenges: bool = True,
) -> tuple[Check, Check]:
    """The holder's ``authentication`` proof over ``challenge``/``domain``, then the challenge itself:
    issued by this verifier for its domain, not expired, and consumed now (single use).

    Without ``own_challenges`` (the VC-API profile, :mod:`verifier.apiprofile`) the caller owns the
    challenge: the proof must carry the ``challenge`` and ``domain`` the caller gives, each only when
    given, and nothing is looked up or consumed."""
    if not own_challenges:
        given = challenge if isinstance(challenge, str) and challenge else None
        dom = domain if isinstance(domain, str) and domain else None
        purpose = AuthenticationPurpose(challenge=given, domain=dom, controller=holder)
        proof = verify_proofs(doc, loader=loader, purpose=purpose, now=now, skew=skew, reading=reading)
        return proof, Check.ok(
            CheckName.CHALLENGE,
            info={"challenge": "caller" if given else "none", "domain": dom, "checkedAt": format_datetime(now)},
        )
    if not isinstance(challenge, str) or not challenge:
        return (
            Check.fail(CheckName.PROOF, Code.INVALID_CHALLENGE_ERROR, "a challenge is required"),
            Check.fail(CheckName.CHALLENGE, Code.INVALID_CHALLENGE_ERROR, "a challenge is required"),
        )
    dom = domain if isinstance(domain, str) and domain else None
    purpose = AuthenticationPurpose(challenge=challenge, domain=dom, controller=holder)
    proof = verify_proofs(doc, loader=loader, purpose=purpose, now=now, skew=skew, reading=reading)
    if verifier_domain is not None and dom != verifier_domain:
        return proof, Check.fail(
            CheckName.CHALLENGE,
            Code.INVALID_DOMAIN_ERROR,
            f"the domain must be this verifier's ({verifier_domain})",
            pointer="/proof/domain",
        )
    if store is not None and not store.consume(challenge):
        return proof, Check.fail(
            CheckName.CHALLENGE,
            Code.INVALID_CHALLENGE_ERROR,
            "the challenge is unknown, expired or already used",
            pointer="/proof/challenge",
        )
    return proof, Check.ok(CheckName.CHALLENGE, info={"domain": dom, "checkedAt": format_datetime(now)})


def holder_binding(items: Sequence[Any], holder: str | None, *, bound: Sequence[bool] | None = None) -> Check:
    """Each credential's ``credentialSubject.id``, when present, must be the presenting holder; with
    ``bound``, only the credentials it marks (a presentation without a holder binds none of them, and
    a bound credential in it is ``HOLDER_MISMATCH``)."""
    problems = []
    for i, cred in enumerate(items):
        if bound is not None and not bound[i]:
            continue
        subj = cred.get("credentialSubject") if isinstance(cred, Mapping) else None
        for s in subj if isinstance(subj, list) else [subj]:
            sid = s.get("id") if isinstance(s, Mapping) else None
            if sid is not None and sid != holder:
                problems.append(
                    Problem(
                        Code.HOLDER_MISMATCH,
                        f"credential {i} is about {str(sid)[:100]}, not the holder {holder}",
                        f"/verifiableCredential/{i}/credentialSubject",
                    )
                )
    return Check.from_problems(CheckName.HOLDER_BINDING, problems)
