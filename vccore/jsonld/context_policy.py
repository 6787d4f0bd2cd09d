"""The verifier's context policy for JSON-LD documents: pinned context URLs only, where contexts may be.

Contract (SECURITY.md verifier items 3 and 4; VC Data Model 2.0 section 4.3 "Contexts"; VC Data
Integrity 1.0 section 2.4 "Context Validation" and 4.1 "Safe mode"): the verifier, not the
document, decides which contexts apply. An ``@context`` value is one URL or a list of URLs, each on
the loader's allow-list; an inline context object, an ``@vocab``, an unknown URL or a non-string
is :class:`ContextNotAllowedError`, a non-null ``@base`` is :class:`DataLossError` (relative IRIs
would change meaning). A context inside a subtree is allowed only where a pinned context has reset
the active context to null (:func:`is_initial`), and is then held to the same rule.

Used before anything is processed by :mod:`vccore.jsonld.canonical`, inside the fast expander
(:mod:`vccore.jsonld._expander`) and by pyld's nested-context hook (:mod:`vccore.jsonld._context_cache`). No pyld
here: the active context is read as the plain dict pyld makes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import contexts
from vccore.errors import ContextNotAllowedError, DataLossError
from vccore.jsonld.loader import DocumentLoader, names_a_context

__all__ = ["check_contexts"]


#: caps on one inline context object (issue 17: the generic endpoints' safe mode)
MAX_INLINE_TERMS = 128
_INLINE_KEYWORDS = frozenset({"@version", "@protected", "@propagate"})


def context_urls(value: Any, loader: DocumentLoader, where: str, *, inline: bool = False) -> tuple[Any, ...]:
    """The allowed contexts of an ``@context`` value (pinned URLs; with ``inline`` and a loader that
    allows them, inline context objects too, see :func:`check_inline`), or an error naming the offender."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, Mapping):
            base = item.get("@base")
            if base is not None:
                raise DataLossError(f"{where}: @base {base!r}: relative IRIs would change meaning", pointer="/@context")
            if inline and loader.inline_contexts and "@vocab" not in item:
                check_inline(item, where)
                continue
            what = "an @vocab" if "@vocab" in item else "an inline context object"
            raise ContextNotAllowedError(
                f"{where}: {what} is not allowed; only pinned context URLs", pointer="/@context"
            )
        if not isinstance(item, str):
            raise ContextNotAllowedError(f"{where}: a context must be a URL string, not {item!r}", pointer="/@context")
        if not loader.is_allowed(item):
            raise ContextNotAllowedError(f"{where}: context {item!r} is not pinned", pointer="/@context")
    return tuple(items)


def check_inline(item: Mapping[str, Any], where: str) -> None:
    """An inline context object as the generic endpoints accept it (safe mode): term definitions only,
    each a plain IRI or ``{"@id": IRI, "@type": ...}`` (no ``@vocab``, ``@base``, ``@import``, nested or
    remote contexts, reverse properties or keyword aliases), at most :data:`MAX_INLINE_TERMS`; what the
    definitions mean is then pyld's: a protected term redefined is ``CONTEXT_NOT_ALLOWED``, an
    undefined term ``DATA_LOSS_DETECTION_ERROR``."""
    body: Any = item.get("@context", item) if set(item) == {"@context"} else item
    if not isinstance(body, Mapping) or names_a_context(body) or len(body) > MAX_INLINE_TERMS:
        raise ContextNotAllowedError(
            f"{where}: an inline context must define terms and nothing else", pointer="/@context"
        )
    for term, definition in body.items():
        if term in _INLINE_KEYWORDS:
            continue
        if not isinstance(term, str) or term.startswith("@") or not term:
            raise ContextNotAllowedError(
                f"{where}: inline context key {str(term)[:60]!r} is not a term", pointer="/@context"
            )
        iri = definition.get("@id") if isinstance(definition, Mapping) else definition
        extra = set(definition) - {"@id", "@type", "@container"} if isinstance(definition, Mapping) else set()
        if not isinstance(iri, str) or iri.startswith("@") or ":" not in iri or extra:
            raise ContextNotAllowedError(
                f"{where}: inline term {term[:60]!r} must map to an absolute IRI", pointer="/@context"
            )


def check_contexts(
    document: Mapping[str, Any], *, loader: DocumentLoader, first: tuple[str, ...] = (contexts.CREDENTIALS_V2,)
) -> tuple[str, ...]:
    """The verifier's context policy for a credential or presentation (VC Data Model 2.0 section
    4.3 "Contexts": the first context is the base context; VC Data Integrity 1.0 section 2.4
    "Context Validation"). Returns the context URLs or raises :class:`ContextNotAllowedError`.
    Pass ``first=(CREDENTIALS_V2, CREDENTIALS_V1)`` to accept VC 1.1 too."""
    if not isinstance(document, Mapping) or "@context" not in document:
        raise ContextNotAllowedError("the document has no @context", pointer="/@context")
    urls = context_urls(document["@context"], loader, "@context", inline=True)
    if not urls or urls[0] not in first:
        raise ContextNotAllowedError(
            f"the first context must be one of {list(first)}, not {urls[0] if urls else None!r}", pointer="/@context/0"
        )
    return urls


def is_initial(ctx: Mapping[str, Any]) -> bool:
    return not ctx["mappings"] and "@vocab" not in ctx and "@base" not in ctx
