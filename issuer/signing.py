"""What is issued, and how one credential is built, checked and signed: the stages of the issuance
engine (:mod:`issuer.engine`) that run wherever the signing key is, in the service's process or in a
batch's worker processes (:mod:`issuer.batch.workers`).

A :class:`Request` is one credential to issue: either a kind's validated input (``issuer issue``, a batch
row) or a complete credential (the VC-API, recognitions, rule sets). Once the engine has given it a
credential id and two status entries it is a :class:`Task`, and :class:`CredentialSigner` turns a task
into the exact bytes to release:

1. **Build** (:meth:`CredentialSigner.draft`): the kind's builder (:mod:`issuer.kinds`; the Argon2id
   identity hash is the slow part), or the given credential completed: ``issuer`` becomes the profile's
   DID (names given in an ``issuer`` object are kept), ``id`` and ``validFrom`` are added when missing;
   ``proof`` may not be given, nor ``credentialStatus`` for one of skillcred's own credentials (its
   context is skillcred's). A generic credential keeps the caller's ``credentialStatus`` entries, the
   issuer's two following them (:func:`with_status`).
2. **Check** (:meth:`CredentialSigner.check`), the verifier's own checks on the final shape, decided on
   its reading (SECURITY.md issuer item 5): contexts, the one reading, the data model, the JSON Schema of
   each skillcred type (:func:`check_shape`), no clear resident ID number (``PERSONAL_DATA_ERROR``), and
   safe RDFC-1.0 canonicalization (an undefined term is ``DATA_LOSS_DETECTION_ERROR``; the
   ``eddsa-rdfc-2022`` signature canonicalizes in safe mode itself, so a check right before signing
   leaves it to the signature).
3. **Sign** (:meth:`CredentialSigner.sign_final`) with the cryptosuite the request names, ``created``
   the engine's time; the released bytes are compact UTF-8 JSON (:func:`encode`).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, NamedTuple

import contexts
from issuer.kinds import Issuer, build
from issuer.profile import IssuerProfile
from issuer.store.records import StatusRef
from vccore.credentials import examine, is_vc11, pinned_context_bytes, types_of
from vccore.di.cryptosuites import DEFAULT_SUITE, EDDSA_RDFC_2022
from vccore.di.proofs import ProofOptions, add_proof
from vccore.errors import Code, SkillcredError
from vccore.jsonld.canonical import rdfc
from vccore.jsonld.loader import DocumentLoader
from vccore.jsonld.related import related_resource_problems
from vccore.keys import KeyPair
from vccore.kinds import identity, schemas
from vccore.kinds.identity import contains_clear_id
from vccore.status.check import entry_problem
from vccore.status.entry import ENTRY_TYPE
from vccore.timeutil import format_datetime

#: contexts a VC 1.1 credential gets when it lacks them: its proof's terms
VC11_ADDED_CONTEXTS: Final = ("https://w3id.org/security/data-integrity/v2",)
#: caller-supplied status entries a generic credential may keep (the issuer adds its two)
MAX_GIVEN_STATUS: Final = 4
_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
DIGEST_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


def encode(document: Mapping[str, Any]) -> bytes:
    """The released bytes of a credential: compact JSON, UTF-8, keys in the order they were written."""
    return _ENCODER.encode(document).encode("utf-8")


def digest(*parts: Any) -> str:
    """SHA-256 (hex) of the JSON array of ``parts`` (keys sorted): idempotency keys, request hashes."""
    return hashlib.sha256(DIGEST_ENCODER.encode(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class HashParams:
    """Argon2id cost of the identity hash. :data:`TEST_HASH` is libsodium's minimum: tests only."""

    opslimit: int = identity.DEFAULT_OPSLIMIT
    memlimit: int = identity.DEFAULT_MEMLIMIT

    def __call__(self, id_number: str) -> dict[str, Any]:
        return identity.hash_identity(id_number, opslimit=self.opslimit, memlimit=self.memlimit)


