"""RDFC-1.0 canonical N-Quads of JSON-LD documents, in safe mode, with pinned contexts only.

The only module besides the loader that imports pyld (ARCHITECTURE.md, "Canonicalizer"). A
document becomes canonical N-Quads in three steps:

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
3. **RDFC-1.0** (W3C RDF Dataset Canonicalization, section 4.4) by :mod:`vccore.rdfc`, which
   escapes literals as RDFC-1.0 requires and refuses poison graphs within a work budget.

Step 2 has two implementations. The fast one below mirrors pyld's expansion for the documents
credentials are made of (pinned contexts, terms, ``@set``/``@graph`` containers, value objects,
type- and property-scoped contexts) and writes the RDF dataset directly; anything else (lists,
``@reverse``, ``@nest``, index and language maps, floating-point numbers, JSON-LD errors) raises
the internal :class:`_Unsupported` and the whole document is processed again by pyld itself, with
the same policy and safe-mode checks. Both share pyld's context processing, memoized: each
active context derived from pinned contexts (a context URL list, and each type- or
property-scoped context applied on top of it) is processed once per process, not once per call.
The memo is keyed by pinned context URLs and by the identity of pinned context objects only,
never by document content, and is bounded (least recently used entries are dropped).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pyld import jsonld
from pyld.context_resolver import ContextResolver
from pyld.identifier_issuer import IdentifierIssuer

import contexts
from vccore import rdfc as _rdfc
from vccore.errors import Code, ContextNotAllowedError, DataLossError, ResourceLimitError, SkillcredError
from vccore.jcs import jcs
from vccore.loader import DocumentLoader

__all__ = ["CacheInfo", "cache_info", "check_contexts", "clear_cache", "expand", "rdfc", "to_dataset"]

Dataset = dict[str, list[dict[str, Any]]]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
I18N = "https://www.w3.org/ns/i18n#"

#: pyld's own test for an absolute IRI; what fails it is dropped by its RDF deserialization.
_ABSOLUTE = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$").match
_KEYWORD_LIKE = re.compile(r"^@[a-zA-Z]+$").match
_KEYWORDS = frozenset(jsonld.KEYWORDS)
#: keywords a node or value object may carry in the fast path
_NODE_KEYWORDS = frozenset({"@id", "@type", "@value", "@language", "@direction"})
_FAST_CONTAINERS = frozenset({"@set", "@graph"})
_MAX_MEMO = 512
_OPTIONS = {"base": None, "processingMode": "json-ld-1.1", "rdfDirection": "i18n-datatype",
            "produceGeneralizedRdf": False, "isFrame": False, "keepFreeFloatingNodes": False,
            "extractAllScripts": False}


class _Unsupported(Exception):
    """The fast path does not handle this document: pyld processes it instead."""


# ---------------------------------------------------------------------------------------------
# Context policy (SECURITY.md verifier items 3-5)
# ---------------------------------------------------------------------------------------------

def _context_urls(value: Any, loader: DocumentLoader, where: str) -> tuple[str, ...]:
    """The allowed context URLs of an ``@context`` value, or an error naming the offender."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, Mapping):
            base = item.get("@base")
            if base is not None:
                raise DataLossError(f"{where}: @base {base!r}: relative IRIs would change meaning",
                                    pointer="/@context")
            what = "an @vocab" if "@vocab" in item else "an inline context object"
            raise ContextNotAllowedError(f"{where}: {what} is not allowed; only pinned context URLs",
                                         pointer="/@context")
        if not isinstance(item, str):
            raise ContextNotAllowedError(f"{where}: a context must be a URL string, not {item!r}",
                                         pointer="/@context")
        if not loader.is_allowed(item):
            raise ContextNotAllowedError(f"{where}: context {item!r} is not pinned", pointer="/@context")
    return tuple(items)


