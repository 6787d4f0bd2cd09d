"""The proof engine: add and verify Data Integrity proofs, proof sets and proof chains.

Follows VC Data Integrity 1.0 section 4 ("Algorithms"): 4.2 Add Proof, 4.3 Add Proof Set/Chain,
4.4 Verify Proof, 4.5 Verify Proof Sets and Chains, with the EdDSA cryptosuites' transformation,
hashing, proof configuration and serialization steps (VC DI EdDSA 1.0 section 3). Differences from
the reference JavaScript stack on purpose (STYLE.md): a proof set verifies only when *every* proof
verifies; inputs are never mutated; verifying never raises for bad input.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from vccore import multibase
from vccore.canon.memo import Memo
from vccore.di.cryptosuites import DEFAULT_SUITE, SIGNING_SUITES, Cryptosuite, suite_for_proof
from vccore.di.purposes import AssertionPurpose, Purpose
from vccore.did import resolver as dids
from vccore.errors import Code, ParseError, SkillcredError
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import PublicKey, Signer, decode_public_multibase
from vccore.result import Check, CheckName, Problem
from vccore.timeutil import DEFAULT_SKEW, format_datetime, parse_datetime, require_aware

MAX_PROOFS = 8
_PROOF_LAYER = AssertionPurpose()  # frozen: one instance serves every call
MAX_PROOF_VALUE_CHARS = 100  # 64 bytes are at most 88 base58 characters; anything longer is refused unread


@dataclass(frozen=True)
class ProofOptions:
    """What a new proof says besides its signature (DI 1.0 section 2.1)."""

    cryptosuite: str = DEFAULT_SUITE
    purpose: str = "assertionMethod"
    created: datetime | None = None
    expires: datetime | None = None
    challenge: str | None = None
    domain: str | None = None
    previous_proof: str | Sequence[str] | None = None
    id: str | None = None

    def __post_init__(self) -> None:
        if self.cryptosuite not in SIGNING_SUITES:
            raise ValueError(f"cryptosuite: {self.cryptosuite!r} is not one of {sorted(SIGNING_SUITES)}")
        if self.purpose not in ("assertionMethod", "authentication"):
            raise ValueError(f"purpose: {self.purpose!r} must be assertionMethod or authentication")
        for name in ("created", "expires"):
            value = getattr(self, name)
            if value is not None:
                require_aware(value, name=name)


def _proof_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _matching_previous(existing: list[Any], previous: str | Sequence[str]) -> list[Any]:
    wanted = [previous] if isinstance(previous, str) else list(previous)
    found: list[Any] = []
    for pid in wanted:
        match = [p for p in existing if isinstance(p, Mapping) and p.get("id") == pid]
        if not match:
            raise KeyError(pid)
        found.extend(match)
    return found


def _hash_data(
    suite: Cryptosuite,
    unsecured: Mapping[str, Any],
    config: Mapping[str, Any],
    *,
    loader: DocumentLoader,
    doc_cache: dict[int, bytes] | None = None,
    memo: Memo | None = None,
) -> bytes:
    canon_config = suite.canonicalize(config, loader=loader)
    key = id(unsecured)
    if doc_cache is not None and key in doc_cache:
        canon_doc = doc_cache[key]
    elif memo is not None:  # the same document (byte for byte) was canonicalized before: pure work, kept
        canon_doc = memo(f"canonical:{suite.name}", lambda: suite.canonicalize(unsecured, loader=loader))
        if doc_cache is not None:
            doc_cache[key] = canon_doc
    else:
        canon_doc = suite.canonicalize(unsecured, loader=loader)
        if doc_cache is not None:
            doc_cache[key] = canon_doc
    return suite.hash_data(canon_config, canon_doc)


def add_proof(
    document: Mapping[str, Any], *, signer: Signer, loader: DocumentLoader, options: ProofOptions | None = None
) -> dict[str, Any]:
    """Return a copy of ``document`` with one more proof (a set, or a chain link with previousProof).

    Raises a :class:`SkillcredError` (nothing is returned) when the document cannot be signed safely:
    an unknown context, a term the proof would not cover (DATA_LOSS_DETECTION_ERROR), a missing
    previous proof.
    """
    if not isinstance(document, Mapping):
        raise TypeError(f"document must be a mapping, not {type(document).__name__}")
    opts = options or ProofOptions()
    if not signer.id or "#" not in signer.id:
        raise ValueError("signer.id must be a verification method URL (did...#fragment)")
    suite = SIGNING_SUITES[opts.cryptosuite]
    secured = copy.deepcopy(dict(document))
    existing = _proof_list(secured.pop("proof", None))
    unsecured = copy.deepcopy(secured)
    if opts.previous_proof is not None:
        try:
            unsecured["proof"] = _matching_previous(existing, opts.previous_proof)
        except KeyError as err:
            raise SkillcredError(
                f"previousProof {err.args[0]!r} is not a proof of this document", code=Code.PROOF_GENERATION_ERROR
            ) from err
    config: dict[str, Any] = {"type": suite.proof_type, "cryptosuite": suite.name}
    if opts.id:
        config = {"id": opts.id, **config}
    if opts.created is not None:
        config["created"] = format_datetime(opts.created)
    config["verificationMethod"] = signer.id
    config["proofPurpose"] = opts.purpose
    if opts.expires is not None:
        config["expires"] = format_datetime(opts.expires)
    if opts.challenge is not None:
        config["challenge"] = opts.challenge
    if opts.domain is not None:
        config["domain"] = opts.domain
    if opts.previous_proof is not None:
        config["previousProof"] = (
            opts.previous_proof if isinstance(opts.previous_proof, str) else list(opts.previous_proof)
        )
    hashing_config = dict(config)
    if "@context" in secured:
        hashing_config["@context"] = copy.deepcopy(secured["@context"])
    data = _hash_data(suite, unsecured, hashing_config, loader=loader)
    signature = signer.sign(data)
    if len(signature) != 64:
        raise SkillcredError("the signer returned a signature that is not 64 bytes", code=Code.PROOF_GENERATION_ERROR)
    proof = dict(config)
    if suite.canonicalization == "jcs" and "@context" in secured:
        proof["@context"] = copy.deepcopy(secured["@context"])
    proof["proofValue"] = multibase.encode_z(signature)
    secured["proof"] = [*existing, proof] if existing else proof
    return secured


@dataclass(frozen=True)
class _ProofOutcome:
    index: int
    problems: tuple[Problem, ...]
    info: Mapping[str, Any]


def _did_key_method(
    vm_id: str, purpose: Purpose, loader: DocumentLoader
) -> tuple[PublicKey | None, list[Problem]] | None:
    """did:key without resolving: its document is fixed by the method (did:key v0.7 section 3.1.2: the
    one key is the DID, listed under every relationship and controlled by the DID), so the checks below
    are exactly what resolution plus :func:`_verification_key` would do, without building the document."""
    if not vm_id.startswith("did:key:"):
        return None
    did, _, frag = vm_id.partition("#")
    if loader.resolver.has_document(did):
        return None
    ident = did[len("did:key:") :]
    ptr = "/proof/verificationMethod"
    if frag not in ("", ident) or not ident:
        return None  # let the general path report the precise problem
    try:
        key = _did_key_public(did, ident)
    except SkillcredError as err:
        return None, [Problem(Code.INVALID_VERIFICATION_METHOD, err.detail, ptr)]
    if purpose.controller is not None and did != purpose.controller:
        return None, [Problem(Code.ISSUER_KEY_MISMATCH, f"the key's controller {did} is not {purpose.controller}", ptr)]
    return key, []


@lru_cache(maxsize=1024)
def _did_key_public(did: str, ident: str) -> PublicKey:
    """The key a did:key names (immutable, so one instance per DID serves every proof that names it)."""
    return PublicKey(decode_public_multibase(ident), id=f"{did}#{ident}", controller=did)


def _verification_key(vm_id: Any, purpose: Purpose, loader: DocumentLoader) -> tuple[PublicKey | None, list[Problem]]:
    """Dereference the method from its controller document and apply the purpose's key rules."""
    ptr = "/proof/verificationMethod"
    if not isinstance(vm_id, str) or not vm_id.startswith("did:"):
        return None, [Problem(Code.INVALID_VERIFICATION_METHOD, "verificationMethod must be a DID URL", ptr)]
    fast = _did_key_method(vm_id, purpose, loader)
    if fast is not None:
        return fast
    try:
        vm = loader.resolver.dereference(vm_id)
        controller = vm.get("controller")
        if not isinstance(controller, str):
            return None, [Problem(Code.INVALID_VERIFICATION_METHOD, "the method names no controller", ptr)]
        controller_doc = loader.resolver.resolve(controller)
    except SkillcredError as err:
        code = err.code if err.code != Code.DID_RESOLUTION_ERROR else Code.INVALID_VERIFICATION_METHOD
        return None, [Problem(code, err.detail, ptr)]
    if controller_doc.get("id") != controller:
        return None, [
            Problem(
                Code.INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID,
                "controller document id differs from the controller",
                ptr,
            )
        ]
    vm_id = str(vm.get("id", vm_id))
    if not dids.listed_under(controller_doc, purpose.relationship, vm_id):
        return None, [
            Problem(
                Code.INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD,
                f"{vm_id} is not listed under {purpose.relationship}",
                ptr,
            )
        ]
    if purpose.controller is not None and controller != purpose.controller:
        return None, [
            Problem(Code.ISSUER_KEY_MISMATCH, f"the key's controller {controller} is not {purpose.controller}", ptr)
        ]
    if vm.get("type") not in ("Multikey", "Ed25519VerificationKey2020"):
        return None, [Problem(Code.INVALID_VERIFICATION_METHOD, f"unsupported key type {vm.get('type')!r}", ptr)]
    try:
        raw = decode_public_multibase(str(vm.get("publicKeyMultibase", "")))
    except SkillcredError as err:
        return None, [Problem(Code.INVALID_VERIFICATION_METHOD, err.detail, ptr)]
    return PublicKey(raw, id=vm_id, controller=controller), []


