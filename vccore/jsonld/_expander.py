"""The fast path of JSON-LD expansion (JSON-LD 1.1 API section 5.1) for credential-shaped documents.

Contract: :class:`Expander` mirrors pyld's expansion, with a null document base, for the
documents credentials are made of: pinned contexts, terms, ``@set``/``@graph`` containers, value
objects, type- and property-scoped contexts. Keys are expanded in lexical order as pyld does, so
the output equals pyld's. Anything else (lists, ``@reverse``, ``@nest``, index and language maps,
floating-point numbers, default language or direction, keywords pyld would reject) raises
:class:`Unsupported`, and :mod:`vccore.jsonld.canonical` processes the whole document again with pyld.

In safe mode (VC Data Integrity 1.0 section 4.1; SECURITY.md verifier item 5) a term no context
defines, a relative IRI in ``@id``, ``@type`` or an ``@id``/``@vocab``-coerced value, a blank-node
predicate or an unknown keyword is a :class:`DataLossError` naming the term, where a plain
processor would drop it silently. Contexts are processed by the memoized pyld processor it is
given (:class:`vccore.jsonld._context_cache.Processor`); this module does not import pyld.
"""

from __future__ import annotations

import re
from typing import Any

from vccore.errors import ContextNotAllowedError, DataLossError
from vccore.jsonld._context_cache import KEYWORDS, Processor
from vccore.jsonld.context_policy import context_urls, is_initial

__all__: list[str] = []

XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"

#: pyld's own test for an absolute IRI; what fails it is dropped by its RDF deserialization.
ABSOLUTE = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$").match
_KEYWORD_LIKE = re.compile(r"^@[a-zA-Z]+$").match
#: keywords a node or value object may carry in the fast path
_NODEKEYWORDS = frozenset({"@id", "@type", "@value", "@language", "@direction"})
_FAST_CONTAINERS = frozenset({"@set", "@graph"})


class Unsupported(Exception):
    """The fast path does not handle this document: pyld processes it instead."""


def expand_iri(ctx: Any, value: str, vocab: bool) -> str | None:
    """IRI Expansion (JSON-LD 1.1 API section 5.2.2) with a null document base."""
    if value in KEYWORDS:
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
        prefix, suffix = value[:colon], value[colon + 1 :]
        if prefix == "_" or suffix.startswith("//"):
            return value
        mapping = ctx["mappings"].get(prefix)
        if mapping and mapping.get("_prefix"):
            return mapping["@id"] + suffix  # type: ignore[no-any-return]
        if ABSOLUTE(value):
            return value
    if vocab and "@vocab" in ctx:
        return ctx["@vocab"] + value  # type: ignore[no-any-return]
    return value


