"""The verification pipeline: one credential or presentation in, one :class:`VerificationResult` out.

A credential's checks, in the order reported: ``syntax``, ``context``, ``form`` (the one reading,
SECURITY.md item 17: every later check reads the document as :mod:`vccore.jsonld.reading` reads it, and a
document spelled otherwise is refused here), ``dataModel`` (with the JSON Schema of each skillcred type
it has, whatever schema it names), ``proof`` (assertionMethod; the key's controller is the issuer),
``validity``, ``status.revocation``, ``status.suspension``, ``trust`` and, for a
``RecognitionCredential``, ``recognition``. The work runs in a different order on purpose: trust is
decided before any status list is fetched, and nothing is fetched for an untrusted issuer or a
credential whose proof failed (SECURITY.md item 13). Verifying never raises for bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from vccore.canon.memo import DEFAULT_SIZE, BoundedMemo
from vccore.clock import Clock
from vccore.credentials import (
    SchemaCheck,
    check_contexts,
    check_form,
    issuer_id,
    types_of,
    verify_issued_and_read,
)
from vccore.errors import Code
from vccore.jsonld.loader import DocumentLoader
from vccore.jsonld.reading import read_or_none
from vccore.result import Check, CheckName, Problem, VerificationResult
from vccore.timeutil import DEFAULT_SKEW, format_datetime, require_aware
from vccore.trust.lists import TrustList
from verifier import checks
from verifier.apiprofile import SKILLCRED, PresentationRules, is_skillcred_own
from verifier.challenges import ChallengeStore
from verifier.status import StatusSource

MAX_BYTES: Final = 1024 * 1024
MAX_DEPTH: Final = 64
MAX_NODES: Final = 100_000
MAX_RECOGNITION_DEPTH: Final = 4
#: the credentials whose pure work (reading, canonical form) a verifier keeps: the few large documents it meets
#: again and again (a trust pack's rule credentials), never every stranger's credential
PURE_CACHED_TYPES: Final = frozenset({"RecognitionRuleCredential"})

ChainChecker = Callable[[Mapping[str, Any], "VerifierContext"], Check]
#: what the verifier knew and how old it is, computed at the instant of each answer (e.g. ``TrustPack.freshness``)
Freshness = Callable[[datetime], Mapping[str, Any]]

TRUST_NOT_CHECKED = Problem(Code.UNTRUSTED_ISSUER, "trust was NOT checked (--trust any): any issuer is accepted")


@dataclass(frozen=True)
class VerifierContext:
    """What a recognition-chain checker gets: the verifier's view of the world at ``now``.

    ``verify`` verifies a nested credential with the full pipeline, one level deeper.
    """

    now: datetime
    skew: timedelta
    loader: DocumentLoader
    trust: TrustList | None
    trust_any: bool
    depth: int
    verify: Callable[[Any], VerificationResult]
    #: the other credentials of the presentation being verified (a recognition's sources travel with it)
    presented: tuple[Mapping[str, Any], ...] = ()


class Verifier:
    """The configured pipeline. Stateless apart from the status cache, the challenge store and a bounded
    memo of pure work on rule credentials (``pure_cache``: their reading and canonical form, keyed by their
    exact JSON; keys, signatures, dates, status and trust are checked on every request)."""

    def __init__(
        self,
        *,
        trust: TrustList | None,
        loader: DocumentLoader,
        status: StatusSource,
        trust_any: bool = False,
        challenges: ChallengeStore | None = None,
        clock: Clock,
        skew: timedelta = DEFAULT_SKEW,
        domain: str | None = None,
        schemas: SchemaCheck | None = None,
        chain_checker: ChainChecker | None = None,
        max_bytes: int = MAX_BYTES,
        freshness: Mapping[str, Any] | Freshness | None = None,
        pure_cache_size: int = DEFAULT_SIZE,
    ) -> None:
        if trust is None and not trust_any:
            raise ValueError("trust: a verified TrustList is required unless trust_any=True")
        self.trust = trust
        self.trust_any = trust_any
        self.loader = loader
        self.status = status
        self.challenges = challenges
        self.clock = clock
        self.skew = skew
        self.domain = domain if domain is not None else (challenges.domain if challenges else None)
        self.schemas = schemas
        self.chain_checker = chain_checker
        self.max_bytes = max_bytes
        self._freshness = freshness
        self._trust_issued = format_datetime(trust.issued) if trust is not None else None
        self.pure_cache = BoundedMemo(pure_cache_size)

    def freshness_at(self, now: datetime) -> dict[str, Any]:
        """How fresh the verifier's knowledge is at ``now``: ages are counted per answer, never at start-up."""
        given = self._freshness
        info = dict((given(now) if callable(given) else given) or {})
        if self._trust_issued is not None:
            info.setdefault("trustListIssued", self._trust_issued)
        return info

    @property
    def freshness(self) -> dict[str, Any]:
        """:meth:`freshness_at` now, by the verifier's clock."""
        return self.freshness_at(require_aware(self.clock()))

    # -- credentials -------------------------------------------------------------------------

    def verify_credential(self, document: Any, *, presented: Sequence[Mapping[str, Any]] = ()) -> VerificationResult:
        """``document`` in full; ``presented``: credentials scanned beside it (a recognition's sources, read
        from their own codes on the scan page), each verified in full where the chain uses it."""
        return self._credential(document, require_aware(self.clock()), 0, tuple(presented))

    def read(self, document: Mapping[str, Any]) -> dict[str, Any] | None:
        """``document`` as every check reads it (:func:`vccore.jsonld.reading.read_one_way`), or None."""
        return read_or_none(document, loader=self.loader)

    def check_recognition(
        self, recognition: Mapping[str, Any], *, presented: Sequence[Mapping[str, Any]] = ()
    ) -> Check:
        """The ``recognition`` check alone, as this verifier runs it on a recognition (signed or not: the
        issuer re-checks a recognition before it signs it), with ``presented`` documents beside it."""
        reading = self.read(recognition)
        if reading is None:
            return Check.fail(CheckName.RECOGNITION, Code.NOT_COMPACT_FORM, "the recognition cannot be read one way")
        return self._recognition(reading, require_aware(self.clock()), 0, tuple(presented))

    def _context(self, now: datetime, depth: int, presented: tuple[Mapping[str, Any], ...] = ()) -> VerifierContext:
        return VerifierContext(
            now,
            self.skew,
            self.loader,
            self.trust,
            self.trust_any,
            depth,
            lambda doc: self._credential(doc, now, depth + 1, presented),
            presented,
        )

    def _finish(self, result: VerificationResult, status_info: Sequence[Mapping[str, Any]] = ()) -> VerificationResult:
        info: dict[str, Any] = self.freshness
        info["statusLists"] = list(status_info)
        if self.trust_any:
            result = result.with_warning(TRUST_NOT_CHECKED)
        return result.with_info(**info)

    def _credential(
        self, raw: Any, now: datetime, depth: int, presented: tuple[Mapping[str, Any], ...] = ()
    ) -> VerificationResult:
        syntax, document = checks.syntax(raw, max_bytes=self.max_bytes, max_depth=MAX_DEPTH, max_nodes=MAX_NODES)
        if not syntax.passed or not isinstance(document, Mapping):
            subject = str(document.get("id", ""))[:200] if isinstance(document, Mapping) else ""
            return self._finish(VerificationResult((syntax,), subject))
        # a document signed by its issuer (the one composition: vccore.credentials.verify_issued_and_read);
        # every decision is made on the reading, signatures are checked over the document
        memo = self.pure_cache.bind(document) if PURE_CACHED_TYPES.intersection(types_of(document)) else None
        issued, reading = verify_issued_and_read(
            document, loader=self.loader, now=now, skew=self.skew, schemas=self.schemas, memo=memo
        )
        result = VerificationResult((syntax, *issued.checks), issued.subject)
        if reading is None:
            return self._finish(result)
        issuer = issuer_id(reading) or ""
        proof = result.check(CheckName.PROOF)
        assert proof is not None  # verify_issued_and_read checks the proof of whatever it could read
        trust, warnings = checks.trust(reading, self.trust, trust_any=self.trust_any, now=now)
        for w in warnings:
            result = result.with_warning(w)
        # status lists are fetched only for a trusted issuer whose signature verified
        gate = (
            None
            if proof.passed and trust.passed
            else "the issuer is not trusted"
            if proof.passed
            else "the credential's proof does not verify"
        )
        status_checks, status_info = checks.status(reading, self.status, issuer=issuer, now=now, blocked=gate)
        result = VerificationResult(
            (*result.checks, *status_checks, trust),
            result.subject,
            result.warnings,
            result.info,
        )
        if "RecognitionCredential" in types_of(reading):
            result = result.with_check(self._recognition(reading, now, depth, presented))
        return self._finish(result, status_info)

    def _recognition(
        self, document: Mapping[str, Any], now: datetime, depth: int, presented: tuple[Mapping[str, Any], ...] = ()
    ) -> Check:
        if depth >= MAX_RECOGNITION_DEPTH:
            return Check.fail(CheckName.RECOGNITION, Code.CHAIN_TOO_DEEP, f"more than {MAX_RECOGNITION_DEPTH} levels")
        if self.chain_checker is None:
            return Check.fail(
                CheckName.RECOGNITION,
                Code.CHAIN_NOT_CHECKED,
                "this verifier has no recognition-chain checker configured: the recognition "
                "cannot be re-checked, so it is not accepted",
            )
        return self.chain_checker(document, self._context(now, depth, presented))

    # -- presentations -----------------------------------------------------------------------

    def verify_presentation(
        self,
        document: Any,
        *,
        challenge: str | None,
        domain: str | None = None,
        client_id: str | None = None,
        rules: PresentationRules = SKILLCRED,
    ) -> VerificationResult:
        """Authentication proof by the holder with ``challenge``/``domain``, the challenge consumed
        once, then every embedded credential in full; the holder must be each credential's subject.
        ``client_id``: an OpenID4VP answer, whose proof's domain must be the client id this verifier put in
        its own request (:mod:`verifier.crossdevice`), in place of the verifier's domain. ``rules``
        (:mod:`verifier.apiprofile`) may leave the challenge to the caller and the holder optional (VC-API);
        skillcred's own credentials always need their holder."""
        now = require_aware(self.clock())
        syntax, doc = checks.syntax(document, max_bytes=self.max_bytes, max_depth=MAX_DEPTH, max_nodes=MAX_NODES)
        result = VerificationResult((syntax,), str(doc.get("id", ""))[:200] if isinstance(doc, Mapping) else "")
        if not syntax.passed or not isinstance(doc, Mapping):
            return self._finish(result)
        ctx = check_contexts(doc, loader=self.loader)
        result = result.with_check(ctx)
        if not ctx.passed:
            return self._finish(result)
        form, reading = check_form(doc, loader=self.loader)
        result = result.with_check(form)
        if reading is None:
            return self._finish(result)
        creds = doc.get("verifiableCredential", [])
        items = creds if isinstance(creds, list) else [creds]
        own = [is_skillcred_own(c) for c in items]
        model = checks.presentation_model(
            reading, require_holder=rules.require_holder or any(own), require_credentials=rules.require_credentials
        )
        result = result.with_check(model)
        if not model.passed:
            return self._finish(result)
        holder = checks.holder_of(reading)
        expected_domain = client_id or (domain if domain is not None or not rules.own_challenges else self.domain)
        proof, challenge_check = checks.proof_with_challenge(
            doc,
            loader=self.loader,
            holder=holder,
            challenge=challenge,
            domain=expected_domain,
            verifier_domain=client_id or self.domain,
            store=self.challenges,
            now=now,
            skew=self.skew,
            reading=reading,
            own_challenges=rules.own_challenges,
        )
        result = result.with_check(proof).with_check(challenge_check)
        if self.challenges is None and rules.own_challenges:
            result = result.with_warning(
                Problem(
                    Code.INVALID_CHALLENGE_ERROR,
                    "no challenge store: the challenge was not checked for reuse",
                )
            )
        read = reading.get("verifiableCredential", [])
        pool = tuple(c for c in items if isinstance(c, Mapping))
        children = tuple(self._credential(c, now, 0, pool) for c in items)
        bound = None if rules.bind_all else own
        result = result.with_check(
            checks.holder_binding(read if isinstance(read, list) else [read], holder, bound=bound)
        )
        return self._finish(result.with_check(Check.ok(CheckName.CREDENTIALS, children=children)))


def standard_verifier(
    *,
    trust: TrustList | None,
    loader: DocumentLoader,
    status: StatusSource,
    rule_credentials: Sequence[Mapping[str, Any]] = (),
    trust_any: bool = False,
    challenges: ChallengeStore | None = None,
    domain: str | None = None,
    clock: Clock,
    freshness: Mapping[str, Any] | Freshness | None = None,
) -> Verifier:
    """The verifier as skillcred runs it: the pinned JSON Schemas of the credential kinds, and
    recognition chains re-checked against ``rule_credentials`` (plus whatever a presentation carries)."""
    from vccore.kinds import schemas
    from vccore.recognition.chain import chain_checker, pool_lookup

    return Verifier(
        trust=trust,
        trust_any=trust_any,
        loader=loader,
        status=status,
        challenges=challenges,
        domain=domain,
        clock=clock,
        freshness=freshness,
        schemas=schemas.check_schemas,
        chain_checker=chain_checker(pool_lookup(list(rule_credentials))),
    )
