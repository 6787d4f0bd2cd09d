"""Re-checking a recognition chain (SECURITY.md verifier item 15).

:func:`verify_chain` takes a ``RecognitionCredential`` and the documents it cites, and answers one
``recognition`` :class:`Check`. It nests one full :class:`VerificationResult` per source and one for
the rule credential (each from the injected ``verify_credential``, which the verifier pipeline
supplies: proof, validity, status, trust), and folds the links of the chain into problems with their
own codes:

* each source is present (``CHAIN_SOURCE_MISSING``) and matches its ``relatedResource`` digest
  (``CHAIN_DIGEST_MISMATCH``: a source replaced by another, even validly signed, credential);
* each source verifies (``CHAIN_SOURCE_INVALID``; revoked, suspended or expired now:
  ``CHAIN_SOURCE_STATUS``), its issuer is trusted for its kind (``CHAIN_SOURCE_UNTRUSTED``), and it is
  about the recognition's subject (``CHAIN_SUBJECT_MISMATCH``);
* the rule credential is present and verifies (``CHAIN_RULE_MISSING``, ``CHAIN_RULE_INVALID``), its
  issuer is a ``recognition-authority`` trusted for ``RecognitionRuleCredential`` in the rule's
  jurisdiction (``CHAIN_RULE_UNTRUSTED``), the rule was in force on the recognition date
  (``CHAIN_RULE_NOT_IN_FORCE``), holds on the sources as of that date (``CHAIN_RULE_NOT_SATISFIED``)
  and yields exactly what the recognition claims (``CHAIN_CLAIM_MISMATCH``);
* a source that is itself a recognition is re-checked the same way, one level deeper, unless the
  injected verifier already did (its result carries a ``recognition`` check); ``max_depth`` bounds the
  depth (``CHAIN_TOO_DEEP``) and an id met twice on one path is a cycle (``CHAIN_CYCLE``).

Whether the *recognition's own* issuer may issue ``RecognitionCredential`` in its jurisdiction is the
pipeline's ``trust`` check (it reads ``credentialSubject.jurisdiction``); callers outside the pipeline
use :func:`vccore.trust.decision.trust_check` for it. Never raises for bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any, Final, Protocol

from vccore.canon.memo import DEFAULT_SIZE, BoundedMemo, Memo
from vccore.credentials import types_of
from vccore.errors import Code, SkillcredError
from vccore.jsonld.loader import DocumentLoader
from vccore.jsonld.reading import read_or_none
from vccore.recognition.credential import (
    RECOGNITION_TYPE,
    RULE_TYPE,
    RecognitionLinks,
    digest_multibase,
    legal_basis,
    parse_rule_credential,
    recognition_links,
    rule_note,
    same_subject,
)
from vccore.recognition.evaluate import evaluate, source_date
from vccore.recognition.model import KIND_DATES, RecognitionRule, RuleSet
from vccore.result import Check, CheckName, Problem, VerificationResult, failure
from vccore.timeutil import beijing_date, parse_datetime, require_aware
from vccore.trust.decision import decide
from vccore.trust.lists import TrustList

NAME: Final = CheckName.RECOGNITION
STATUS_CODES: Final = frozenset({Code.REVOKED, Code.SUSPENDED, Code.EXPIRED})
PASS_THROUGH: Final = frozenset({Code.CHAIN_CYCLE, Code.CHAIN_TOO_DEEP})
Verify = Callable[[Mapping[str, Any]], VerificationResult]
#: ``read(document) -> reading | None`` (:func:`vccore.jsonld.reading.read_or_none` with the verifier's loader):
#: every decision about a cited document is made on its reading, its proof checked over what was given
Read = Callable[[Mapping[str, Any]], Mapping[str, Any] | None]
#: ``pure(document) -> memo | None``: where the pure work on a rule credential (its reading, digest and rule
#: set) is kept between calls (:meth:`vccore.canon.memo.BoundedMemo.bind`); None computes it every time
Pure = Callable[[Mapping[str, Any]], Memo | None]


def _no_memo(_document: Mapping[str, Any]) -> Memo | None:
    return None


def issuer_trusted(
    document: Mapping[str, Any],
    trust: TrustList,
    *,
    credential_type: str,
    jurisdiction: str | None,
    now: datetime,
    role: str | None = None,
) -> tuple[bool, str]:
    """May the document's issuer issue ``credential_type`` (in ``jurisdiction``, or in what its subjects
    claim when None; with ``role``) with every key that signed it, at the time it signed?
    (:func:`vccore.trust.decision.decide`, the one trust decision.)"""
    decision = decide(
        document,
        trust,
        now=now,
        credential_types=[credential_type],
        role=role,
        jurisdictions=None if jurisdiction is None else [jurisdiction],
    )
    if decision.trusted:
        entry = trust.issuer(decision.issuer)
        return True, f"{entry.name_en if entry else decision.issuer} may issue {credential_type}"
    return False, decision.reasons[0].detail


class _Run:
    """One recognition's problems and children, deduplicated by (code, pointer)."""

    def __init__(self) -> None:
        self.problems: dict[tuple[Code, str], Problem] = {}
        self.children: list[VerificationResult] = []
        self.steps: list[dict[str, Any]] = []

    def step(self, name: str, target: str, code: Code | None = None, detail: str = "", pointer: str = "") -> None:
        self.steps.append({"check": name, "target": target, "passed": code is None})
        if code is not None:
            self.problems.setdefault((code, pointer), Problem(code, detail, pointer))


