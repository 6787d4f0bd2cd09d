"""RDFC-1.0 canonical N-Quads of JSON-LD documents, in safe mode, with pinned contexts only.

With :mod:`vccore.jsonld._context_cache`, the only module besides the loader that imports pyld
(ARCHITECTURE.md, "Canonicalizer"). A document becomes canonical N-Quads in three steps:

1. **Context policy** (SECURITY.md verifier items 3 and 4). The verifier, not the document, decides
   which contexts apply: the top-level ``@context`` is one URL or a list of URLs, each on the
   loader's allow-list; an inline context object, an unknown URL or a context inside a subtree is
   ``CONTEXT_NOT_ALLOWED`` before anything is processed. The one exception is where a pinned
   context itself resets the active context to null (``verifiableCredential`` in a
   ``VerifiablePresentation``): the embedded document then carries its own context list, held to
   the same rule. A non-null ``@base`` is ``DATA_LOSS_DETECTION_ERROR`` (VC Data Integrity 1.0,
   section 4.1 "Safe mode" / 2.4 "Context Validation").
2. **Expansion and deserialization to RDF** (JSON-LD 1.1 Processing Algorithms, section 5.1
   "Expansion Algorithm" and section 8.1 "Deserialize JSON-LD to RDF Algorithm"), with ``base``
   null and ``rdfDirection`` ``i18n-datatype`` (section 8.1.2, step 13). In safe mode a term no
   context defines, a relative IRI in ``@id``, ``@type`` or an ``@id``/``@vocab``-coerced value, a
   blank-node predicate or an unknown keyword would be silently dropped by a plain processor, so
   it is a :class:`DataLossError` naming the term (SECURITY.md verifier item 5).
3. **RDFC-1.0** (W3C RDF Dataset Canonicalization, section 4.4) by :mod:`vccore.canon.rdfc`, which
   escapes literals as RDFC-1.0 requires and refuses poison graphs within a work budget.

Step 2 has two implementations. The fast one below mirrors pyld's expansion for the documents
credentials are made of (pinned contexts, terms, ``@set``/``@graph`` containers, value objects,
type- and property-scoped contexts) and writes the RDF dataset directly; anything else (lists,
``@reverse``, ``@nest``, index and language maps, floating-point numbers, JSON-LD errors) raises
the internal :class:`Unsupported` and the whole document is processed again by pyld itself, with
the same policy and safe-mode checks. Both share pyld's context processing, memoized: each
active context derived from pinned contexts (a context URL list, and each type- or
property-scoped context applied on top of it) is processed once per process, not once per call.
The memo is keyed by pinned context URLs and by the identity of pinned context objects only,
never by document content, and is bounded (least recently used entries are dropped).

This module is the entry point, the reference path (pyld's own expansion and node map, with the
same policy and safe-mode checks) and the mapping of pyld's errors. The parts live in their own
modules and are re-exported here: :mod:`vccore.jsonld.context_policy` (step 1),
:mod:`vccore.jsonld._context_cache` (the memo), :mod:`vccore.jsonld._expander` and :mod:`vccore.jsonld._dataset_writer`
(the fast path of step 2).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pyld import jsonld
from pyld.identifier_issuer import IdentifierIssuer

from vccore.canon import rdfc as _rdfc
from vccore.errors import Code, ContextNotAllowedError, DataLossError, ResourceLimitError, SkillcredError
from vccore.jsonld._context_cache import KEYWORDS, CacheInfo, Processor, clear_memo, memo_info
from vccore.jsonld._dataset_writer import (
    Dataset,
    Writer,
)
from vccore.jsonld._expander import ABSOLUTE, Expander, Unsupported
from vccore.jsonld.context_policy import context_urls
from vccore.jsonld.loader import DocumentLoader

__all__ = ["cache_info", "clear_cache", "expand", "rdfc", "to_dataset"]

#: Bound of the processed-context memo (:mod:`vccore.jsonld._context_cache`), read on every call.
_MAX_MEMO = 512


def cache_info() -> CacheInfo:
    """Counters of the process-wide processed-context memo, bounded by ``_MAX_MEMO``."""
    return memo_info(_MAX_MEMO)


def clear_cache() -> None:
    """Empty the processed-context memo (and pyld's resolved-context cache) and reset its counters."""
    clear_memo()


# ---------------------------------------------------------------------------------------------
# Reference path: pyld itself, with the same policy and safe-mode checks
# ---------------------------------------------------------------------------------------------


class _Reference(Processor):
    """pyld's expansion, reporting dropped terms by name (pyld passes only the expanded IRI)."""

    def __init__(self, loader: DocumentLoader, safe: bool, *, max_memo: int) -> None:
        super().__init__(loader, on_property_dropped=self._dropped, max_memo=max_memo)
        self.safe = safe
        self.last_key: Any = None

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        self.last_key = value
        return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)

    def _dropped(self, expanded: Any) -> None:
        if self.safe:
            raise DataLossError(f"{self.last_key!r} is not defined by any context")

    def dataset(self, expanded: Any) -> Dataset:
        issuer = IdentifierIssuer("_:b")
        node_map: dict[str, Any] = {"@default": {}}
        self._create_node_map(expanded, node_map, "@default", issuer)
        return {
            name: self._graph_to_rdf(graph, issuer, self.options)
            for name, graph in sorted(node_map.items())
            if name == "@default" or ABSOLUTE(name)
        }