def _check_times(proof: Mapping[str, Any], now: datetime, skew: timedelta) -> list[Problem]:
    problems: list[Problem] = []
    for name in ("created", "expires"):
        if name in proof:
            try:
                moment = parse_datetime(proof[name], field=f"proof.{name}")
            except SkillcredError as err:
                problems.append(Problem(err.code, err.detail, f"/proof/{name}"))
                continue
            if name == "created" and moment > now + skew:
                problems.append(
                    Problem(Code.PROOF_VERIFICATION_ERROR, "the proof was created in the future", "/proof/created")
                )
            if name == "expires" and moment < now - skew:
                problems.append(Problem(Code.PROOF_EXPIRED, f"the proof expired at {proof[name]}", "/proof/expires"))
    return problems


def _decode_proof_value(value: Any) -> tuple[bytes | None, list[Problem]]:
    ptr = "/proof/proofValue"
    if not isinstance(value, str):
        return None, [Problem(Code.MALFORMED_PROOF_ERROR, "proofValue must be a string", ptr)]
    if len(value) > MAX_PROOF_VALUE_CHARS:
        return None, [
            Problem(Code.RESOURCE_LIMIT_EXCEEDED, f"proofValue longer than {MAX_PROOF_VALUE_CHARS} characters", ptr)
        ]
    if not value.startswith("z"):
        return None, [Problem(Code.MALFORMED_PROOF_ERROR, "proofValue must be multibase base58btc ('z')", ptr)]
    try:
        sig = multibase.decode_z(value, max_len=MAX_PROOF_VALUE_CHARS)
    except ParseError as err:
        return None, [Problem(Code.MALFORMED_PROOF_ERROR, err.detail, ptr)]
    if len(sig) != 64:
        return None, [
            Problem(Code.PROOF_VERIFICATION_ERROR, f"an Ed25519 signature is 64 bytes, proofValue has {len(sig)}", ptr)
        ]
    return sig, []


