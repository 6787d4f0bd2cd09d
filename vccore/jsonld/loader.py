"""The document loader: the single I/O port of JSON-LD processing.

Pinned contexts only (served as ``static`` so pyld may cache what it derives from them, deep
copied so nobody can change them), DID documents and verification methods through a
:class:`DidResolver`, and everything else refused with ``CONTEXT_NOT_ALLOWED`` before any I/O
(SECURITY.md, verifier item 3). Never set as pyld's process-wide loader: always passed per call.

Which pinned contexts: the ones skillcred ships (:mod:`contexts`), the W3C examples contexts when the
operator switches them on (``examples``: ``--examples-contexts``), and contexts the operator pins
(:func:`pin_context`: a URL, the document's bytes and their SHA-256, from the command line, a config
file or a trust pack). An operator context is self-contained (no URL inside it), may not replace a
shipped one, and is told apart from another document pinned for the same URL by its digest
(:meth:`DocumentLoader.digest`), so the process-wide context memo never mixes two of them.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import contexts
from vccore import jsonstrict
from vccore.did.resolver import DidResolver
from vccore.errors import Code, ContextNotAllowedError, SkillcredError

#: the W3C examples contexts (VC 2.0 and VC 1.1), shipped pinned and off unless switched on
EXAMPLES: Final = ("https://www.w3.org/ns/credentials/examples/v2", "https://www.w3.org/2018/credentials/examples/v1")
MAX_CONTEXT_BYTES: Final = 256 * 1024
_SHA256: Final = re.compile(r"^[0-9a-f]{64}$")
_URL: Final = re.compile(r"^https?://[^\s/?#]+[^\s]*$")


@dataclass(frozen=True)
class OperatorContext:
    """A context an operator pinned: its URL, the SHA-256 of its bytes and the parsed document."""

    url: str
    sha256: str
    document: Any = field(repr=False, compare=False)


def pin_context(url: str, data: bytes, sha256: str) -> OperatorContext:
    """Pin the context ``url`` to ``data`` whose SHA-256 (hex) must be ``sha256``. Refused
    (``CONTEXT_NOT_ALLOWED``): a URL that is not http(s), one skillcred ships (it cannot be replaced), a
    digest that does not match, a document that is not strict JSON with an ``@context`` object (or list
    of objects), or one that names another context URL (it must be self-contained: nothing is fetched)."""
    if not isinstance(url, str) or not _URL.match(url):
        raise ContextNotAllowedError(f"pinned context: {str(url)[:100]!r} is not an http(s) URL")
    if contexts.pinned(url) is not None:
        raise ContextNotAllowedError(f"pinned context: {url} ships with skillcred and cannot be re-pinned")
    wanted = sha256.strip().lower() if isinstance(sha256, str) else ""
    if not _SHA256.match(wanted):
        raise ContextNotAllowedError(f"pinned context {url}: the SHA-256 must be 64 hex digits")
    if len(data) > MAX_CONTEXT_BYTES:
        raise ContextNotAllowedError(f"pinned context {url}: larger than {MAX_CONTEXT_BYTES} bytes")
    got = hashlib.sha256(data).hexdigest()
    if got != wanted:
        raise ContextNotAllowedError(f"pinned context {url}: SHA-256 {got} is not the pinned {wanted}")
    try:
        document = jsonstrict.loads(data, max_bytes=MAX_CONTEXT_BYTES)
    except SkillcredError as err:
        raise ContextNotAllowedError(f"pinned context {url}: {err.detail}") from err
    inner = document.get("@context") if isinstance(document, Mapping) else None
    items = inner if isinstance(inner, list) else [inner]
    if not items or not all(isinstance(item, Mapping) for item in items):
        raise ContextNotAllowedError(f'pinned context {url}: expected {{"@context": {{...}}}} with term definitions')
    if names_a_context(items):
        raise ContextNotAllowedError(f"pinned context {url}: it names another context; pin a self-contained one")
    return OperatorContext(url, wanted, document)


def pins_from_config(entries: Any, *, read: Callable[[str], bytes], where: str) -> list[OperatorContext]:
    """The operator contexts a config file lists (``"contexts": [{"url", "file", "sha256"}]``), each
    file's bytes from ``read`` (the caller resolves paths). ``MALFORMED_VALUE_ERROR`` for another shape,
    ``CONTEXT_NOT_ALLOWED`` for a context :func:`pin_context` refuses."""
    if not isinstance(entries, list) or len(entries) > 64:
        raise SkillcredError(f"{where}: contexts must be a list of at most 64 entries", code=Code.MALFORMED_VALUE_ERROR)
    out = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not all(isinstance(entry.get(k), str) for k in ("url", "file", "sha256")):
            raise SkillcredError(
                f'{where}: contexts[{i}] must be {{"url", "file", "sha256"}} strings',
                code=Code.MALFORMED_VALUE_ERROR,
            )
        out.append(pin_context(entry["url"], read(entry["file"]), entry["sha256"]))
    return out


def names_a_context(node: Any) -> bool:
    """Whether a context document refers to another context (``@import``, or a string ``@context``)."""
    if isinstance(node, list):
        return any(names_a_context(item) for item in node)
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "@import" or (key == "@context" and (isinstance(value, str) or _strings_in(value))):
                return True
            if names_a_context(value):
                return True
    return False


def _strings_in(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(item, str) for item in value)


class DocumentLoader:
    """A pyld-compatible loader: ``loader(url, options) -> RemoteDocument``."""

    def __init__(
        self,
        *,
        allowed: Iterable[str] | None = None,
        include_test_contexts: bool = False,
        resolver: DidResolver | None = None,
        examples: bool = False,
        pinned: Iterable[OperatorContext] = (),
        inline_contexts: bool = False,
    ) -> None:
        base = contexts.urls(include_test_only=include_test_contexts) | (
            frozenset(EXAMPLES) if examples else frozenset()
        )
        operator = {c.url: c for c in pinned}
        if len(operator) != len(list(pinned)) or any(contexts.pinned(u) for u in operator):
            raise ValueError("pinned: one operator context per URL, none replacing a shipped context")
        self.allowed: frozenset[str] = (frozenset(allowed) & base if allowed is not None else base) | frozenset(
            operator
        )
        self.operator: dict[str, OperatorContext] = operator
        #: inline context objects in a document's top-level ``@context`` (the generic endpoints' switch;
        #: :func:`vccore.jsonld.context_policy.context_urls` holds them to safe mode)
        self.inline_contexts = inline_contexts
        self.resolver = resolver or DidResolver()
        #: pyld's resolved-context cache for a loader with operator contexts (the shared one holds only
        #: what skillcred ships); None: use the shared one
        self.resolved_cache: dict[str, Any] | None = {} if operator else None

    def with_resolver(self, resolver: DidResolver) -> DocumentLoader:
        out = DocumentLoader.__new__(DocumentLoader)
        out.allowed = self.allowed
        out.operator = self.operator
        out.resolved_cache = self.resolved_cache
        out.inline_contexts = self.inline_contexts
        out.resolver = resolver
        return out

    def with_pinned(self, pinned: Iterable[OperatorContext]) -> DocumentLoader:
        """This loader with more operator contexts (a trust pack's); the same URL twice must be the
        same document."""
        added = {c.url: c for c in pinned}
        for url, extra in added.items():
            mine = self.operator.get(url)
            if (mine is not None and mine.sha256 != extra.sha256) or contexts.pinned(url) is not None:
                raise ContextNotAllowedError(f"context {url} is pinned twice with different documents")
        out = self.with_resolver(self.resolver)
        out.operator = {**self.operator, **added}
        out.allowed = self.allowed | frozenset(added)
        out.resolved_cache = {} if out.operator else None
        return out

    def is_allowed(self, url: str) -> bool:
        return url in self.allowed

    def digest(self, url: str) -> str:
        """The SHA-256 of the pinned context ``url`` (what tells two documents for one URL apart)."""
        extra = self.operator.get(url)
        if extra is not None:
            return extra.sha256
        entry = contexts.pinned(url)
        return entry.sha256 if entry is not None else ""

    def context(self, url: str) -> Any:
        """The parsed pinned context (shared object: read only)."""
        if url not in self.allowed:
            raise ContextNotAllowedError(f"context {url!r} is not on the allow-list")
        extra = self.operator.get(url)
        return extra.document if extra is not None else contexts.load(url)

    def __call__(self, url: str, options: Any = None) -> dict[str, Any]:
        if not isinstance(url, str):
            raise ContextNotAllowedError("a context reference must be a URL string")
        if url in self.allowed:
            return {
                "contextUrl": None,
                "documentUrl": url,
                "document": copy.deepcopy(self.context(url)),
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
