"""Trust lists: who may issue what, where and when (ARCHITECTURE.md, "TrustList").

A trust list names issuer DIDs with their zh/en names, roles, jurisdictions, the credential kinds
they may issue and their key history (which verification method was valid from when until when).
It is published as a ``TrustListCredential`` whose ``credentialSubject.trustList`` is the list as an
``@json`` literal (docs/credentials.md), signed by a root DID the verifier is configured with.

Jurisdictions are hierarchical by prefix: an issuer trusted for ``CN`` is trusted for ``CN-SX``,
one trusted for ``CN-SX`` is not trusted for ``CN`` or ``CN-BJ``. A key is trusted at an instant when
``valid_from <= at < valid_until`` (``valid_until`` None: still in use).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

import contexts
from vccore.credentials import issuer_id, types_of, verify_issued_and_read
from vccore.di.purposes import AssertionPurpose
from vccore.errors import Code, SkillcredError
from vccore.jsonld.loader import DocumentLoader
from vccore.result import Check, CheckName, VerificationResult
from vccore.timeutil import DEFAULT_SKEW, format_datetime, parse_datetime, require_aware

ROLES: Final = frozenset(
    {
        "skill-evaluation-organization",
        "qualification-authority",
        "title-board",
        "degree-institution",
        "technical-school",
        "recognition-authority",
    }
)
CREDENTIAL_TYPE: Final = "TrustListCredential"
SUBJECT_TYPE: Final = "TrustList"
CONTEXTS: Final = (contexts.CREDENTIALS_V2, contexts.SKILLCRED_V1)
FORMAT_VERSION: Final = 1
MAX_ISSUERS: Final = 10_000


def _bad(detail: str, pointer: str = "") -> SkillcredError:
    return SkillcredError(detail, code=Code.MALFORMED_VALUE_ERROR, pointer=pointer)


def _strings(value: Any, field: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _bad(f"{field}: expected a list of non-empty strings")
    if not value and not allow_empty:
        raise _bad(f"{field}: must not be empty")
    return tuple(value)


def jurisdiction_covers(granted: str, wanted: str) -> bool:
    """``CN`` covers ``CN`` and ``CN-SX``; ``CN-SX`` covers only ``CN-SX`` and its subdivisions."""
    return wanted == granted or wanted.startswith(granted + "-")


@dataclass(frozen=True)
class KeyPeriod:
    """One verification method of an issuer and when it was (or is) valid."""

    id: str
    valid_from: datetime
    valid_until: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.startswith("did:") or "#" not in self.id:
            raise ValueError(f"id: expected a DID URL with a fragment, got {self.id!r}")
        require_aware(self.valid_from, name="valid_from")
        if self.valid_until is not None and require_aware(self.valid_until, name="valid_until") <= self.valid_from:
            raise ValueError(f"valid_until: {self.valid_until} is not after valid_from {self.valid_from}")

    def covers(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.valid_until is None or at < self.valid_until)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "validFrom": format_datetime(self.valid_from),
            "validUntil": None if self.valid_until is None else format_datetime(self.valid_until),
        }


@dataclass(frozen=True)
class TrustedIssuer:
    did: str
    name_zh: str
    name_en: str
    roles: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    credential_types: tuple[str, ...]
    keys: tuple[KeyPeriod, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.did, str) or not self.did.startswith("did:") or "#" in self.did:
            raise ValueError(f"did: expected a DID, got {self.did!r}")
        unknown = set(self.roles) - ROLES
        if unknown:
            raise ValueError(f"roles: unknown {sorted(unknown)}; expected some of {sorted(ROLES)}")
        if not self.keys:
            raise ValueError(f"keys: {self.did} needs at least one key period")
        for key in self.keys:
            if key.id.split("#", 1)[0] != self.did:
                raise ValueError(f"keys: {key.id} is not a method of {self.did}")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.did,
            "name": {"zh": self.name_zh, "en": self.name_en},
            "roles": list(self.roles),
            "jurisdictions": list(self.jurisdictions),
            "credentialTypes": list(self.credential_types),
            "keys": [k.to_json() for k in self.keys],
        }

    @classmethod
    def from_json(cls, value: Any, pointer: str = "") -> TrustedIssuer:
        if not isinstance(value, Mapping):
            raise _bad("an issuer entry must be an object", pointer)
        name = value.get("name")
        if not isinstance(name, Mapping) or not all(isinstance(name.get(k), str) for k in ("zh", "en")):
            raise _bad("name: expected {zh, en} strings", f"{pointer}/name")
        keys_raw = value.get("keys")
        if not isinstance(keys_raw, list):
            raise _bad("keys: expected a list", f"{pointer}/keys")
        try:
            keys = []
            for k in keys_raw:
                if not isinstance(k, Mapping):
                    raise _bad("a key period must be an object", f"{pointer}/keys")
                until = k.get("validUntil")
                keys.append(
                    KeyPeriod(
                        str(k.get("id")),
                        parse_datetime(k.get("validFrom"), field="validFrom"),
                        None if until is None else parse_datetime(until, field="validUntil"),
                    )
                )
            return cls(
                str(value.get("id")),
                str(name["zh"]),
                str(name["en"]),
                _strings(value.get("roles"), "roles"),
                _strings(value.get("jurisdictions"), "jurisdictions"),
                _strings(value.get("credentialTypes"), "credentialTypes"),
                tuple(keys),
            )
        except ValueError as err:
            raise _bad(str(err), pointer) from err


@dataclass(frozen=True)
class TrustList:
    """An immutable list of trusted issuers; ``issued`` is when the root published it."""

    issuers: tuple[TrustedIssuer, ...]
    issued: datetime
    id: str = ""

    def __post_init__(self) -> None:
        require_aware(self.issued, name="issued")
        dids = [i.did for i in self.issuers]
        if len(dids) != len(set(dids)):
            raise ValueError("issuers: an issuer DID is listed twice")

    def issuer(self, did: str) -> TrustedIssuer | None:
        for entry in self.issuers:
            if entry.did == did:
                return entry
        return None

    def names(self, did: str) -> dict[str, str] | None:
        """The names the trust list (not the credential) gives an issuer: ``{"zh": ..., "en": ...}``."""
        entry = self.issuer(did)
        return None if entry is None else {"zh": entry.name_zh, "en": entry.name_en}

    def is_trusted(
        self,
        issuer_did: str,
        *,
        credential_type: str,
        jurisdiction: str | None = None,
        key_id: str,
        at: datetime,
    ) -> tuple[bool, str]:
        """May ``issuer_did`` issue ``credential_type`` (in ``jurisdiction``) signed with ``key_id``
        at ``at``? Returns the answer and the reason, in English."""
        at = require_aware(at, name="at")
        entry = self.issuer(issuer_did)
        if entry is None:
            return False, f"{issuer_did} is not on the trust list"
        if credential_type not in entry.credential_types:
            return False, f"{issuer_did} is not trusted to issue {credential_type}"
        if jurisdiction is not None and not any(jurisdiction_covers(j, jurisdiction) for j in entry.jurisdictions):
            return False, f"{issuer_did} is not trusted in jurisdiction {jurisdiction}"
        periods = [k for k in entry.keys if k.id == key_id]
        if not periods:
            return False, f"{key_id} is not a listed key of {issuer_did}"
        if not any(k.covers(at) for k in periods):
            return False, f"{key_id} was not valid at {format_datetime(at)}"
        return True, f"{entry.name_en} may issue {credential_type}"

    def merged(self, other: TrustList) -> TrustList:
        """Both lists' issuers (an issuer in both: ``other``'s entry wins); the older issue date."""
        by_did = {i.did: i for i in self.issuers}
        by_did.update({i.did: i for i in other.issuers})
        return TrustList(tuple(by_did.values()), min(self.issued, other.issued), self.id or other.id)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "version": FORMAT_VERSION,
            "issued": format_datetime(self.issued),
            "issuers": [i.to_json() for i in self.issuers],
        }
        if self.id:
            out["id"] = self.id
        return out

    @classmethod
    def from_json(cls, value: Any) -> TrustList:
        """Parse the JSON form; raises :class:`SkillcredError` (MALFORMED_VALUE_ERROR) on any defect."""
        if not isinstance(value, Mapping):
            raise _bad("a trust list must be a JSON object")
        if value.get("version") != FORMAT_VERSION:
            raise _bad(f"version: expected {FORMAT_VERSION}", "/version")
        raw = value.get("issuers")
        if not isinstance(raw, list) or len(raw) > MAX_ISSUERS:
            raise _bad(f"issuers: expected a list of at most {MAX_ISSUERS}", "/issuers")
        issuers = tuple(TrustedIssuer.from_json(v, f"/issuers/{i}") for i, v in enumerate(raw))
        ident = value.get("id", "")
        try:
            return cls(
                issuers,
                parse_datetime(value.get("issued"), field="issued"),
                ident if isinstance(ident, str) else "",
            )
        except ValueError as err:
            raise _bad(str(err)) from err


def trust_list_credential(
    trust_list: TrustList,
    *,
    root_did: str,
    id: str,
    now: datetime,
    valid_for: timedelta = timedelta(days=30),
    extra_contexts: Iterable[str] = (),
) -> dict[str, Any]:
    """The unsigned ``TrustListCredential`` publishing ``trust_list`` (sign it with the root key)."""
    start = require_aware(now).replace(microsecond=0)
    return {
        "@context": [*CONTEXTS, *extra_contexts],
        "id": id,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": root_did,
        "validFrom": format_datetime(start),
        "validUntil": format_datetime(start + valid_for),
        "credentialSubject": {"type": SUBJECT_TYPE, "trustList": trust_list.to_json()},
    }


def verify_trust_list_credential(
    document: Any, *, root_did: str, loader: DocumentLoader, now: datetime, skew: timedelta = DEFAULT_SKEW
) -> tuple[TrustList | None, VerificationResult]:
    """Verify a trust list credential signed by ``root_did`` and parse its list. Never raises for input:
    the list is ``None`` unless every check passed."""
    now = require_aware(now)
    name = CheckName.TRUST_LIST
    checked, reading = verify_issued_and_read(
        document, loader=loader, now=now, skew=skew, purpose=AssertionPurpose(controller=root_did)
    )
    result = VerificationResult(checked.checks, "trust list")
    if reading is None:
        return None, result
    if CREDENTIAL_TYPE not in types_of(reading) or issuer_id(reading) != root_did:
        return None, result.with_check(
            Check.fail(name, Code.UNTRUSTED_ISSUER, f"not a {CREDENTIAL_TYPE} issued by the root {root_did}")
        )
    if not result.verified:
        return None, result
    try:
        subj = reading.get("credentialSubject")
        if not isinstance(subj, Mapping) or subj.get("type") != SUBJECT_TYPE:
            raise _bad(f"credentialSubject must be a {SUBJECT_TYPE}", "/credentialSubject")
        trust_list = TrustList.from_json(subj.get("trustList"))
    except SkillcredError as err:
        return None, result.with_check(Check.fail(name, err.code, err.detail, pointer=err.pointer))
    info = {"issued": format_datetime(trust_list.issued), "issuers": len(trust_list.issuers)}
    result = result.with_check(Check.ok(name, info=info))
    return (trust_list if result.verified else None), result