def _verify_one(
    index: int,
    proof: Any,
    all_proofs: list[Any],
    unsecured: dict[str, Any],
    *,
    loader: DocumentLoader,
    purpose: Purpose,
    now: datetime,
    skew: timedelta,
    allow_legacy: bool,
    doc_cache: dict[int, bytes],
    signed: Any = None,
    memo: Memo | None = None,
) -> _ProofOutcome:
    """One proof: its options are read from ``proof`` (the reading), its signature checked over
    ``signed`` (the same proof as received; a JCS proof covers its exact JSON)."""
    signed = proof if signed is None else signed
    if not isinstance(proof, Mapping) or not isinstance(signed, Mapping):
        return _ProofOutcome(index, (Problem(Code.MALFORMED_PROOF_ERROR, "a proof must be an object"),), {})
    info = {
        "type": proof.get("type"),
        "cryptosuite": proof.get("cryptosuite"),
        "verificationMethod": proof.get("verificationMethod"),
        "created": proof.get("created"),
    }
    missing = [k for k in ("type", "verificationMethod", "proofPurpose", "proofValue") if k not in proof]
    if missing:
        return _ProofOutcome(
            index, (Problem(Code.PROOF_VERIFICATION_ERROR, f"the proof lacks {', '.join(missing)}"),), info
        )
    suite = suite_for_proof(proof, allow_legacy=allow_legacy)
    if suite is None:
        return _ProofOutcome(
            index,
            (
                Problem(
                    Code.PROOF_VERIFICATION_ERROR,
                    f"unsupported proof type/cryptosuite {proof.get('type')!r}/{proof.get('cryptosuite')!r}",
                    "/proof/type",
                ),
            ),
            info,
        )
    if proof.get("proofPurpose") != purpose.term:
        return _ProofOutcome(
            index,
            (
                Problem(
                    Code.PROOF_VERIFICATION_ERROR,
                    f"proofPurpose is {proof.get('proofPurpose')!r}, expected {purpose.term!r}",
                    "/proof/proofPurpose",
                ),
            ),
            info,
        )
    problems: list[Problem] = []
    sig, value_problems = _decode_proof_value(proof.get("proofValue"))
    problems += value_problems
    problems += _check_times(proof, now, skew)
    problems += purpose.check_proof(proof)
    key, key_problems = _verification_key(proof.get("verificationMethod"), purpose, loader)
    problems += key_problems
    if problems or sig is None or key is None:
        return _ProofOutcome(index, tuple(problems), info)
    config = {k: v for k, v in signed.items() if k != "proofValue"}  # read only: never mutated below
    doc = unsecured
    if "@context" in config:
        pctx = config["@context"]
        dctx = unsecured.get("@context")
        pl = pctx if isinstance(pctx, list) else [pctx]
        dl = dctx if isinstance(dctx, list) else [dctx]
        if dl[: len(pl)] != pl:
            return _ProofOutcome(
                index,
                (
                    Problem(
                        Code.PROOF_VERIFICATION_ERROR,
                        "the proof's @context is not a prefix of the document's",
                        "/proof/@context",
                    ),
                ),
                info,
            )
        if pctx != dctx:  # read only below, like ``config``: no copy
            doc = dict(unsecured)
            doc["@context"] = pctx
    elif "@context" in unsecured:
        config["@context"] = unsecured["@context"]
    if "previousProof" in proof:
        try:
            previous = _matching_previous(all_proofs, proof["previousProof"])
        except (KeyError, TypeError):
            return _ProofOutcome(
                index,
                (
                    Problem(
                        Code.PROOF_VERIFICATION_ERROR,
                        "previousProof names a proof that is not present",
                        "/proof/previousProof",
                    ),
                ),
                info,
            )
        doc = dict(doc)
        doc["proof"] = copy.deepcopy(previous)
    try:
        data = (
            _hash_data(suite, doc, config, loader=loader, doc_cache=doc_cache, memo=memo)
            if doc is unsecured
            else _hash_data(suite, doc, config, loader=loader)
        )
    except SkillcredError as err:
        return _ProofOutcome(index, (Problem(err.code, err.detail, err.pointer),), info)
    if not key.verify(data, sig):
        return _ProofOutcome(
            index, (Problem(Code.PROOF_VERIFICATION_ERROR, "the signature does not verify", "/proof/proofValue"),), info
        )
    return _ProofOutcome(index, (), info)