DEFAULT_HASH: Final = HashParams()
TEST_HASH: Final = HashParams(identity.MIN_OPSLIMIT, identity.MIN_MEMLIMIT)
HASH_PARAMS: Final = {"default": DEFAULT_HASH, "test": TEST_HASH}


@dataclass(frozen=True)
class Request:
    """One credential to issue. ``kind`` names a kind whose validated input is ``data`` (its dataclass,
    built once, so workers do not validate again) or is None: ``data`` is then a complete credential.
    ``key`` is the idempotency key (None: a retry issues again); ``request_hash`` identifies the request
    (the same key with another request is ``CONFLICT``)."""

    key: str | None
    request_hash: str
    kind: str | None
    data: Any = field(repr=False)
    subject_did: str | None = None
    cryptosuite: str = DEFAULT_SUITE

    @classmethod
    def for_credential(
        cls, credential: Mapping[str, Any], *, key: str | None = None, cryptosuite: str = DEFAULT_SUITE
    ) -> Request:
        """A complete credential (VC-API, recognitions): its hash covers the credential and the suite."""
        if not isinstance(credential, Mapping):
            raise TypeError(f"credential must be a mapping, not {type(credential).__name__}")
        try:
            request_hash = digest({"credential": credential, "cryptosuite": cryptosuite})
        except (TypeError, ValueError) as err:
            raise SkillcredError(f"the credential is not JSON: {err}", code=Code.PARSING_ERROR) from err
        return cls(key, request_hash, None, credential, None, cryptosuite)

    @classmethod
    def for_kind(
        cls,
        kind: str,
        checked: Any,
        *,
        given: Any,
        key: str | None = None,
        subject_did: str | None = None,
        cryptosuite: str = DEFAULT_SUITE,
    ) -> Request:
        """A kind's validated input ``checked``; its hash covers the input as ``given``, the kind, the
        holder and the suite."""
        return cls(key, digest(kind, cryptosuite, given, subject_did), kind, checked, subject_did, cryptosuite)


class Task(NamedTuple):  # a tuple: a batch makes one per row, and a frozen dataclass costs more to build
    """A request with the credential id the engine proposes (a given credential's own id wins) and the
    status indexes and entries allocated for it."""

    request: Request
    credential_id: str
    revocation: StatusRef
    suspension: StatusRef
    entries: tuple[dict[str, Any], ...]


class Signed(NamedTuple):
    """A task's result: the released bytes and the record's kind and id, or the problem that stopped it."""

    document: bytes | None
    kind: str = ""
    credential_id: str = ""
    code: str = ""
    detail: str = ""


def check_shape(credential: Mapping[str, Any], *, loader: DocumentLoader) -> dict[str, Any]:
    """The verifier's own checks before signing (SECURITY.md issuer item 5): contexts, the one reading
    (:mod:`vccore.jsonld.reading`), the data model and the JSON Schema of each skillcred type, all decided
    on the reading; raise the first problem. Returns the reading. What gets signed is the credential as
    it was given (it passed the gate, so it differs from its reading at most by a single value written in
    an array, as the caller chose: ``"type": ["VerifiableCredential"]`` stays an array).

    ``relatedResource`` is checked on the credential as given first (VC 2.0 section 5.3): a duplicate id
    is ``MALFORMED_VALUE_ERROR`` there, where the reading would call it a node written twice."""
    related = related_resource_problems(credential, context_bytes=pinned_context_bytes)
    if related:
        raise SkillcredError(related[0].detail, code=related[0].code, pointer=related[0].pointer)
    result, reading = examine(credential, loader=loader, schemas=schemas.check_schemas)
    if reading is None or not result.verified:
        problem = result.problems()[0]
        raise SkillcredError(problem.detail or problem.title, code=problem.code, pointer=problem.pointer)
    return reading