def _classify(child: VerificationResult, default: Code) -> list[tuple[Code, str]]:
    """The chain codes a failed nested result maps to, with a detail each."""
    out: list[tuple[Code, str]] = []
    for problem in child.problems():
        code = (
            Code.CHAIN_SOURCE_STATUS
            if problem.code in STATUS_CODES and default == Code.CHAIN_SOURCE_INVALID
            else Code.CHAIN_SOURCE_UNTRUSTED
            if problem.code == Code.UNTRUSTED_ISSUER and default == Code.CHAIN_SOURCE_INVALID
            else problem.code
            if problem.code in PASS_THROUGH
            else default
        )
        out.append((code, f"{child.subject or 'nested credential'}: {problem.code.value} {problem.detail}".strip()))
    return out


def verify_chain(
    recognition: Any,
    *,
    sources: Sequence[Mapping[str, Any]],
    rule_credentials: Sequence[Mapping[str, Any]],
    trust: TrustList | None,
    verify_credential: Verify,
    read: Read,
    now: datetime,
    max_depth: int = 3,
    trust_any: bool = False,
    pure: Pure = _no_memo,
    _depth: int = 0,
    _seen: frozenset[str] = frozenset(),
) -> Check:
    """See the module docstring. ``recognition`` is the recognition's reading; ``sources`` and
    ``rule_credentials`` are documents as given (each verified as given, read with ``read``). ``trust``
    None means nothing is trusted unless ``trust_any`` (tests, ``--trust any``) says trust was
    deliberately not checked. ``pure`` keeps a rule credential's reading, digest and rule set between
    calls; its verification (``verify_credential``) and the trust decision run on every call."""
    now = require_aware(now)
    if _depth >= max_depth:
        return Check.fail(NAME, Code.CHAIN_TOO_DEEP, f"more than {max_depth} recognition steps")
    try:
        links = recognition_links(recognition)
    except SkillcredError as err:
        return Check.fail(NAME, err.code, err.detail, pointer=err.pointer)
    run = _Run()
    seen = _seen | {links.id}
    used: list[Mapping[str, Any]] = []
    for i, sid in enumerate(links.sources):
        doc = _check_source(
            run,
            links,
            i,
            sid,
            sources=sources,
            rule_credentials=rule_credentials,
            trust=trust,
            trust_any=trust_any,
            verify_credential=verify_credential,
            read=read,
            now=now,
            max_depth=max_depth,
            depth=_depth,
            seen=seen,
            pure=pure,
        )
        if doc is not None:
            used.append(doc)
    rule = _check_rule(run, links, rule_credentials, trust, trust_any, verify_credential, read, now, pure)
    if rule is not None:
        _check_rule_outcome(run, links, rule, used if len(used) == len(links.sources) else None, now)
    _check_dates(run, links, recognition, used, now)
    info = {
        "recognitionRule": links.rule_id,
        "ruleVersion": links.rule_version,
        "depth": _depth,
        "recognitionDate": links.date.isoformat(),
        "ruleStanding": links.standing,
        "links": [
            {"role": "source", "id": s, "pointer": f"/credentialSubject/recognizedFrom/{i}"}
            for i, s in enumerate(links.sources)
        ]
        + [{"role": "rule", "id": links.rule_ref, "pointer": "/relatedResource"}],
        "steps": run.steps,
    }
    return Check.from_problems(NAME, run.problems.values(), info=info, children=run.children)


