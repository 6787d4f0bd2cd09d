"""Trust packs: everything a verifier needs offline, in one document signed by the root key.

A pack bundles the trust list credentials, the recognition rule credentials, the contexts manifest
(URL + SHA-256 from :data:`contexts.INDEX`, and the root's own pinned contexts with their bytes:
``{"url", "sha256", "content": base64}``, issue 17), status-list credential snapshots with the date each was
fetched, the DID documents of listed issuers (so did:web issuers verify without a network), and its
own ``createdAt`` / ``validUntil`` freshness dates. It carries one ``DataIntegrityProof``
(``eddsa-jcs-2022``) by the root DID's ``assertionMethod`` key.

A pack is a convenience, not a new authority: every credential inside it is still verified on
use (the trust list against the root, each status list against its issuer).
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

import contexts
from vccore import jsonstrict
from vccore.di.cryptosuites import EDDSA_JCS_2022
from vccore.di.proofs import ProofOptions, add_proof, verify_proofs
from vccore.di.purposes import AssertionPurpose
from vccore.errors import Code, ContextNotAllowedError, SkillcredError
from vccore.jsonld.loader import DocumentLoader, OperatorContext, pin_context
from vccore.keys import Signer
from vccore.result import Check, CheckName, Problem, VerificationResult
from vccore.timeutil import DEFAULT_SKEW, format_datetime, outside_window, parse_datetime, require_aware
from vccore.trust.lists import TrustList, verify_trust_list_credential

PACK_TYPE: Final = "SkillcredTrustPack"
FORMAT_VERSION: Final = 1
MAX_PACK_BYTES: Final = 32 * 1024 * 1024
MAX_PACK_DEPTH: Final = 96


@dataclass(frozen=True)
class StatusSnapshot:
    """A status list credential as fetched at ``fetched_at`` (not yet verified)."""

    url: str
    credential: Mapping[str, Any]
    fetched_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "fetchedAt": format_datetime(self.fetched_at),
            "credential": copy.deepcopy(dict(self.credential)),
        }


@dataclass(frozen=True)
class TrustPack:
    """A verified pack. ``trust_list`` merges every trust list credential in it."""

    root: str
    created_at: datetime
    valid_until: datetime
    trust_list: TrustList
    rule_credentials: tuple[Mapping[str, Any], ...] = ()
    status_snapshots: tuple[StatusSnapshot, ...] = ()
    did_documents: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: contexts the root pinned in the pack (verified: bytes against their SHA-256)
    contexts: tuple[OperatorContext, ...] = ()

    def freshness(self, now: datetime) -> dict[str, Any]:
        now = require_aware(now)
        return {
            "trustPackCreatedAt": format_datetime(self.created_at),
            "trustPackValidUntil": format_datetime(self.valid_until),
            "trustPackAgeSeconds": int((now - self.created_at).total_seconds()),
            "trustListIssued": format_datetime(self.trust_list.issued),
        }


def contexts_manifest() -> list[dict[str, str]]:
    return [{"url": c.url, "sha256": c.sha256} for c in contexts.INDEX if not c.test_only]


def build_trust_pack(
    *,
    trust_lists: Sequence[Mapping[str, Any]],
    signer: Signer,
    loader: DocumentLoader,
    now: datetime,
    valid_for: timedelta = timedelta(days=7),
    rule_credentials: Iterable[Mapping[str, Any]] = (),
    status_snapshots: Iterable[StatusSnapshot] = (),
    did_documents: Mapping[str, Mapping[str, Any]] | None = None,
    pinned_contexts: Mapping[str, bytes] | None = None,
) -> dict[str, Any]:
    """Bundle and sign. ``signer.id`` names a root DID method listed under ``assertionMethod``.
    ``pinned_contexts`` (URL -> the context's bytes) travel in the manifest for verifiers to pin."""
    if not trust_lists:
        raise ValueError("trust_lists: a pack needs at least one trust list credential")
    start = require_aware(now).replace(microsecond=0)
    docs = dict(did_documents or {})
    for did, doc in docs.items():
        if doc.get("id") != did:
            raise ValueError(f"did_documents: the document under {did!r} has id {doc.get('id')!r}")
    pack: dict[str, Any] = {
        "type": PACK_TYPE,
        "version": FORMAT_VERSION,
        "root": signer.id.split("#", 1)[0],
        "createdAt": format_datetime(start),
        "validUntil": format_datetime(start + valid_for),
        "contexts": contexts_manifest()
        + [
            {"url": url, "sha256": hashlib.sha256(data).hexdigest(), "content": base64.b64encode(data).decode()}
            for url, data in (pinned_contexts or {}).items()
        ],
        "trustLists": [copy.deepcopy(dict(t)) for t in trust_lists],
        "ruleCredentials": [copy.deepcopy(dict(r)) for r in rule_credentials],
        "statusLists": [s.to_json() for s in status_snapshots],
        "didDocuments": {k: copy.deepcopy(dict(v)) for k, v in docs.items()},
    }
    return add_proof(
        pack, signer=signer, loader=loader, options=ProofOptions(cryptosuite=EDDSA_JCS_2022.name, created=start)
    )


def _fail(result: VerificationResult, code: Code, detail: str, pointer: str = "") -> VerificationResult:
    return result.with_check(Check.fail(CheckName.TRUST_PACK, code, detail, pointer=pointer))


def parse_trust_pack(data: str | bytes) -> Any:
    """Strict JSON with the pack's own caps. Raises ``ParseError`` / ``ResourceLimitError``."""
    return jsonstrict.loads(data, max_bytes=MAX_PACK_BYTES, max_depth=MAX_PACK_DEPTH)


def verify_trust_pack(
    document: Any, *, root_did: str, loader: DocumentLoader, now: datetime, skew: timedelta = DEFAULT_SKEW
) -> tuple[TrustPack | None, VerificationResult]:
    """Verify the pack's proof (controller == ``root_did``), its freshness, its contexts manifest
    against the pinned index, and every trust list credential in it. Never raises for input."""
    now = require_aware(now)
    result = VerificationResult((), "trust pack")
    if not isinstance(document, Mapping) or document.get("type") != PACK_TYPE:
        return None, _fail(result, Code.MALFORMED_VALUE_ERROR, f"not a {PACK_TYPE}")
    if document.get("version") != FORMAT_VERSION or document.get("root") != root_did:
        return None, _fail(
            result, Code.UNTRUSTED_ISSUER, f"the pack is not version {FORMAT_VERSION} of root {root_did}"
        )
    proof = verify_proofs(document, loader=loader, purpose=AssertionPurpose(controller=root_did), now=now, skew=skew)
    result = result.with_check(Check(CheckName.TRUST_PACK_PROOF, proof.passed, proof.problems, proof.info))
    if not proof.passed:
        return None, result
    try:
        created = parse_datetime(document.get("createdAt"), field="createdAt")
        until = parse_datetime(document.get("validUntil"), field="validUntil")
    except SkillcredError as err:
        return None, _fail(result, err.code, err.detail)
    where = outside_window(now, valid_from=created, valid_until=until, skew=skew)
    if where == "late":
        return None, _fail(result, Code.EXPIRED, f"the trust pack expired at {format_datetime(until)}", "/validUntil")
    if where == "early":
        return None, _fail(result, Code.NOT_YET_VALID, "the trust pack was created in the future", "/createdAt")
    problems, pinned = _manifest_problems(document.get("contexts"))
    sections: dict[str, list[Any]] = {}
    for key in ("trustLists", "ruleCredentials", "statusLists"):
        value = document.get(key)
        sections[key] = value if isinstance(value, list) else []
        if not isinstance(value, list):
            problems.append(Problem(Code.MALFORMED_VALUE_ERROR, f"{key} must be a list", f"/{key}"))
    if not isinstance(document.get("didDocuments"), Mapping):
        problems.append(Problem(Code.MALFORMED_VALUE_ERROR, "didDocuments must be an object", "/didDocuments"))
    if problems:
        return None, result.with_check(Check.from_problems(CheckName.TRUST_PACK, problems))
    docs = {str(k): v for k, v in document["didDocuments"].items() if isinstance(v, Mapping) and v.get("id") == k}
    if len(docs) != len(document["didDocuments"]):
        return None, _fail(
            result,
            Code.INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID,
            "a DID document's id differs from its key",
            "/didDocuments",
        )
    pack_loader = loader.with_resolver(loader.resolver.with_documents(docs))
    merged: TrustList | None = None
    children = []
    for tl in sections["trustLists"]:
        parsed, res = verify_trust_list_credential(tl, root_did=root_did, loader=pack_loader, now=now, skew=skew)
        children.append(res)
        if parsed is not None:
            merged = parsed if merged is None else merged.merged(parsed)
    snapshots: list[StatusSnapshot] = []
    for i, s in enumerate(sections["statusLists"]):
        try:
            if (
                not isinstance(s, Mapping)
                or not isinstance(s.get("url"), str)
                or not isinstance(s.get("credential"), Mapping)
            ):
                raise SkillcredError("a status snapshot needs url and credential", pointer=f"/statusLists/{i}")
            snapshots.append(
                StatusSnapshot(s["url"], s["credential"], parse_datetime(s.get("fetchedAt"), field="fetchedAt"))
            )
        except SkillcredError as err:
            return None, _fail(result, err.code, err.detail, f"/statusLists/{i}")
    check = Check.ok(CheckName.TRUST_PACK_TRUST_LISTS, children=children)
    if merged is None and check.passed:
        check = Check.fail(CheckName.TRUST_PACK_TRUST_LISTS, Code.UNTRUSTED_ISSUER, "the pack holds no trust list")
    result = result.with_check(check)
    if merged is None or not result.verified:
        return None, result
    pack = TrustPack(
        root_did,
        created,
        until,
        merged,
        tuple(r for r in sections["ruleCredentials"] if isinstance(r, Mapping)),
        tuple(snapshots),
        docs,
        tuple(pinned),
    )
    return pack, result.with_info(**pack.freshness(now))


def _manifest_problems(manifest: Any) -> tuple[list[Problem], list[OperatorContext]]:
    """Every context the pack names must be pinned here with the same digest: a pack made for other
    context bytes would make signatures mean something else. An entry with ``content`` is one the root
    pinned: its bytes must match its digest (:func:`vccore.jsonld.loader.pin_context`)."""
    if not isinstance(manifest, list):
        return [Problem(Code.MALFORMED_VALUE_ERROR, "contexts: expected a list", "/contexts")], []
    out = []
    pinned_here: list[OperatorContext] = []
    for i, entry in enumerate(manifest):
        if isinstance(entry, Mapping) and "content" in entry:
            try:
                content = entry.get("content")
                if not isinstance(content, str):
                    raise ContextNotAllowedError("content must be base64 text")
                try:
                    data = base64.b64decode(content, validate=True)
                except (binascii.Error, ValueError) as err:
                    raise ContextNotAllowedError("content is not base64") from err
                pinned_here.append(pin_context(str(entry.get("url")), data, str(entry.get("sha256"))))
            except SkillcredError as err:
                out.append(Problem(Code.CONTEXT_NOT_ALLOWED, err.detail, f"/contexts/{i}"))
            continue
        url = entry.get("url") if isinstance(entry, Mapping) else None
        pinned = contexts.pinned(url) if isinstance(url, str) else None
        if pinned is None or pinned.test_only or entry.get("sha256") != pinned.sha256:
            out.append(
                Problem(
                    Code.CONTEXT_NOT_ALLOWED,
                    f"context {str(url)[:100]!r} is not pinned with that digest",
                    f"/contexts/{i}",
                )
            )
    return out, pinned_here