def check_contexts(document: Mapping[str, Any], *, loader: DocumentLoader,
                   first: tuple[str, ...] = (contexts.CREDENTIALS_V2,)) -> tuple[str, ...]:
    """The verifier's context policy for a credential or presentation (VC Data Model 2.0 section
    4.3 "Contexts": the first context is the base context; VC Data Integrity 1.0 section 2.4
    "Context Validation"). Returns the context URLs or raises :class:`ContextNotAllowedError`.
    Pass ``first=(CREDENTIALS_V2, CREDENTIALS_V1)`` to accept VC 1.1 too."""
    if not isinstance(document, Mapping) or "@context" not in document:
        raise ContextNotAllowedError("the document has no @context", pointer="/@context")
    urls = _context_urls(document["@context"], loader, "@context")
    if not urls or urls[0] not in first:
        raise ContextNotAllowedError(
            f"the first context must be one of {list(first)}, not {urls[0] if urls else None!r}",
            pointer="/@context/0")
    return urls


def _is_initial(ctx: Mapping[str, Any]) -> bool:
    return not ctx["mappings"] and "@vocab" not in ctx and "@base" not in ctx


# ---------------------------------------------------------------------------------------------
# Memoized context processing
# ---------------------------------------------------------------------------------------------

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


def cache_info() -> CacheInfo:
    with _LOCK:
        return CacheInfo(_STATS["hits"], _STATS["misses"], len(_MEMO), _MAX_MEMO)


def clear_cache() -> None:
    with _LOCK:
        _MEMO.clear()
        _RESOLVED.clear()
        _STATS["hits"] = _STATS["misses"] = 0


def _local_key(local: Any) -> tuple[Any, ...] | None:
    if local is None or local is False:
        return ("null",)
    if isinstance(local, str):
        return ("url", local)
    if isinstance(local, Mapping):
        return ("obj", id(local))  # a pinned context object: the memo entry keeps it alive
    if isinstance(local, list):
        keys = [_local_key(item) for item in local]
        return None if any(k is None for k in keys) else ("list", *keys)
    return None