def _pick(
    candidates: Sequence[Mapping[str, Any]], ident: str, digest: str | None, read: Read, pure: Pure = _no_memo
) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None, bool]:
    """``(document as given, its reading, whether the reading matches the digest)`` of the candidate with
    id ``ident`` (the digest is taken over the reading: one reading, whatever the spelling)."""
    found = []
    for c in candidates:
        if not isinstance(c, Mapping) or c.get("id") != ident:
            continue
        memo = pure(c)
        reading = read(c) if memo is None else memo("reading", partial(read, c))
        found.append((c, reading))
        try:
            if reading is None or digest is None:
                continue
            got = digest_multibase(reading) if memo is None else memo("digest", partial(digest_multibase, reading))
            if got == digest:
                return c, reading, True
        except SkillcredError:
            continue
    return (found[0][0], found[0][1], False) if found else (None, None, False)


def _check_source(
    run: _Run,
    links: RecognitionLinks,
    i: int,
    sid: str,
    *,
    sources: Sequence[Mapping[str, Any]],
    rule_credentials: Sequence[Mapping[str, Any]],
    trust: TrustList | None,
    trust_any: bool,
    verify_credential: Verify,
    read: Read,
    now: datetime,
    max_depth: int,
    depth: int,
    seen: frozenset[str],
    pure: Pure,
) -> Mapping[str, Any] | None:
    """The source's reading when it was supplied (whatever else failed), else None."""
    ptr = f"/credentialSubject/recognizedFrom/{i}"
    given, doc, matches = _pick(sources, sid, links.digests.get(sid), read)
    if given is None:
        run.step("source.present", sid, Code.CHAIN_SOURCE_MISSING, f"source {sid} was not supplied", ptr)
        run.children.append(failure(CheckName.SOURCE, Code.CHAIN_SOURCE_MISSING, f"{sid} not supplied", subject=sid))
        return None
    run.step("source.present", sid)
    run.step(
        "source.digest",
        sid,
        None if matches else Code.CHAIN_DIGEST_MISMATCH,
        f"{sid} does not match its relatedResource digest",
        ptr,
    )
    child = verify_credential(given)
    if doc is None:  # no reading: the verification says why (a spelling refused, a context not allowed)
        run.children.append(child)
        for code, detail in _classify(child, Code.CHAIN_SOURCE_INVALID):
            run.step("source.verified", sid, code, detail, ptr)
        return None
    is_recognition = RECOGNITION_TYPE in types_of(doc)
    if is_recognition and sid in seen:
        run.step("cycle", sid, Code.CHAIN_CYCLE, f"{sid} is already on this chain", ptr)
        run.children.append(failure(CheckName.SOURCE, Code.CHAIN_CYCLE, f"{sid} is already on this chain", subject=sid))
        return None
    if is_recognition and matches and child.check(NAME) is None:
        child = child.with_check(
            verify_chain(
                doc,
                sources=sources,
                rule_credentials=rule_credentials,
                trust=trust,
                verify_credential=verify_credential,
                read=read,
                now=now,
                max_depth=max_depth,
                trust_any=trust_any,
                pure=pure,
                _depth=depth + 1,
                _seen=seen,
            )
        )
    run.children.append(child)
    for code, detail in _classify(child, Code.CHAIN_SOURCE_INVALID) if not child.verified else []:
        run.step("source.verified", sid, code, detail, ptr)
    if child.verified:
        run.step("source.verified", sid)
    if trust is not None:
        kinds = [t for t in types_of(doc) if t != "VerifiableCredential"]
        for kind in kinds or ["VerifiableCredential"]:
            ok, why = issuer_trusted(doc, trust, credential_type=kind, jurisdiction=None, now=now)
            run.step("source.trust", sid, None if ok else Code.CHAIN_SOURCE_UNTRUSTED, why, ptr)
    elif not trust_any:
        run.step("source.trust", sid, Code.CHAIN_SOURCE_UNTRUSTED, "no trust list is configured", ptr)
    subject = doc.get("credentialSubject")
    same = isinstance(subject, Mapping) and same_subject(links.subject, subject)
    run.step(
        "source.subject",
        sid,
        None if same else Code.CHAIN_SUBJECT_MISMATCH,
        f"{sid} is not about the recognition's subject",
        ptr,
    )
    return doc


