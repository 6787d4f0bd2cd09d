"""DID resolution and dereferencing behind one port.

did:key is resolved locally; did:web only through an injected fetcher (``vccore.did.web``); DID
documents the caller already holds (a trust pack, the issuer's own DID, test fixtures) come from a
static table. No resolver here opens a socket on its own.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from vccore.did import key as didkey
from vccore.errors import Code, ResolutionError

DidWebResolve = Callable[[str], dict[str, Any]]


class DidResolver:
    """Resolves DIDs to documents and DID URLs to verification methods."""

    def __init__(
        self, *, documents: Mapping[str, Mapping[str, Any]] | None = None, did_web: DidWebResolve | None = None
    ) -> None:
        self._static = {k: copy.deepcopy(dict(v)) for k, v in (documents or {}).items()}
        self._did_web = did_web

    def with_documents(self, documents: Mapping[str, Mapping[str, Any]]) -> DidResolver:
        merged = dict(self._static)
        merged.update({k: dict(v) for k, v in documents.items()})
        return DidResolver(documents=merged, did_web=self._did_web)

    def has_document(self, did: str) -> bool:
        """True when ``did`` is resolved from the static table (it overrides the method's own rules)."""
        return did in self._static

    def resolve(self, did: str) -> dict[str, Any]:
        if not isinstance(did, str) or not did.startswith("did:"):
            raise ResolutionError(f"not a DID: {did!r}")
        if did in self._static:
            return copy.deepcopy(self._static[did])
        if did.startswith("did:key:"):
            return didkey.resolve(did)
        if did.startswith("did:web:"):
            if self._did_web is None:
                raise ResolutionError(f"{did}: did:web resolution is not enabled (offline)")
            doc = self._did_web(did)
            if doc.get("id") != did:
                raise ResolutionError(
                    "DID document id does not match the DID", code=Code.INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID
                )
            return doc
        raise ResolutionError(f"unsupported DID method: {did.split(':')[1] if ':' in did else did}")

    def dereference(self, did_url: str) -> dict[str, Any]:
        """The verification method a DID URL names; the document must list it and control it."""
        if not isinstance(did_url, str):
            raise ResolutionError("verification method must be a string", code=Code.INVALID_VERIFICATION_METHOD)
        did, sep, frag = did_url.partition("#")
        if not sep and did.startswith("did:key:"):
            # did:key's only key may be named by the bare DID (as the Bitstring Status List
            # examples do); it is the method whose fragment is the key itself.
            sep, frag = "#", did[len("did:key:") :]
            did_url = f"{did}#{frag}"
        if not sep or not frag:
            raise ResolutionError(
                f"{did_url}: a verification method needs a fragment", code=Code.INVALID_VERIFICATION_METHOD
            )
        doc = self.resolve(did)
        if doc.get("id") != did:
            raise ResolutionError(
                "DID document id does not match the DID", code=Code.INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID
            )
        for vm in find_methods(doc):
            if _absolute(vm.get("id", ""), did) == did_url:
                out = dict(vm)
                out["id"] = did_url
                out["controller"] = vm.get("controller", did)
                return out
        raise ResolutionError(f"{did_url} is not in the DID document", code=Code.INVALID_VERIFICATION_METHOD)


def _absolute(ref: str, did: str) -> str:
    return did + ref if ref.startswith("#") else ref


def find_methods(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every embedded verification method of a controller document (verificationMethod and the
    relationships that embed one)."""
    out: list[dict[str, Any]] = []
    for key in (
        "verificationMethod",
        "assertionMethod",
        "authentication",
        "capabilityInvocation",
        "capabilityDelegation",
        "keyAgreement",
    ):
        items = doc.get(key, [])
        if isinstance(items, dict):
            items = [items]
        if isinstance(items, list):
            out.extend(i for i in items if isinstance(i, dict))
    return out


def listed_under(doc: Mapping[str, Any], relationship: str, vm_id: str) -> bool:
    """Is ``vm_id`` listed (by reference or embedded) under ``relationship`` in ``doc``?"""
    did = str(doc.get("id", ""))
    items = doc.get(relationship, [])
    if isinstance(items, str | dict):
        items = [items]
    if not isinstance(items, list):
        return False
    for item in items:
        ref = item if isinstance(item, str) else item.get("id", "") if isinstance(item, dict) else ""
        if _absolute(str(ref), did) == vm_id:
            return True
    return False