class _Processor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor with memoized context processing and the nested-context policy."""

    def __init__(self, loader: DocumentLoader, on_property_dropped: Callable[[Any], Any] = jsonld.noop
                 ) -> None:
        super().__init__(on_property_dropped=on_property_dropped)
        self.loader = loader
        self.options: dict[str, Any] = {**_OPTIONS, "documentLoader": loader,
                                        "contextResolver": ContextResolver(_RESOLVED, loader)}

    def _process_context(self, active_ctx: Any, local_ctx: Any, options: Any,
                         override_protected: bool = False, propagate: bool = True,
                         validate_scoped: bool = True, cycles: Any = None) -> Any:
        local = _local_key(local_ctx)
        if cycles is not None or local is None:  # pyld validating scoped contexts: not memoized
            return super()._process_context(active_ctx, local_ctx, options, override_protected,
                                            propagate, validate_scoped, cycles)
        key = (id(active_ctx), local, override_protected, propagate)
        with _LOCK:
            entry = _MEMO.get(key)
            if entry is not None and entry[0] is active_ctx:
                _MEMO.move_to_end(key)
                _STATS["hits"] += 1
                return entry[2]
            _STATS["misses"] += 1
            result = super()._process_context(active_ctx, local_ctx, options, override_protected,
                                              propagate, validate_scoped, cycles)
            _MEMO[key] = (active_ctx, local_ctx, result)
            while len(_MEMO) > _MAX_MEMO:
                _MEMO.popitem(last=False)
            return result

    def _prepare_nested_context(self, active_ctx: Any, element: Any, options: Any) -> Any:
        if "@context" in element:
            if not _is_initial(active_ctx):
                raise ContextNotAllowedError("a context inside the document is not allowed")
            _context_urls(element["@context"], self.loader, "embedded @context")
        return super()._prepare_nested_context(active_ctx, element, options)

    def scoped(self, ctx: Any, local: Any, *, override_protected: bool = False, propagate: bool = True
               ) -> Any:
        return self._process_context(ctx, local, self.options, override_protected, propagate)


# ---------------------------------------------------------------------------------------------
# Fast path: expansion (JSON-LD 1.1 API section 5.1) for the common case
# ---------------------------------------------------------------------------------------------

def _iri(ctx: Any, value: str, vocab: bool) -> str | None:
    """IRI Expansion (JSON-LD 1.1 API section 5.2.2) with a null document base."""
    if value in _KEYWORDS:
        return value
    if value[:1] == "@" and _KEYWORD_LIKE(value):
        return None
    if vocab:
        mappings = ctx["mappings"]
        if value in mappings:
            mapping = mappings[value]
            return None if mapping is None else mapping["@id"]
    colon = value.find(":")
    if colon > 0:
        prefix, suffix = value[:colon], value[colon + 1:]
        if prefix == "_" or suffix.startswith("//"):
            return value
        mapping = ctx["mappings"].get(prefix)
        if mapping and mapping.get("_prefix"):
            return mapping["@id"] + suffix  # type: ignore[no-any-return]
        if _ABSOLUTE(value):
            return value
    if vocab and "@vocab" in ctx:
        return ctx["@vocab"] + value  # type: ignore[no-any-return]
    return value


class _Expander:
    def __init__(self, proc: _Processor, safe: bool) -> None:
        self.proc = proc
        self.safe = safe

    def lost(self, what: str) -> None:
        if self.safe:
            raise DataLossError(what)

    def reference(self, ctx: Any, key: str, value: str, vocab: bool) -> str:
        out = _iri(ctx, value, vocab)
        if out is None:  # "@foo": reserved for future keywords, dropped (API section 5.2.2 step 2)
            self.lost(f"{key!r}: {value!r} has the form of a keyword")
            raise _Unsupported(value)
        if not _ABSOLUTE(out):
            self.lost(f"{key!r}: {value!r} is a relative IRI reference")
        return out

    def element(self, ctx: Any, prop: str | None, element: Any) -> Any:
        if element is None:
            return None
        if isinstance(element, list):
            mapping = ctx["mappings"].get(prop) if prop is not None else None
            if mapping and "@list" in (mapping.get("@container") or ()):
                raise _Unsupported("@list")
            out: list[Any] = []
            for item in element:
                value = self.element(ctx, prop, item)
                if isinstance(value, list):
                    out.extend(value)
                elif value is not None:
                    out.append(value)
            return out
        if not isinstance(element, dict):
            return None if prop is None else self.value(ctx, prop, element)
        return self.node(ctx, prop, element)

    def value(self, ctx: Any, prop: str, value: Any) -> dict[str, Any] | None:
        """Value Expansion (JSON-LD 1.1 API section 5.3.2)."""
        mapping = ctx["mappings"].get(prop)
        type_ = mapping.get("@type") if mapping else None
        if isinstance(value, str):
            if type_ == "@id":
                return {"@id": self.reference(ctx, prop, value, False)}
            if type_ == "@vocab":
                return {"@id": self.reference(ctx, prop, value, True)}
        if isinstance(value, float) or not isinstance(value, (str, int)):
            raise _Unsupported("number or non-JSON scalar")
        if type_ is not None and type_ not in ("@id", "@vocab", "@none"):
            if type_ == XSD_DOUBLE:
                raise _Unsupported(XSD_DOUBLE)
            return {"@type": type_, "@value": value}
        if isinstance(value, str) and ("@language" in ctx or "@direction" in ctx or (
                mapping and ("@language" in mapping or "@direction" in mapping))):
            raise _Unsupported("default language or direction")
        return {"@value": value}

    def node(self, ctx: Any, prop: str | None, element: dict[str, Any]) -> Any:
        """Expansion algorithm steps 5-20 for a map (JSON-LD 1.1 API section 5.1.2)."""
        mapping = ctx["mappings"].get(prop) if prop is not None else None
        property_scoped = mapping.get("@context") if mapping else None
        previous = ctx.get("previousContext")
        # step 7: revert a type-scoped context unless this is a value object or a reference
        revert = True
        if previous is not None and len(element) <= 2 and "@context" not in element:
            for key in sorted(element):
                expanded = _iri(ctx, key, True)
                if expanded == "@value":
                    revert = False
                    break
                if expanded == "@id" and len(element) == 1:
                    revert = False
                    break
        if revert and previous is not None:
            ctx = previous
        if property_scoped is not None:  # step 8
            ctx = self.proc.scoped(ctx, property_scoped, override_protected=True)
        if "@context" in element:  # step 9: only where a pinned context reset to null
            if not _is_initial(ctx):
                raise ContextNotAllowedError(f"{prop!r}: a context inside the document is not allowed")
            ctx = self.proc.scoped(ctx, list(_context_urls(element["@context"], self.proc.loader,
                                                            f"{prop}: embedded @context")))
        type_scoped = ctx  # steps 10-11: type-scoped contexts, types in lexical order
        for key in sorted(element):
            if _iri(ctx, key, True) != "@type":
                continue
            types = element[key]
            for type_ in sorted(t for t in (types if isinstance(types, list) else [types])
                                if isinstance(t, str)):
                type_mapping = type_scoped["mappings"].get(type_)
                scoped = type_mapping.get("@context") if type_mapping else None
                if scoped is not None and scoped is not False:
                    ctx = self.proc.scoped(ctx, scoped, propagate=False)
        result = self.members(ctx, element, type_scoped)
        if "@value" in result:  # step 15
            value = result["@value"]
            if value is None:
                return None
            if isinstance(value, (dict, list, float)) or ("@type" in result and (
                    "@language" in result or "@direction" in result or result["@type"] == "@json")):
                raise _Unsupported("value object")
            if "@language" in result and not isinstance(value, str):
                raise _Unsupported("language-tagged non-string")
        elif "@language" in result or "@direction" in result:
            raise _Unsupported("@language outside a value object")
        if prop is None and (not result or "@value" in result or (len(result) == 1 and "@id" in result)):
            return None  # step 19: free-floating values and references at top level
        return result

    def members(self, ctx: Any, element: dict[str, Any], type_scoped: Any) -> dict[str, Any]:
        """Expansion algorithm step 13, one entry at a time, keys in lexical order."""
        out: dict[str, Any] = {}
        mappings = ctx["mappings"]
        type_list = False
        for key in sorted(element):
            if key == "@context":
                continue
            value = element[key]
            expanded = _iri(ctx, key, True)
            if expanded is None or not (expanded in _KEYWORDS or _ABSOLUTE(expanded)):
                self.lost(f"{key!r} is not defined by any context")
                continue
            if expanded in _KEYWORDS:
                if expanded not in _NODE_KEYWORDS:
                    if expanded in ("@graph", "@index", "@reverse", "@included", "@nest", "@list", "@set"):
                        raise _Unsupported(expanded)
                    self.lost(f"{key!r}: keyword {expanded} has no place in a node object")
                    raise _Unsupported(expanded)
                if expanded in out:
                    raise _Unsupported("colliding keywords")
                if expanded == "@id":
                    if not isinstance(value, str):
                        raise _Unsupported("@id")
                    out["@id"] = self.reference(ctx, key, value, False)
                elif expanded == "@type":
                    type_list = isinstance(value, list)
                    items = value if isinstance(value, list) else [value]
                    types: list[str] = []
                    for item in items:
                        if not isinstance(item, str):
                            raise _Unsupported("@type")
                        types.append(self.reference(type_scoped, key, item, True))
                    if types:
                        out["@type"] = types
                elif expanded == "@value":
                    out["@value"] = value
                elif expanded == "@language":
                    if value is not None:
                        if not isinstance(value, str):
                            raise _Unsupported("@language")
                        out["@language"] = value.lower()
                elif value in ("ltr", "rtl"):  # @direction
                    out["@direction"] = value
                else:
                    raise _Unsupported("@direction")
                continue
            if expanded.startswith("_:"):
                self.lost(f"{key!r} expands to a blank node, which cannot be a predicate")
                continue
            mapping = mappings.get(key)
            container: Any = ()
            term_ctx = ctx
            if mapping:
                container = mapping.get("@container") or ()
                if mapping.get("reverse") or "@nest" in mapping or not _FAST_CONTAINERS.issuperset(container):
                    raise _Unsupported("term definition")
                scoped = mapping.get("@context")
                if scoped is not None:
                    term_ctx = self.proc.scoped(ctx, scoped, override_protected=True)
                if mapping.get("@type") == "@json":
                    items = [{"@type": "@json", "@value": value}]
                    out.setdefault(expanded, []).extend(items)
                    continue
            items = self.element(term_ctx, key, value)
            if items is None:
                continue
            if not isinstance(items, list):
                items = [items]
            if "@graph" in container:
                items = [{"@graph": [item]} for item in items]
            out.setdefault(expanded, []).extend(items)
        if "@type" in out and "@value" in out:
            if len(out["@type"]) != 1 or type_list:
                raise _Unsupported("value object @type")
            out["@type"] = out["@type"][0]
        return out


# ---------------------------------------------------------------------------------------------
# Fast path: deserialize to RDF (JSON-LD 1.1 API section 8.1, with section 7.2 node map semantics)
# ---------------------------------------------------------------------------------------------

class _Writer:
    def __init__(self, safe: bool) -> None:
        self.safe = safe
        self.dataset: Dataset = {"@default": []}
        self.labels: dict[str, str] = {}  # the document's blank node labels, relabelled
        self.count = 0
        self.directions: dict[tuple[Any, ...], Any] = {}

    def direction_once(self, graph: list[dict[str, Any]], subject: str, prop: str, item: Mapping[str, Any]
                       ) -> None:
        """Values of one property of one node that differ only in ``@direction`` are distinct in
        JSON-LD 1.1 (API section 7.2.2 step 4), but pyld's node map (``compare_values``) merges them
        and drops all but the first: refuse that in safe mode, follow pyld otherwise."""
        value = item["@value"]
        key = (id(graph), subject, prop, value, item.get("@type"), item.get("@language"))
        direction = item.get("@direction")
        if self.directions.setdefault(key, direction) != direction:
            if self.safe:
                raise DataLossError(f"{prop}: values {value!r} differ only in @direction")
            raise _Unsupported("@direction")

    def fresh(self) -> str:
        self.count += 1
        return f"_:b{self.count - 1}"

    def blank(self, label: str) -> str:
        found = self.labels.get(label)
        if found is None:
            found = self.labels[label] = self.fresh()
        return found

    def term(self, iri: str) -> dict[str, str] | None:
        if iri.startswith("_:"):
            return {"type": "blank node", "value": self.blank(iri)}
        return {"type": "IRI", "value": iri} if _ABSOLUTE(iri) else None

    def node(self, node: Mapping[str, Any], graph: list[dict[str, Any]]) -> dict[str, str] | None:
        id_ = node.get("@id")
        subject = {"type": "blank node", "value": self.fresh()} if id_ is None else self.term(id_)
        for type_ in node.get("@type", ()):
            obj = self.term(type_)
            if subject is not None and obj is not None:
                graph.append({"subject": subject, "predicate": {"type": "IRI", "value": RDF_TYPE},
                              "object": obj})
        for prop, items in node.items():
            if prop[0] == "@":
                continue
            predicate = {"type": "IRI", "value": prop}
            for item in items:
                obj = self.object(item, graph)
                if subject is not None and obj is not None:
                    graph.append({"subject": subject, "predicate": predicate, "object": obj})
                    if isinstance(item.get("@value"), str):
                        self.direction_once(graph, subject["value"], prop, item)
        return subject

    def object(self, item: Mapping[str, Any], graph: list[dict[str, Any]]) -> dict[str, str] | None:
        """Object to RDF Conversion (JSON-LD 1.1 API section 8.1.2)."""
        if "@value" in item:
            value = item["@value"]
            datatype = item.get("@type")
            if datatype == "@json":
                return {"type": "literal", "value": jcs(value), "datatype": RDF_JSON}
            if isinstance(value, bool):
                return {"type": "literal", "value": "true" if value else "false",
                        "datatype": datatype or XSD_BOOLEAN}
            if isinstance(value, int):
                if abs(value) >= 10 ** 21:
                    raise _Unsupported("large integer")
                return {"type": "literal", "value": str(value), "datatype": datatype or XSD_INTEGER}
            if "@direction" in item:  # rdfDirection i18n-datatype (step 13)
                return {"type": "literal", "value": value,
                        "datatype": f"{I18N}{item.get('@language', '')}_{item['@direction']}"}
            if "@language" in item:
                return {"type": "literal", "value": value, "datatype": RDF_LANGSTRING,
                        "language": item["@language"]}
            return {"type": "literal", "value": value, "datatype": datatype or XSD_STRING}
        if "@graph" in item:  # a graph object from an @graph container: a named blank graph
            name = self.fresh()
            inner = self.dataset.setdefault(name, [])
            for node in item["@graph"]:
                if "@value" not in node:
                    self.node(node, inner)
            return {"type": "blank node", "value": name}
        if len(item) == 1 and "@id" in item:
            return self.term(item["@id"])
        return self.node(item, graph)


# ---------------------------------------------------------------------------------------------
# Reference path: pyld itself, with the same policy and safe-mode checks
# ---------------------------------------------------------------------------------------------

class _Reference(_Processor):
    """pyld's expansion, reporting dropped terms by name (pyld passes only the expanded IRI)."""

    def __init__(self, loader: DocumentLoader, safe: bool) -> None:
        super().__init__(loader, on_property_dropped=self._dropped)
        self.safe = safe
        self.last_key: Any = None

    def _expand_iri(self, active_ctx: Any, value: Any, base: Any = None, vocab: bool = False,
                    local_ctx: Any = None, defined: Any = None) -> Any:
        self.last_key = value
        return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)

    def _dropped(self, expanded: Any) -> None:
        if self.safe:
            raise DataLossError(f"{self.last_key!r} is not defined by any context")

    def dataset(self, expanded: Any) -> Dataset:
        issuer = IdentifierIssuer("_:b")
        node_map: dict[str, Any] = {"@default": {}}
        self._create_node_map(expanded, node_map, "@default", issuer)
        return {name: self._graph_to_rdf(graph, issuer, self.options)
                for name, graph in sorted(node_map.items())
                if name == "@default" or _ABSOLUTE(name)}


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
                if isinstance(iri, str) and not _ABSOLUTE(iri):
                    raise DataLossError(f"{key}: {iri!r} is a relative IRI reference")
        elif key in ("@graph", "@list", "@set", "@included"):
            _scan(item)
        elif key == "@reverse":
            _scan(list(item.values()))
        elif key in _KEYWORDS and key != "@index":
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