def _check_rule(
    run: _Run,
    links: RecognitionLinks,
    rule_credentials: Sequence[Mapping[str, Any]],
    trust: TrustList | None,
    trust_any: bool,
    verify_credential: Verify,
    read: Read,
    now: datetime,
    pure: Pure = _no_memo,
) -> RecognitionRule | None:
    ref, ptr = links.rule_ref, "/relatedResource"
    if ref is None:
        run.step("rule.present", "", Code.CHAIN_RULE_MISSING, "no relatedResource names the rule credential", ptr)
        return None
    given, doc, matches = _pick(rule_credentials, ref, links.digests.get(ref), read, pure)
    if given is None:
        run.step("rule.present", ref, Code.CHAIN_RULE_MISSING, f"rule credential {ref} was not supplied", ptr)
        run.children.append(failure(CheckName.RULE, Code.CHAIN_RULE_MISSING, f"{ref} not supplied", subject=ref))
        return None
    run.step("rule.present", ref)
    run.step(
        "rule.digest",
        ref,
        None if matches else Code.CHAIN_DIGEST_MISMATCH,
        f"rule credential {ref} does not match its relatedResource digest",
        ptr,
    )
    child = verify_credential(given)
    run.children.append(child)
    for code, detail in _classify(child, Code.CHAIN_RULE_INVALID) if not child.verified else []:
        run.step("rule.verified", ref, code, detail, ptr)
    if doc is None:
        return None
    memo = pure(given)
    try:  # a memo keeps the rule set parsed from this exact document (a failure is parsed again)
        ruleset: RuleSet = (
            parse_rule_credential(doc) if memo is None else memo("ruleset", lambda: parse_rule_credential(doc))
        )
    except SkillcredError as err:
        run.step("rule.verified", ref, Code.CHAIN_RULE_INVALID, err.detail, ptr)
        return None
    if child.verified:
        run.step("rule.verified", ref)
    if trust is not None:
        ok, why = issuer_trusted(
            doc,
            trust,
            credential_type=RULE_TYPE,
            jurisdiction=ruleset.jurisdiction,
            now=now,
            role="recognition-authority",
        )
        run.step("rule.trust", ref, None if ok else Code.CHAIN_RULE_UNTRUSTED, why, ptr)
    elif not trust_any:
        run.step("rule.trust", ref, Code.CHAIN_RULE_UNTRUSTED, "no trust list is configured", ptr)
    rule = ruleset.rule(links.rule_id)
    if rule is None:
        run.step(
            "rule.present",
            links.rule_id,
            Code.CHAIN_RULE_MISSING,
            f"rule set {ruleset.id} {ruleset.version} has no rule {links.rule_id}",
            "/credentialSubject",
        )
    return rule