class Expander:
    def __init__(self, proc: Processor, safe: bool) -> None:
        self.proc = proc
        self.safe = safe

    def lost(self, what: str) -> None:
        if self.safe:
            raise DataLossError(what)

    def reference(self, ctx: Any, key: str, value: str, vocab: bool) -> str:
        out = expand_iri(ctx, value, vocab)
        if out is None:  # "@foo": reserved for future keywords, dropped (API section 5.2.2 step 2)
            self.lost(f"{key!r}: {value!r} has the form of a keyword")
            raise Unsupported(value)
        if not ABSOLUTE(out):
            self.lost(f"{key!r}: {value!r} is a relative IRI reference")
        return out

    def element(self, ctx: Any, prop: str | None, element: Any) -> Any:
        if element is None:
            return None
        if isinstance(element, list):
            mapping = ctx["mappings"].get(prop) if prop is not None else None
            if mapping and "@list" in (mapping.get("@container") or ()):
                raise Unsupported("@list")
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
            raise Unsupported("number or non-JSON scalar")
        if type_ is not None and type_ not in ("@id", "@vocab", "@none"):
            if type_ == XSD_DOUBLE:
                raise Unsupported(XSD_DOUBLE)
            return {"@type": type_, "@value": value}
        if isinstance(value, str) and (
            "@language" in ctx
            or "@direction" in ctx
            or (mapping and ("@language" in mapping or "@direction" in mapping))
        ):
            raise Unsupported("default language or direction")
        return {"@value": value}

    def node(self, ctx: Any, prop: str | None, element: dict[str, Any]) -> Any:
        """Expansion algorithm steps 5-20 for a map (JSON-LD 1.1 API section 5.1.2)."""
        ctx, type_scoped = self.enter(ctx, prop, element)
        result = self.members(ctx, element, type_scoped)
        if "@value" in result:  # step 15
            value = result["@value"]
            if value is None:
                return None
            if isinstance(value, (dict, list, float)) or (
                "@type" in result and ("@language" in result or "@direction" in result or result["@type"] == "@json")
            ):
                raise Unsupported("value object")
            if "@language" in result and not isinstance(value, str):
                raise Unsupported("language-tagged non-string")
        elif "@language" in result or "@direction" in result:
            raise Unsupported("@language outside a value object")
        if prop is None and (not result or "@value" in result or (len(result) == 1 and "@id" in result)):
            return None  # step 19: free-floating values and references at top level
        return result

    def enter(self, ctx: Any, prop: str | None, element: dict[str, Any]) -> tuple[Any, Any]:
        """Expansion algorithm steps 7-11: the active context inside ``element`` (reached through
        ``prop``) and the context its types are expanded against. Shared with :mod:`vccore.jsonld.reading`,
        which walks documents with the same contexts."""
        mapping = ctx["mappings"].get(prop) if prop is not None else None
        property_scoped = mapping.get("@context") if mapping else None
        previous = ctx.get("previousContext")
        # step 7: revert a type-scoped context unless this is a value object or a reference
        revert = True
        if previous is not None and len(element) <= 2 and "@context" not in element:
            for key in sorted(element):
                expanded = expand_iri(ctx, key, True)
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
            if not is_initial(ctx):
                raise ContextNotAllowedError(f"{prop!r}: a context inside the document is not allowed")
            ctx = self.proc.scoped(
                ctx,
                list(
                    context_urls(
                        element["@context"], self.proc.loader, f"{prop}: embedded @context", inline=prop is None
                    )
                ),
            )
        type_scoped = ctx  # steps 10-11: type-scoped contexts, types in lexical order
        for key in sorted(element):
            if expand_iri(ctx, key, True) != "@type":
                continue
            types = element[key]
            for type_ in sorted(t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)):
                type_mapping = type_scoped["mappings"].get(type_)
                scoped = type_mapping.get("@context") if type_mapping else None
                if scoped is not None and scoped is not False:
                    ctx = self.proc.scoped(ctx, scoped, propagate=False)
        return ctx, type_scoped

    def members(self, ctx: Any, element: dict[str, Any], type_scoped: Any) -> dict[str, Any]:
        """Expansion algorithm step 13, one entry at a time, keys in lexical order."""
        out: dict[str, Any] = {}
        mappings = ctx["mappings"]
        type_list = False
        for key in sorted(element):
            if key == "@context":
                continue
            value = element[key]
            expanded = expand_iri(ctx, key, True)
            if expanded is None or not (expanded in KEYWORDS or ABSOLUTE(expanded)):
                self.lost(f"{key!r} is not defined by any context")
                continue
            if expanded in KEYWORDS:
                if expanded not in _NODEKEYWORDS:
                    if expanded in ("@graph", "@index", "@reverse", "@included", "@nest", "@list", "@set"):
                        raise Unsupported(expanded)
                    self.lost(f"{key!r}: keyword {expanded} has no place in a node object")
                    raise Unsupported(expanded)
                if expanded in out:
                    raise Unsupported("colliding keywords")
                if expanded == "@id":
                    if not isinstance(value, str):
                        raise Unsupported("@id")
                    out["@id"] = self.reference(ctx, key, value, False)
                elif expanded == "@type":
                    type_list = isinstance(value, list)
                    items = value if isinstance(value, list) else [value]
                    types: list[str] = []
                    for item in items:
                        if not isinstance(item, str):
                            raise Unsupported("@type")
                        types.append(self.reference(type_scoped, key, item, True))
                    if types:
                        out["@type"] = types
                elif expanded == "@value":
                    out["@value"] = value
                elif expanded == "@language":
                    if value is not None:
                        if not isinstance(value, str):
                            raise Unsupported("@language")
                        out["@language"] = value.lower()
                elif value in ("ltr", "rtl"):  # @direction
                    out["@direction"] = value
                else:
                    raise Unsupported("@direction")
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
                    raise Unsupported("term definition")
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
                raise Unsupported("value object @type")
            out["@type"] = out["@type"][0]
        return out