def _run(document: Mapping[str, Any], loader: DocumentLoader, safe: bool
         ) -> tuple[list[dict[str, Any]], Dataset | None]:
    if not isinstance(document, Mapping):
        raise TypeError("document: a JSON-LD document is a JSON object")
    if not isinstance(loader, DocumentLoader):
        raise TypeError("loader: a vccore.loader.DocumentLoader is required (never pyld's default)")
    if "@context" in document:  # the policy, before anything is processed
        _context_urls(document["@context"], loader, "@context")
    try:
        try:
            proc = _Processor(loader)
            initial = proc._get_initial_context(proc.options)
            node = _Expander(proc, safe).node(initial, None, dict(document))
            expanded = [] if node is None else [node]
            writer = _Writer(safe)
            for item in expanded:
                writer.node(item, writer.dataset["@default"])
            return expanded, writer.dataset
        except _Unsupported:
            ref = _Reference(loader, safe)
            try:
                expanded = ref.expand(dict(document), ref.options)
                if safe:
                    _scan(expanded)
                return expanded, ref.dataset(expanded)
            except (TypeError, KeyError, AttributeError, ValueError) as err:  # pyld's own failures
                raise SkillcredError(f"JSON-LD: the document cannot be processed ({err!r})",
                                     code=Code.MALFORMED_VALUE_ERROR) from err
    except jsonld.JsonLdError as err:
        inner = _unwrap(err)
        if inner is not None:
            raise inner from err
        if _jsonld_code(err) == "protected term redefinition":  # SECURITY.md verifier item 4
            raise ContextNotAllowedError("the contexts redefine a protected term") from err
        raise SkillcredError(f"JSON-LD: {err.args[0] if err.args else err}",
                             code=Code.MALFORMED_VALUE_ERROR) from err
    except RecursionError as err:
        raise ResourceLimitError("the document is nested too deeply") from err


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