def _check_rule_outcome(
    run: _Run, links: RecognitionLinks, rule: RecognitionRule, used: list[Mapping[str, Any]] | None, now: datetime
) -> None:
    on, ptr = links.date, "/credentialSubject"
    start, end = rule.in_force_from, rule.in_force_until
    in_force = (start is None or start <= on) and (end is None or on <= end)
    run.step(
        "rule.inForce",
        rule.id,
        None if in_force else Code.CHAIN_RULE_NOT_IN_FORCE,
        f"{rule.id} is not in force on {on} (from {start or 'unknown'} until {end or 'open'})",
        f"{ptr}/recognitionDate",
    )
    if used is not None:
        evaluation = evaluate(rule, used, as_of=on, declarations=links.declared)
        failed = [f for f in evaluation.failed if f.condition_id != "in-force"]
        run.step(
            "rule.satisfied",
            rule.id,
            Code.CHAIN_RULE_NOT_SATISFIED if failed else None,
            "; ".join(f"{f.condition_id}: {f.en}" for f in failed),
            ptr,
        )
    _check_claims(run, links, rule)


def _check_dates(
    run: _Run, links: RecognitionLinks, recognition: Mapping[str, Any], used: Sequence[Mapping[str, Any]], now: datetime
) -> None:
    """A recognition is dated no earlier than any source's own date (its assessment, issue, award or
    graduation date), no later than its own issuance, and never in the future (dates in Beijing)."""
    on, ptr = links.date, "/credentialSubject/recognitionDate"
    today = beijing_date(now)
    run.step(
        "claim.date",
        links.id,
        None if on <= today else Code.CHAIN_CLAIM_MISMATCH,
        f"the recognition date {on} is in the future (today is {today} in Beijing)",
        ptr,
    )
    try:
        issued = beijing_date(parse_datetime(recognition.get("validFrom"), field="validFrom"))
    except SkillcredError:
        issued = None
    if issued is not None:
        run.step(
            "claim.date",
            links.id,
            None if on <= issued else Code.CHAIN_CLAIM_MISMATCH,
            f"the recognition date {on} is after the recognition was issued ({issued})",
            ptr,
        )
    for doc in used:
        kind = next((t for t in types_of(doc) if t in KIND_DATES), None)
        achieved = source_date(doc, kind) if kind is not None else None
        if achieved is not None:
            run.step(
                "claim.date",
                str(doc.get("id", "")),
                None if achieved <= on else Code.CHAIN_CLAIM_MISMATCH,
                f"the recognition date {on} is before {doc.get('id', 'a source')} was achieved ({achieved})",
                ptr,
            )


def _check_claims(run: _Run, links: RecognitionLinks, rule: RecognitionRule) -> None:
    yields = rule.recognized_as.to_json() if rule.recognized_as else None
    claimed = links.claims
    expected: dict[str, Any] = {
        "recognizedAs": yields,
        "grants": sorted(rule.grants),
        "purposes": sorted(rule.purposes),
        "jurisdiction": rule.jurisdiction,
        "ruleVersion": rule.version,
        "ruleStanding": rule.standing,
        "legalBasis": legal_basis(rule),
        "ruleNote": rule_note(rule),
    }
    for key, value in expected.items():
        if claimed.get(key) != value:
            run.step(
                "claim",
                key,
                Code.CHAIN_CLAIM_MISMATCH,
                f"{key}: the recognition claims {claimed.get(key)!r}, the rule yields {value!r}",
                f"/credentialSubject/{key}",
            )
    for i, ev in enumerate(links.evidence):
        wrong = [
            k
            for k, v in (
                ("recognitionRule", rule.id),
                ("ruleVersion", rule.version),
                ("ruleStanding", rule.standing),
                ("evaluatedOn", links.date.isoformat()),
            )
            if ev.get(k) != v
        ]
        if wrong:
            run.step(
                "claim.evidence",
                str(i),
                Code.CHAIN_CLAIM_MISMATCH,
                f"evidence {', '.join(wrong)} disagree with the rule and the recognition",
                f"/evidence/{i}",
            )


