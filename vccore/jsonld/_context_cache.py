"""pyld's context processing, memoized per process, with the nested-context policy.

Contract: :class:`Processor` is pyld's ``JsonLdProcessor`` whose context processing (JSON-LD 1.1
API section 4.1 "Context Processing Algorithm") is memoized: each active context derived from
pinned contexts (a context URL list, and each type- or property-scoped context applied on top of
it) is processed once per process, not once per call. The memo is keyed by pinned context URLs and
by the identity of pinned context objects only, never by document content, and is bounded: the
caller passes ``max_memo`` (:mod:`vccore.jsonld.canonical` passes its ``_MAX_MEMO``) and the least
recently used entries are dropped beyond it. Contexts pyld processes while validating scoped
contexts (``cycles`` given) are not memoized. pyld's resolved-context cache is shared the same
way, holding pinned URLs and pinned objects only.

A context inside the document reaches :meth:`Processor._prepare_nested_context`, which applies
the policy of :mod:`vccore.jsonld.context_policy` (SECURITY.md verifier items 3 and 4).

Imports pyld (``tests/test_architecture.py``, ``LIBRARY_HOMES``); :data:`KEYWORDS` gives pyld's
keyword set to the fast expander (:mod:`vccore.jsonld._expander`) as a plain ``frozenset``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pyld import jsonld
from pyld.context_resolver import ContextResolver

from vccore.errors import ContextNotAllowedError
from vccore.jsonld.context_policy import context_urls, is_initial
from vccore.jsonld.loader import DocumentLoader

__all__ = ["KEYWORDS", "CacheInfo"]

#: pyld's JSON-LD keywords.
KEYWORDS: frozenset[str] = frozenset(jsonld.KEYWORDS)
#: pyld options of every run: null base, JSON-LD 1.1, ``rdfDirection`` i18n-datatype.
_OPTIONS = {
    "base": None,
    "processingMode": "json-ld-1.1",
    "rdfDirection": "i18n-datatype",
    "produceGeneralizedRdf": False,
    "isFrame": False,
    "keepFreeFloatingNodes": False,
    "extractAllScripts": False,
}


@dataclass(frozen=True)
class CacheInfo:
    """Counters of the processed-context memo (process-wide)."""

    hits: int
    misses: int
    size: int
    max_size: int


_LOCK = threading.RLock()
_MEMO: OrderedDict[tuple[Any, ...], tuple[Any, Any, Any]] = OrderedDict()
_STATS = {"hits": 0, "misses": 0}
_RESOLVED: dict[str, Any] = {}  # pyld's resolved-context cache, pinned URLs and pinned objects only


def memo_info(max_size: int) -> CacheInfo:
    """The memo's counters, reported against the bound ``max_size`` the caller applies."""
    with _LOCK:
        return CacheInfo(_STATS["hits"], _STATS["misses"], len(_MEMO), max_size)


def clear_memo() -> None:
    """Empty the memo and pyld's resolved-context cache, and reset the counters."""
    with _LOCK:
        _MEMO.clear()
        _RESOLVED.clear()
        _STATS["hits"] = _STATS["misses"] = 0


def _local_key(local: Any, loader: DocumentLoader) -> tuple[Any, ...] | None:
    if local is None or local is False:
        return ("null",)
    if isinstance(local, str):
        return ("url", local, loader.digest(local))  # an operator's context is told apart by its digest
    if isinstance(local, Mapping):
        return ("obj", id(local))  # a pinned context object: the memo entry keeps it alive
    if isinstance(local, list):
        keys = [_local_key(item, loader) for item in local]
        return None if any(k is None for k in keys) else ("list", *keys)
    return None


class Processor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor with memoized context processing and the nested-context policy."""

    def __init__(
        self, loader: DocumentLoader, on_property_dropped: Callable[[Any], Any] = jsonld.noop, *, max_memo: int
    ) -> None:
        super().__init__(on_property_dropped=on_property_dropped)
        self.loader = loader
        self.max_memo = max_memo
        self.options: dict[str, Any] = {
            **_OPTIONS,
            "documentLoader": loader,
            "contextResolver": ContextResolver(
                _RESOLVED if loader.resolved_cache is None else loader.resolved_cache, loader
            ),
        }

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        local = _local_key(local_ctx, self.loader)
        if cycles is not None or local is None:  # pyld validating scoped contexts: not memoized
            return super()._process_context(
                active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
            )
        key = (id(active_ctx), local, override_protected, propagate)
        with _LOCK:
            entry = _MEMO.get(key)
            if entry is not None and entry[0] is active_ctx:
                _MEMO.move_to_end(key)
                _STATS["hits"] += 1
                return entry[2]
            _STATS["misses"] += 1
            result = super()._process_context(
                active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
            )
            _MEMO[key] = (active_ctx, local_ctx, result)
            while len(_MEMO) > self.max_memo:
                _MEMO.popitem(last=False)
            return result

    def _prepare_nested_context(self, active_ctx: Any, element: Any, options: Any) -> Any:
        if "@context" in element:
            if not is_initial(active_ctx):
                raise ContextNotAllowedError("a context inside the document is not allowed")
            context_urls(element["@context"], self.loader, "embedded @context", inline=True)
        return super()._prepare_nested_context(active_ctx, element, options)

    def scoped(self, ctx: Any, local: Any, *, override_protected: bool = False, propagate: bool = True) -> Any:
        return self._process_context(ctx, local, self.options, override_protected, propagate)