def verify_proofs(
    document: Any,
    *,
    loader: DocumentLoader,
    purpose: Purpose | None = None,
    now: datetime,
    skew: timedelta = DEFAULT_SKEW,
    allow_legacy: bool = True,
    name: CheckName = CheckName.PROOF,
    reading: Mapping[str, Any] | None = None,
    memo: Memo | None = None,
) -> Check:
    """Verify every proof on ``document`` (a set or a chain); one named check, never raises for input.

    ``purpose`` defaults to assertionMethod without an expected controller: a proof-layer check.
    ``reading`` is the document as :func:`vccore.jsonld.reading.read_one_way` reads it: every proof option
    (type, cryptosuite, purpose, dates, key, challenge, domain) is decided on it, while signatures are
    checked over ``document`` as received. ``memo`` (:meth:`vccore.canon.memo.BoundedMemo.bind` for this
    exact ``document``) keeps the canonical form of the unsecured document between calls: the transform is
    pure, while every key is resolved and every signature and date checked on every call.
    """
    now = require_aware(now)
    purpose = purpose or _PROOF_LAYER
    if not isinstance(document, Mapping):
        return Check.fail(name, Code.PARSING_ERROR, "the document is not a JSON object")
    signed_proofs = _proof_list(document.get("proof"))
    proofs = signed_proofs if reading is None else _proof_list(reading.get("proof"))
    if len(proofs) != len(signed_proofs):
        return Check.fail(name, Code.MALFORMED_PROOF_ERROR, "the reading and the document disagree on the proofs")
    if not proofs:
        return Check.fail(name, Code.PROOF_VERIFICATION_ERROR, "the document has no proof", pointer="/proof")
    if len(proofs) > MAX_PROOFS:
        return Check.fail(name, Code.RESOURCE_LIMIT_EXCEEDED, f"more than {MAX_PROOFS} proofs")
    ids = [p.get("id") for p in proofs if isinstance(p, Mapping) and p.get("id") is not None]
    if len(ids) != len(set(map(str, ids))):
        return Check.fail(name, Code.MALFORMED_PROOF_ERROR, "two proofs share an id")
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    cache: dict[int, bytes] = {}
    outcomes = [
        _verify_one(
            i,
            p,
            signed_proofs,
            unsecured,
            loader=loader,
            purpose=purpose,
            now=now,
            skew=skew,
            allow_legacy=allow_legacy,
            doc_cache=cache,
            signed=signed_proofs[i],
            memo=memo,
        )
        for i, p in enumerate(proofs)
    ]
    problems = [p for o in outcomes for p in o.problems]
    info = {"proofs": [dict(o.info, verified=not o.problems) for o in outcomes]}
    return Check.from_problems(name, problems, info=info)


def proof_controllers(document: Mapping[str, Any]) -> list[str]:
    """The DIDs of the verification methods named by a document's proofs (no resolution)."""
    out = []
    for p in _proof_list(document.get("proof")):
        if isinstance(p, Mapping) and isinstance(p.get("verificationMethod"), str):
            out.append(p["verificationMethod"].split("#", 1)[0])
    return out


__all__ = ["ProofOptions", "add_proof", "proof_controllers", "verify_proofs"]
