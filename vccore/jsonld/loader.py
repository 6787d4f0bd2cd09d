"""The document loader: the single I/O port of JSON-LD processing.

Pinned contexts only (served as ``static`` so pyld may cache what it derives from them, deep
copied so nobody can change them), DID documents and verification methods through a
:class:`DidResolver`, and everything else refused with ``CONTEXT_NOT_ALLOWED`` before any I/O
(SECURITY.md, verifier item 3). Never set as pyld's process-wide loader: always passed per call.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import contexts
from vccore.did.resolver import DidResolver
from vccore.errors import Code, ContextNotAllowedError, SkillcredError


class DocumentLoader:
    """A pyld-compatible loader: ``loader(url, options) -> RemoteDocument``."""

    def __init__(
        self,
        *,
        allowed: Iterable[str] | None = None,
        include_test_contexts: bool = False,
        resolver: DidResolver | None = None,
    ) -> None:
        base = contexts.urls(include_test_only=include_test_contexts)
        self.allowed: frozenset[str] = frozenset(allowed) & base if allowed is not None else base
        self.resolver = resolver or DidResolver()

    def with_resolver(self, resolver: DidResolver) -> DocumentLoader:
        out = DocumentLoader.__new__(DocumentLoader)
        out.allowed = self.allowed
        out.resolver = resolver
        return out

    def is_allowed(self, url: str) -> bool:
        return url in self.allowed

    def context(self, url: str) -> Any:
        """The parsed pinned context (shared object: read only)."""
        if url not in self.allowed:
            raise ContextNotAllowedError(f"context {url!r} is not on the allow-list")
        return contexts.load(url)

    def __call__(self, url: str, options: Any = None) -> dict[str, Any]:
        if not isinstance(url, str):
            raise ContextNotAllowedError("a context reference must be a URL string")
        if url in self.allowed:
            return {
                "contextUrl": None,
                "documentUrl": url,
                "document": copy.deepcopy(contexts.load(url)),
                "tag": "static",
            }
        if url.startswith("did:"):
            try:
                doc = self.resolver.dereference(url) if "#" in url else self.resolver.resolve(url)
            except SkillcredError:
                raise
            return {"contextUrl": None, "documentUrl": url, "document": doc}
        raise ContextNotAllowedError(
            f"{url!r} is not a pinned context; nothing is fetched", code=Code.CONTEXT_NOT_ALLOWED
        )
