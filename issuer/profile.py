"""The issuer profile: who signs (a DID), under what names (zh/en), and where it publishes.

Two DID methods:

* ``did:web`` for an organisation with a domain, optionally with a path (DID Web Method, section
  3.2: ``did:web:example.com:issuers:eval`` is served at
  ``https://example.com/issuers/eval/did.json``; without a path at
  ``https://example.com/.well-known/did.json``; a port is written ``%3A``). Its DID document lists
  the active and retired keys (Controlled Identifiers 1.0, Multikey) and can rotate.
* ``did:key`` for local use and tests: the DID is the key, so the document is derived and the key
  can never rotate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from issuer.store.records import KeyRecord
from vccore.did import key as didkey

DID_CONTEXTS = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1")
_DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$")
_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")
_BASE_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")


def _language_values(zh: str, en: str) -> list[dict[str, str]]:
    return [{"@value": v, "@language": lang} for v, lang in ((zh, "zh"), (en, "en")) if v]


@dataclass(frozen=True)
class IssuerProfile:
    """``did`` (did:web or did:key), ``base_url`` (where status lists and credentials are served,
    without a trailing slash) and the issuer's names."""

    did: str
    base_url: str
    name_zh: str = ""
    name_en: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.did, str) or not self.did.startswith(("did:web:", didkey.PREFIX)):
            raise ValueError(f"did: expected a did:web or did:key DID, got {self.did!r}")
        if self.did.startswith(didkey.PREFIX):
            didkey.resolve(self.did)
        url = self.base_url
        if not isinstance(url, str) or not _BASE_URL.match(url) or url.endswith("/"):
            raise ValueError(f"base_url: expected an http(s) URL without a trailing slash, got {url!r}")

    @classmethod
    def for_did_web(
        cls, domain: str, *, path: Sequence[str] = (), base_url: str | None = None, name_zh: str = "", name_en: str = ""
    ) -> IssuerProfile:
        """A did:web profile for ``domain`` (lower case, optional ``:port``) and path segments."""
        if not isinstance(domain, str) or not _DOMAIN.match(domain):
            raise ValueError(f"domain: {domain!r} is not a lower-case host name (with optional :port)")
        for segment in path:
            if not isinstance(segment, str) or not _SEGMENT.match(segment):
                raise ValueError(f"path: segment {segment!r} is not a plain URL path segment")
        did = "did:web:" + quote(domain, safe="") + "".join(":" + s for s in path)
        url = base_url if base_url is not None else "https://" + "/".join([domain, *path])
        return cls(did, url, name_zh, name_en)

    @classmethod
    def for_did_key(
        cls, public_multibase: str, *, base_url: str, name_zh: str = "", name_en: str = ""
    ) -> IssuerProfile:
        """A did:key profile for an Ed25519 ``publicKeyMultibase``."""
        return cls(didkey.did_for(public_multibase), base_url, name_zh, name_en)

    @property
    def is_did_key(self) -> bool:
        return self.did.startswith(didkey.PREFIX)

    @property
    def did_document_url(self) -> str | None:
        """Where a did:web document is served (None for did:key)."""
        if self.is_did_key:
            return None
        host, *path = self.did.removeprefix("did:web:").split(":")
        host = host.replace("%3A", ":").replace("%3a", ":")
        return f"https://{host}/{'/'.join(path)}/did.json" if path else f"https://{host}/.well-known/did.json"

    def issuer_value(self, given: Any = None) -> str | dict[str, Any]:
        """The credential's ``issuer``: the DID, with the names given in an ``issuer`` object kept,
        else the profile's names, else the bare DID."""
        if isinstance(given, Mapping):
            return {**dict(given), "id": self.did}
        names = _language_values(self.name_zh, self.name_en)
        return {"id": self.did, "name": names} if names else self.did

    def did_document(self, keys: Sequence[KeyRecord]) -> dict[str, Any]:
        """The DID document (``did.json``): every active or retired key as a Multikey under
        ``verificationMethod`` and ``assertionMethod``; only the active key under ``authentication``;
        compromised keys are left out. For did:key the derived document."""
        if self.is_did_key:
            return didkey.resolve(self.did)
        published = [k for k in keys if k.state in ("active", "retired") and k.controller == self.did]
        return {
            "@context": list(DID_CONTEXTS),
            "id": self.did,
            "controller": self.did,
            "verificationMethod": [
                {"id": k.id, "type": "Multikey", "controller": self.did, "publicKeyMultibase": k.public_multibase}
                for k in published
            ],
            "assertionMethod": [k.id for k in published],
            "authentication": [k.id for k in published if k.state == "active"],
        }