def _scan(value: Any) -> None:
    """Safe mode on pyld's expanded output: relative IRIs and keywords RDF would drop."""
    if isinstance(value, list):
        for item in value:
            _scan(item)
        return
    if not isinstance(value, dict) or "@value" in value:
        return
    for key, item in value.items():
        if key in ("@id", "@type"):
            for iri in item if isinstance(item, list) else [item]:
                if isinstance(iri, str) and not ABSOLUTE(iri):
                    raise DataLossError(f"{key}: {iri!r} is a relative IRI reference")
        elif key in ("@graph", "@list", "@set", "@included"):
            _scan(item)
        elif key == "@reverse":
            _scan(list(item.values()))
        elif key in KEYWORDS and key != "@index":
            raise DataLossError(f"keyword {key} has no place in a node object")
        elif key.startswith("_:"):
            raise DataLossError(f"{key!r}: a blank node cannot be a predicate")
        else:
            directions: dict[tuple[Any, ...], Any] = {}
            for entry in item:
                if isinstance(entry, dict) and isinstance(entry.get("@value"), str):
                    seen = (entry["@value"], entry.get("@type"), entry.get("@language"))
                    if directions.setdefault(seen, entry.get("@direction")) != entry.get("@direction"):
                        raise DataLossError(f"{key}: values {entry['@value']!r} differ only in @direction")
            _scan(item)


def _jsonld_code(err: BaseException) -> str | None:
    seen: BaseException | None = err
    while seen is not None:
        code = getattr(seen, "code", None)
        if isinstance(seen, jsonld.JsonLdError) and code:
            return str(code)
        seen = seen.__cause__
    return None


def _unwrap(err: BaseException) -> SkillcredError | None:
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, SkillcredError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def new_processor(loader: DocumentLoader) -> Processor:
    """A JSON-LD processor over ``loader``, sharing the process-wide processed-context memo."""
    return Processor(loader, max_memo=_MAX_MEMO)


@contextmanager
def jsonld_errors() -> Iterator[None]:
    """Translate pyld's failures into skillcred's codes (the one place that knows pyld's errors)."""
    try:
        yield
    except jsonld.JsonLdError as err:
        inner = _unwrap(err)
        if inner is not None:
            raise inner from err
        if _jsonld_code(err) == "protected term redefinition":  # SECURITY.md verifier item 4
            raise ContextNotAllowedError("the contexts redefine a protected term") from err
        raise SkillcredError(f"JSON-LD: {err.args[0] if err.args else err}", code=Code.MALFORMED_VALUE_ERROR) from err
    except RecursionError as err:
        raise ResourceLimitError("the document is nested too deeply") from err


def _run(
    document: Mapping[str, Any], loader: DocumentLoader, safe: bool
) -> tuple[list[dict[str, Any]], Dataset | None]:
    if not isinstance(document, Mapping):
        raise TypeError("document: a JSON-LD document is a JSON object")
    if not isinstance(loader, DocumentLoader):
        raise TypeError("loader: a vccore.jsonld.loader.DocumentLoader is required (never pyld's default)")
    if "@context" in document:  # the policy, before anything is processed
        context_urls(document["@context"], loader, "@context", inline=True)
    with jsonld_errors():
        try:
            proc = new_processor(loader)
            initial = proc._get_initial_context(proc.options)
            node = Expander(proc, safe).node(initial, None, dict(document))
            expanded = [] if node is None else [node]
            writer = Writer(safe)
            for item in expanded:
                writer.node(item, writer.dataset["@default"])
            return expanded, writer.dataset
        except Unsupported:
            ref = _Reference(loader, safe, max_memo=_MAX_MEMO)
            try:
                expanded = ref.expand(dict(document), ref.options)
                if safe:
                    _scan(expanded)
                return expanded, ref.dataset(expanded)
            except (TypeError, KeyError, AttributeError, ValueError) as err:  # pyld's own failures
                raise SkillcredError(
                    f"JSON-LD: the document cannot be processed ({err!r})", code=Code.MALFORMED_VALUE_ERROR
                ) from err


def expand(document: Mapping[str, Any], *, loader: DocumentLoader, safe: bool = True) -> list[dict[str, Any]]:
    """The expanded form (JSON-LD 1.1 API section 5.1) under the context policy and safe mode."""
    return _run(document, loader, safe)[0]


def to_dataset(document: Mapping[str, Any], *, loader: DocumentLoader, safe: bool = True) -> Dataset:
    """The RDF dataset (pyld's shape: graph name -> quads) of a document (JSON-LD 1.1 API 8.1)."""
    dataset = _run(document, loader, safe)[1]
    assert dataset is not None
    return dataset


def rdfc(document: Mapping[str, Any], *, loader: DocumentLoader, safe: bool = True) -> str:
    """RDFC-1.0 canonical N-Quads (RDF Dataset Canonicalization section 4.4) of a JSON-LD document.

    Raises :class:`ContextNotAllowedError` for a context that is not pinned or not where contexts
    may be, :class:`DataLossError` (safe mode) for anything a signature would not cover,
    :class:`ResourceLimitError` for a poison graph, and :class:`SkillcredError` with
    ``MALFORMED_VALUE_ERROR`` for JSON-LD that cannot be expanded.
    """
    return _rdfc.canonicalize(to_dataset(document, loader=loader, safe=safe))
