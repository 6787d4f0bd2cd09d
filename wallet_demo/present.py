"""Presentations signed with the holder key, and answers to a verifier's request QR.

A presentation is a VC 2.0 ``VerifiablePresentation`` whose ``holder`` is the wallet's did:key and
whose ``verifiableCredential`` lists the credentials exactly as stored. Its proof has purpose
``authentication``, a ``domain`` (the employer or scenario it is meant for) and a ``challenge``
(the verifier's nonce, or a fresh random one), and it ``expires``: at most :data:`MAX_DAYS` days,
:data:`DEFAULT_DAYS` by default. This is the digital form of the 加注 annotation on Chinese
e-certificates ("仅供某单位某用途使用，有效期至……"): a copy handed to one employer is useless to
anyone else, and useless after a week.

A ``RecognitionCredential`` is presented with its sources (the credentials named in
``credentialSubject.recognizedFrom`` and ``relatedResource``), because a verifier re-checks the
whole chain; a missing source is refused before anything is signed.

A verifier asks with a request QR: the :mod:`vccore.qr.payload` codec applied to
``{"type": "SkillcredPresentationRequest", "challenge", "domain", "verifier", "expires"}``
(:class:`PresentationRequest`). The answer uses that challenge and domain and expires no later than
the request does.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

import contexts
from vccore.credentials import types_of
from vccore.di.proofs import ProofOptions, add_proof
from vccore.errors import Code, SkillcredError
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import KeyPair
from vccore.qr import payload as qr
from vccore.timeutil import format_datetime, parse_datetime, require_aware
from wallet_demo.store import StoredCredential, Wallet

__all__ = [
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "REQUEST_TYPE",
    "PresentationError",
    "PresentationRequest",
    "answer",
    "build_presentation",
    "decode_request",
    "encode_request",
    "present",
    "with_sources",
]

DEFAULT_DAYS: Final = 7
MAX_DAYS: Final = 30
REQUEST_TYPE: Final = "SkillcredPresentationRequest"
MAX_CREDENTIALS: Final = 16
_TEXT_RE: Final = re.compile(r"[^\x00-\x1f\x7f]{1,200}")
_CHALLENGE_RE: Final = re.compile(r"[A-Za-z0-9._~+/=-]{8,128}")


class PresentationError(SkillcredError):
    """A presentation could not be built; nothing was signed."""


def _text(value: Any, name: str, pattern: re.Pattern[str] = _TEXT_RE) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise PresentationError(
            f"{name}: {value!r} is not acceptable / {name} 格式无效", code=Code.MALFORMED_VALUE_ERROR
        )
    return value


@dataclass(frozen=True)
class PresentationRequest:
    """What a verifier asks for: its nonce, its domain, where to send the answer, until when."""

    challenge: str
    domain: str
    verifier: str
    expires: datetime | None = None

    def __post_init__(self) -> None:
        _text(self.challenge, "challenge", _CHALLENGE_RE)
        _text(self.domain, "domain")
        _text(self.verifier, "verifier")
        if not re.match(r"https?://[^/\s]+", self.verifier):
            raise PresentationError(
                "verifier: must be an http(s) URL / 验证方网址无效", code=Code.MALFORMED_VALUE_ERROR
            )
        if self.expires is not None:
            require_aware(self.expires, name="expires")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": REQUEST_TYPE,
            "challenge": self.challenge,
            "domain": self.domain,
            "verifier": self.verifier,
        }
        if self.expires is not None:
            out["expires"] = format_datetime(self.expires)
        return out

    @classmethod
    def from_json(cls, doc: Any) -> PresentationRequest:
        if not isinstance(doc, Mapping) or doc.get("type") != REQUEST_TYPE:
            raise PresentationError(
                f"not a presentation request (type must be {REQUEST_TYPE}) / 不是出示请求", code=Code.PARSING_ERROR
            )
        extra = set(doc) - {"type", "challenge", "domain", "verifier", "expires"}
        if extra:
            raise PresentationError(
                f"unexpected request members {sorted(extra)} / 请求含未知字段", code=Code.MALFORMED_VALUE_ERROR
            )
        expires = None
        if doc.get("expires") is not None:
            try:
                expires = parse_datetime(doc["expires"], field="expires")
            except SkillcredError as err:
                raise PresentationError(err.detail, code=err.code) from err
        return cls(doc.get("challenge"), doc.get("domain"), doc.get("verifier"), expires)  # type: ignore[arg-type]


def encode_request(request: PresentationRequest) -> str:
    """The request as a QR document payload (:func:`vccore.qr.payload.encode`)."""
    return qr.encode(request.to_json())


def decode_request(payload: str, *, now: datetime) -> PresentationRequest:
    """A request payload, checked; an expired request is refused."""
    try:
        doc = qr.decode(payload.strip() if isinstance(payload, str) else payload, max_inflated=4096)
    except SkillcredError as err:
        raise PresentationError(f"not a request QR: {err.detail} / 不是出示请求二维码", code=err.code) from err
    request = PresentationRequest.from_json(doc)
    if request.expires is not None and request.expires < require_aware(now):
        raise PresentationError(
            "the request has expired; ask the verifier for a new one / 请求已过期", code=Code.EXPIRED
        )
    return request


def _source_ids(document: Mapping[str, Any]) -> list[str]:
    subject = document.get("credentialSubject")
    ids: list[str] = []
    if isinstance(subject, Mapping):
        sources = subject.get("recognizedFrom")
        ids += [s for s in (sources if isinstance(sources, list) else [sources]) if isinstance(s, str)]
    related = document.get("relatedResource")
    for r in related if isinstance(related, list) else []:
        if isinstance(r, Mapping) and isinstance(r.get("id"), str) and r["id"] not in ids:
            ids.append(r["id"])
    return ids


def with_sources(wallet: Wallet, local_ids: Sequence[str]) -> list[StoredCredential]:
    """The chosen credentials, each RecognitionCredential followed by its sources (recursively),
    without duplicates. A source that is a rule credential is looked up too, but only a missing
    *recognizedFrom* source is an error (rule credentials are public and the verifier has them)."""
    out: list[StoredCredential] = []
    seen: set[str] = set()

    def add(stored: StoredCredential, depth: int) -> None:
        if stored.local_id in seen:
            return
        if depth > 4:
            raise PresentationError("recognition chain deeper than 4 / 认定链过深", code=Code.CHAIN_TOO_DEEP)
        seen.add(stored.local_id)
        out.append(stored)
        if "RecognitionCredential" not in types_of(stored.document):
            return
        subject = stored.document.get("credentialSubject")
        required = subject.get("recognizedFrom") if isinstance(subject, Mapping) else None
        required = required if isinstance(required, list) else [required]
        for source_id in _source_ids(stored.document):
            found = wallet.find(source_id)
            if found is not None:
                add(found, depth + 1)
            elif source_id in required:
                raise PresentationError(
                    f"the recognition rests on {source_id}, which is not in the wallet; import it first "
                    f"/ 认定所依据的凭证 {source_id} 不在钱包中，请先导入",
                    code=Code.CHAIN_SOURCE_MISSING,
                )

    for local_id in local_ids:
        add(wallet.get(local_id), 0)
    if len(out) > MAX_CREDENTIALS:
        raise PresentationError(
            f"more than {MAX_CREDENTIALS} credentials in one presentation", code=Code.RESOURCE_LIMIT_EXCEEDED
        )
    return out


def build_presentation(
    credentials: Sequence[Mapping[str, Any]],
    *,
    holder: KeyPair,
    domain: str,
    now: datetime,
    loader: DocumentLoader,
    challenge: str | None = None,
    days: int = DEFAULT_DAYS,
    expires: datetime | None = None,
) -> dict[str, Any]:
    """Sign a presentation of ``credentials`` for ``domain``, expiring after ``days`` days (1..30)
    or at ``expires`` if that is sooner. ``challenge`` defaults to 128 fresh random bits."""
    now = require_aware(now)
    _text(domain, "domain")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise PresentationError(
            f"days must be 1..{MAX_DAYS}, not {days!r} / 有效天数须在 1 至 {MAX_DAYS} 之间", code=Code.RANGE_ERROR
        )
    if not credentials:
        raise PresentationError("choose at least one credential / 请至少选择一份凭证", code=Code.RANGE_ERROR)
    if challenge is None:
        challenge = secrets.token_urlsafe(16)
    _text(challenge, "challenge", _CHALLENGE_RE)
    until = now + timedelta(days=days)
    if expires is not None:
        until = min(until, require_aware(expires, name="expires"))
    vp = {
        "@context": [contexts.CREDENTIALS_V2],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiablePresentation"],
        "holder": holder.controller,
        "verifiableCredential": [dict(c) for c in credentials],
    }
    options = ProofOptions(purpose="authentication", challenge=challenge, domain=domain, created=now, expires=until)
    return add_proof(vp, signer=holder, loader=loader, options=options)


def present(
    wallet: Wallet,
    local_ids: Sequence[str],
    *,
    domain: str,
    now: datetime,
    challenge: str | None = None,
    days: int = DEFAULT_DAYS,
    expires: datetime | None = None,
) -> dict[str, Any]:
    """A purpose-scoped presentation of the wallet's credentials (recognitions with their sources)."""
    chosen = with_sources(wallet, local_ids)
    return build_presentation(
        [c.document for c in chosen],
        holder=wallet.holder,
        domain=domain,
        now=now,
        loader=wallet.loader,
        challenge=challenge,
        days=days,
        expires=expires,
    )


def answer(wallet: Wallet, request: PresentationRequest, local_ids: Sequence[str], *, now: datetime) -> dict[str, Any]:
    """The answer to a verifier's request: its challenge and domain, expiring with the request
    (and at most :data:`DEFAULT_DAYS` days from now)."""
    return present(
        wallet, local_ids, domain=request.domain, challenge=request.challenge, now=now, expires=request.expires
    )