class ChainContext(Protocol):
    """What the verifier pipeline's ``VerifierContext`` offers a chain checker."""

    @property
    def now(self) -> datetime: ...
    @property
    def trust(self) -> TrustList | None: ...
    @property
    def trust_any(self) -> bool: ...
    @property
    def depth(self) -> int: ...
    @property
    def verify(self) -> Callable[[Any], VerificationResult]: ...
    @property
    def loader(self) -> DocumentLoader: ...


#: ``lookup(recognition) -> (sources, rule_credentials)``: where the cited documents come from
Lookup = Callable[[Mapping[str, Any]], tuple[Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]]]]


def pool_lookup(documents: Sequence[Mapping[str, Any]]) -> Lookup:
    """A :data:`Lookup` serving a fixed set of documents (rule credentials told apart by type)."""
    docs = tuple(d for d in documents if isinstance(d, Mapping))
    rules = tuple(d for d in docs if RULE_TYPE in types_of(d))
    others = tuple(d for d in docs if RULE_TYPE not in types_of(d))
    return lambda _recognition: (others, rules)


def chain_checker(
    lookup: Lookup, *, max_depth: int = 3, cache_size: int = DEFAULT_SIZE
) -> Callable[[Mapping[str, Any], ChainContext], Check]:
    """Adapt :func:`verify_chain` to the pipeline's ``chain_checker(document, context)``: nested
    documents are verified by the pipeline itself (``context.verify``), one level deeper, and the
    pipeline's depth counts toward ``max_depth``. The checker owns a bounded memo (``cache_size`` entries)
    of the pure work on rule credentials (reading, digest, rule set), keyed by their exact JSON and the
    loader; it is the checker's ``pure_cache`` attribute."""
    memo = BoundedMemo(cache_size)

    def check(document: Mapping[str, Any], context: ChainContext) -> Check:
        try:
            sources, rules = lookup(document)
        except SkillcredError as err:
            return Check.fail(NAME, Code.CHAIN_SOURCE_MISSING, f"the cited documents cannot be found: {err.detail}")
        # a recognition's sources (and rule) may travel with it in the same presentation
        presented = tuple(d for d in getattr(context, "presented", ()) if d is not document)
        if presented:
            sources = (*sources, *(d for d in presented if RULE_TYPE not in types_of(d)))
            rules = (*rules, *(d for d in presented if RULE_TYPE in types_of(d)))
        loader = context.loader

        def pure(doc: Mapping[str, Any]) -> Memo | None:
            return memo.bind(doc, loader) if RULE_TYPE in types_of(doc) else None

        return verify_chain(
            document,
            sources=sources,
            rule_credentials=rules,
            trust=context.trust,
            verify_credential=context.verify,
            read=lambda d: read_or_none(d, loader=loader),
            now=context.now,
            max_depth=max_depth,
            trust_any=context.trust_any,
            pure=pure,
            _depth=context.depth,
        )

    check.pure_cache = memo  # type: ignore[attr-defined]
    return check


def chain_depth(document: Mapping[str, Any], pool: Sequence[Mapping[str, Any]], *, limit: int = 8) -> int:
    """How many recognition steps ``document`` stands on, following ``recognizedFrom`` through ``pool``
    (0 for a source credential; a cited document missing from ``pool`` adds nothing). A cycle or a
    walk longer than ``limit`` gives ``limit + 1``."""

    def walk(doc: Mapping[str, Any], path: frozenset[str]) -> int:
        if RECOGNITION_TYPE not in types_of(doc):
            return 0
        if len(path) > limit or doc.get("id") in path:
            return limit + 1
        try:
            links = recognition_links(doc)
        except SkillcredError:
            return 1
        deeper = [walk(d, path | {links.id}) for d in pool if isinstance(d, Mapping) and d.get("id") in links.sources]
        return min(limit + 1, 1 + max(deeper, default=0))

    return walk(document, frozenset())