def _check_given_status(value: Any) -> None:
    """A caller's ``credentialStatus`` (generic credentials only): at most a few entries, each with a
    type; a ``BitstringStatusListEntry`` well formed (:func:`vccore.status.check.entry_problem`)."""
    entries = value if isinstance(value, list) else [value]
    if not 0 < len(entries) <= MAX_GIVEN_STATUS:
        raise SkillcredError(
            f"credentialStatus: 1 to {MAX_GIVEN_STATUS} entries",
            code=Code.MALFORMED_VALUE_ERROR,
            pointer="/credentialStatus",
        )
    for i, entry in enumerate(entries):
        where = f"/credentialStatus/{i}" if isinstance(value, list) else "/credentialStatus"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("type"), str | list) or not entry.get("type"):
            raise SkillcredError(
                "a credentialStatus entry must be an object with a type", code=Code.MALFORMED_VALUE_ERROR, pointer=where
            )
        if entry.get("type") == ENTRY_TYPE:
            problem = entry_problem(entry)
            if problem is not None:
                raise SkillcredError(problem.detail, code=problem.code, pointer=where + problem.pointer)


def with_status(draft: Mapping[str, Any], entries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """``draft`` with the issuer's status ``entries``, after the caller's own entries when a generic
    credential came with some (VC-API: a caller-supplied ``credentialStatus`` is kept). A VC 1.1
    credential gets none of the issuer's: Bitstring Status List entries are VC 2.0 terms (its own
    context would have to be added, which VC 1.1 peers do not know), so it carries only what it was
    given and cannot be revoked through this issuer's lists (docs/conformance.md)."""
    given = draft.get("credentialStatus")
    kept = [] if given is None else list(given) if isinstance(given, list) else [given]
    if is_vc11(draft):
        return dict(draft, credentialStatus=kept) if kept else dict(draft)
    return dict(draft, credentialStatus=[*kept, *(dict(e) for e in entries)])


def record_kind(document: Mapping[str, Any]) -> str:
    """The kind a registry record names: the credential's most specific type."""
    specific = [t for t in types_of(document) if t != "VerifiableCredential"]
    return specific[-1] if specific else "VerifiableCredential"


@dataclass(frozen=True)
class SignerSetup:
    """Everything a signing process needs; picklable (a batch sends it to each worker)."""

    seed: bytes = field(repr=False)
    key_id: str
    controller: str
    profile: IssuerProfile
    loader: DocumentLoader
    hasher: Callable[[str], dict[str, Any]]
    now: datetime


class CredentialSigner:
    """Builds, checks and signs tasks with one unlocked key for one issuer (see the module docstring)."""

    def __init__(
        self,
        pair: KeyPair,
        *,
        profile: IssuerProfile,
        loader: DocumentLoader,
        hasher: Callable[[str], dict[str, Any]],
    ) -> None:
        self.pair = pair
        self.profile = profile
        self.loader = loader
        self.hasher = hasher
        names = (profile.name_zh, profile.name_en)
        self._issuer = Issuer(profile.did, *names) if all(names) else None

    @classmethod
    def from_setup(cls, setup: SignerSetup) -> CredentialSigner:
        pair = KeyPair.from_seed(setup.seed, id=setup.key_id, controller=setup.controller)
        return cls(pair, profile=setup.profile, loader=setup.loader, hasher=setup.hasher)

    def draft(self, task: Task, now: datetime) -> dict[str, Any]:
        """The unsigned credential of ``task``, without status entries."""
        request = task.request
        if request.kind is None:
            return self._complete(request.data, task.credential_id, now)
        if self._issuer is None:
            raise SkillcredError(
                "the issuer profile has no names (zh and en): a kind's credential names its issuer",
                code=Code.MALFORMED_VALUE_ERROR,
            )
        return build(
            request.kind,
            request.data,
            issuer=self._issuer,
            valid_from=format_datetime(now),
            credential_id=task.credential_id,
            subject_did=request.subject_did,
            hasher=self.hasher,
        )

    def _complete(self, credential: Mapping[str, Any], credential_id: str, now: datetime) -> dict[str, Any]:
        draft = copy.deepcopy(dict(credential))
        reserved_members = ["proof"]
        ctx = draft.get("@context")
        if contexts.SKILLCRED_V1 in (ctx if isinstance(ctx, list) else [ctx]):
            reserved_members.append("credentialStatus")  # skillcred's status is the issuer's alone
        for reserved in reserved_members:
            if reserved in draft:
                raise SkillcredError(
                    f"{reserved} is added by the issuer and must not be given",
                    code=Code.MALFORMED_VALUE_ERROR,
                    pointer=f"/{reserved}",
                )
        if "credentialStatus" in draft:
            _check_given_status(draft["credentialStatus"])
        given = draft.get("issuer")
        if "issuer" in draft and not (
            isinstance(given, str) or (isinstance(given, Mapping) and isinstance(given.get("id", ""), str))
        ):
            # VC 2.0 section 4.7: a URL or an object whose id is one; null is not "absent" (never replaced)
            raise SkillcredError(
                f"issuer must be a URL or an object with a URL id, not {given!r:.80}",
                code=Code.MALFORMED_VALUE_ERROR,
                pointer="/issuer",
            )
        given_id = given.get("id") if isinstance(given, Mapping) else given
        if given_id is not None and given_id != self.profile.did:
            raise SkillcredError(
                f"issuer {given_id!r} is not this issuer ({self.profile.did})",
                code=Code.MALFORMED_VALUE_ERROR,
                pointer="/issuer",
            )
        draft.setdefault("id", credential_id)
        if is_vc11(draft):
            return self._complete_vc11(draft, given, now)
        draft["issuer"] = self.profile.issuer_value(given)
        draft.setdefault("validFrom", format_datetime(now))
        return draft

    def _complete_vc11(self, draft: dict[str, Any], given: Any, now: datetime) -> dict[str, Any]:
        """A VC 1.1 credential (VC Data Model 1.1): ``issuer`` stays a string (or the given object) with
        this issuer's DID, ``issuanceDate`` is added when missing, and the Data Integrity context its
        proof needs is appended when missing (no status entries: :func:`with_status`)."""
        draft["issuer"] = {**dict(given), "id": self.profile.did} if isinstance(given, Mapping) else self.profile.did
        draft.setdefault("issuanceDate", format_datetime(now))
        ctx = draft["@context"]
        listed = list(ctx) if isinstance(ctx, list) else [ctx]
        draft["@context"] = listed + [c for c in VC11_ADDED_CONTEXTS if c not in listed]
        return draft

    def check(self, final: Mapping[str, Any], *, canonicalize: bool) -> None:
        """The verifier's checks on the credential as it will be signed (see the module docstring);
        ``canonicalize`` runs safe RDFC-1.0 too (needless right before an ``eddsa-rdfc-2022`` signature)."""
        reading = check_shape(final, loader=self.loader)
        if contains_clear_id(reading):
            raise SkillcredError(
                "the credential contains a clear resident ID number; use identityHash", code=Code.PERSONAL_DATA_ERROR
            )
        if canonicalize:
            rdfc(reading, loader=self.loader)

    def sign_final(self, final: Mapping[str, Any], *, cryptosuite: str, now: datetime) -> bytes:
        options = ProofOptions(cryptosuite=cryptosuite, created=now)
        return encode(add_proof(final, signer=self.pair, loader=self.loader, options=options))

    def sign(self, task: Task, now: datetime) -> Signed:
        """Build, check and sign ``task`` (with its allocated status entries): its :class:`Signed`, a
        refusal included (a batch reports it on the row)."""
        try:
            final = with_status(self.draft(task, now), task.entries)
            suite = task.request.cryptosuite
            self.check(final, canonicalize=suite != EDDSA_RDFC_2022.name)
            return Signed(self.sign_final(final, cryptosuite=suite, now=now), record_kind(final), str(final["id"]))
        except SkillcredError as err:
            return Signed(None, code=err.code.value, detail=err.detail)
