"""One reading: the JSON every check reads is the JSON the proof covers, read one way.

A Data Integrity proof over RDFC-1.0 covers an RDF graph, and JSON-LD spells one graph many ways: a
property as its term (``credentialStatus``), its full IRI (``https://www.w3.org/2018/credentials#
credentialStatus``) or a compact IRI; ``@id``/``@type`` for their aliases ``id``/``type``; a value
object (``{"@value": "2020-01-01T00:00:00Z", "@type": "xsd:dateTime"}``) for the plain value the
term's type coercion gives; a single value with or without an array around it. A check that reads a
JSON key is skipped by a document that spells that key another way while its signature still holds:
a revoked credential verifies, a holder binding is bypassed (SECURITY.md verifier item 17).

:func:`read_one_way` walks a document with the active contexts a JSON-LD processor would use at each
position (type-scoped and property-scoped contexts included: the walk shares
:meth:`vccore.jsonld._expander.Expander.enter` with the expander) and returns **the reading** every later
decision is made on. The reading is the compact form of the document's own pinned contexts:

* every key is a term those contexts define at that position, or ``@context``; a key written as a
  full or compact IRI, a keyword where ``id``/``type`` alias it, any other keyword in a node, two keys
  for one property: ``NOT_COMPACT_FORM``. What no context defines at all (an unknown term, a relative
  IRI) is not another spelling of anything: it is left in place for safe-mode canonicalization, which
  refuses it as ``DATA_LOSS_DETECTION_ERROR`` in the ``proof`` check, as it always did;
* every ``type`` value (and every value of an ``@vocab``-typed term) is the term where one exists,
  never its IRI; every ``id`` value (and every value of an ``@id``-typed term) expands to itself,
  never a compact IRI;
* no value object where the plain value is the same RDF literal (``xsd:string`` typed, a number without
  its term's type, an upper-case language tag); the JSON type a term's datatype calls for (an
  ``xsd:integer`` is a JSON integer: not ``4.0``, not ``"4"``); no ``null``, no empty array, no array
  inside an array, no value twice in one array, no node described in two places of one graph, no blank
  node identifier (JSON-LD reads all of them as nothing, once, or the same). Two exceptions, where RDF
  keeps both values too: two equal node objects without an id (two blank nodes), and two equal proofs
  of a proof set (``proof`` is a ``@graph`` container: each proof is a named graph of its own, with a
  blank node for its name, so two equal proofs are two graphs; the proof engine verifies each);
* a single value written inside an array is read as the value itself, unless the term's container
  is ``@set`` or ``@list``: the one variation that conforming issuers write both ways (``"type":
  ["VerifiableCredential"]``, ``"credentialSchema": [{...}]``) is folded, not refused, exactly as
  JSON-LD compaction folds it. The reading is a new object; the input is never changed.

``@json`` literals (rule sets, trust lists, JSON schemas) are taken as they are: their JSON *is* the
signed value. Node references keep their form (``"issuer": "did:..."`` and ``{"id": "did:..."}`` are
both read as written; every check reads both). The proof engine still hashes the document as received
(a JCS proof covers the exact JSON), but reads every proof option from the reading.

Why an allow-list walk and not a round-trip (expand, compact, compare): both refuse the same
documents (``tests/vccore/jsonld/test_reading.py`` checks the two verdicts agree on every rewriting it
generates), and the walk costs a few hundredths of what pyld's compaction does per credential
(``bench/bench_reading.py``; figures in ``docs/design-notes.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from vccore.errors import Code, ParseError, SkillcredError
from vccore.jsonld._context_cache import Processor
from vccore.jsonld._expander import ABSOLUTE, Expander, Unsupported, expand_iri
from vccore.jsonld.loader import DocumentLoader

__all__ = ["NotCompactForm", "read_one_way", "read_or_none"]

PROOF: Final = "https://w3id.org/security#proof"
_VALUE_KEYS: Final = frozenset({"@value", "@language", "@direction", "@type"})
_KEEP_ARRAYS: Final = frozenset({"@set", "@list"})


class NotCompactForm(SkillcredError):
    """The document spells something otherwise than the one compact form of its contexts."""

    code = Code.NOT_COMPACT_FORM


XSD: Final = "http://www.w3.org/2001/XMLSchema#"
#: the JSON type a value of a term coerced to these datatypes has in the compact form
_NATIVE: Final[dict[Any, type]] = {XSD + "integer": int, XSD + "boolean": bool}


def _literal(expanded: Any) -> tuple[str, str, str] | None:
    """The RDF literal (lexical form, datatype, language) an expanded value object stands for (JSON-LD
    1.1 API section 8.6, "Object to RDF Conversion"), or None for what is not a plain literal."""
    if not isinstance(expanded, Mapping) or "@value" not in expanded:
        return None
    value, datatype = expanded["@value"], expanded.get("@type")
    language = expanded.get("@language")
    if expanded.get("@direction") is not None:
        return None
    if isinstance(value, bool):
        return ("true" if value else "false", datatype or XSD + "boolean", "")
    if isinstance(value, int):
        return (str(value), datatype or XSD + "integer", "")
    if isinstance(value, float):
        return None  # doubles are not compared here
    if isinstance(value, str):
        if language is not None:
            return (value, "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", str(language).lower())
        return (value, datatype or XSD + "string", "")
    return None


def _json_numbers(value: Any, where: tuple[str, ...]) -> None:
    """Refuse an integral float inside a JSON literal (its JCS form, which the proof covers, is the int)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and item.is_integer():
            raise NotCompactForm(
                f"{_pointer(where) or '/'}: {item!r} is written {int(item)} in the compact form",
                pointer=_pointer(where),
            )
        if isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _pointer(parts: tuple[str, ...]) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


#: IRI -> term maps of processed contexts, keyed by the context object's identity (contexts come from the
#: process-wide memo of :mod:`vccore.jsonld._context_cache`, so the same few objects recur); bounded.
_TERMS_BY_IRI: dict[int, tuple[Any, dict[str, str]]] = {}
_MAX_TERM_MAPS: Final = 1024


def _terms_by_iri(ctx: Any) -> dict[str, str]:
    """IRI -> the term the context defines for it (the shortest, then the first in order)."""
    cached = _TERMS_BY_IRI.get(id(ctx))
    if cached is not None and cached[0] is ctx:
        return cached[1]
    out: dict[str, str] = {}
    for term, mapping in ctx["mappings"].items():
        if mapping is None or mapping.get("reverse"):
            continue
        iri = mapping.get("@id")
        if isinstance(iri, str) and (iri not in out or len(term) < len(out[iri])):
            out[iri] = term
    if len(_TERMS_BY_IRI) >= _MAX_TERM_MAPS:
        _TERMS_BY_IRI.clear()
    _TERMS_BY_IRI[id(ctx)] = (ctx, out)
    return out


class _Reader:
    def __init__(self, proc: Processor) -> None:
        # not in safe mode: what no context defines (an unknown term, a relative IRI) is left as it is
        # for safe-mode canonicalization to refuse as DATA_LOSS_DETECTION_ERROR, where it always was
        self.exp = Expander(proc, safe=False)
        self.proc = proc
        self.contexts: Any = None  # the document's own @context (a JCS proof repeats it)
        #: node ids already described, per graph (the document's, then each proof's and credential's)
        self.graph_ids: list[dict[str, str]] = [{}]

    def refuse(self, where: tuple[str, ...], detail: str) -> NotCompactForm:
        return NotCompactForm(f"{_pointer(where) or '/'}: {detail}", pointer=_pointer(where))

    # -- the walk ---------------------------------------------------------------------------------

    def node(
        self, ctx: Any, prop: str | None, element: Mapping[str, Any], where: tuple[str, ...], *, proof: bool = False
    ) -> dict[str, Any]:
        element = dict(element)
        for key in element:
            if not isinstance(key, str):
                raise ParseError(
                    f"{_pointer(where) or '/'}: object keys must be strings, not {key!r}", pointer=_pointer(where)
                )
        kept_context = element.pop("@context", None) if proof else None  # a JCS proof repeats @context
        if kept_context is not None and kept_context != self.contexts:
            raise self.refuse((*where, "@context"), "a proof's @context differs from the document's")
        if prop is None and "@context" in element:
            self.contexts = element["@context"]
        ctx, type_ctx = self.exp.enter(ctx, prop, element)
        out: dict[str, Any] = {}
        if proof and kept_context is not None:
            out["@context"] = kept_context
        said: dict[str, str] = {}
        for key, value in element.items():
            here = (*where, key)
            if key == "@context":
                if isinstance(value, list):
                    self.items(value, here)  # no URL twice
                out[key] = value
                continue
            mapping = ctx["mappings"].get(key)
            expanded = mapping["@id"] if mapping is not None else expand_iri(ctx, key, True)
            if key.startswith("@"):
                alias = _terms_by_iri(ctx).get(key) if key in ("@id", "@type") else None
                if alias is not None:
                    raise self.refuse(here, f"{key} is written where the contexts alias it as {alias!r}")
                if key not in ("@id", "@type"):
                    raise self.refuse(here, f"the keyword {key} has no place in the compact form of a credential")
            elif (
                mapping is None
                and ":" not in key
                and "@vocab" in ctx
                and expanded is not None
                and (ABSOLUTE(expanded) and _terms_by_iri(ctx).get(expanded) is None)
            ):
                pass  # a word the context's @vocab makes a property (the W3C examples context): its compact form
            elif mapping is None:
                if expanded is not None and ABSOLUTE(expanded) and not expanded.startswith("_:"):
                    term = _terms_by_iri(ctx).get(expanded)
                    raise self.refuse(
                        here,
                        f"{key!r} is an IRI, not a term"
                        + (f": write {term!r}" if term else ": no context defines a term for it here"),
                    )
                out[key] = value  # defined by no context: safe-mode canonicalization refuses it (DATA_LOSS)
                continue
            iri = expanded if mapping is None else mapping["@id"]
            if iri in said:
                raise self.refuse(here, f"{key!r} and {said[iri]!r} are the same property")
            said[str(iri)] = key
            if iri == "@id":
                if isinstance(value, str) and value.startswith("_:"):
                    raise self.refuse(here, "a blank node identifier names nothing: leave the id out")
                if isinstance(value, str):
                    first = self.graph_ids[-1].setdefault(value, _pointer(where))
                    if first != _pointer(where):
                        raise self.refuse(
                            here, f"{value!r} is written here and at {first or '/'}: describe a node in one place"
                        )
                out[key] = self.reference(ctx, key, value, here, vocab=False)
            elif iri == "@type":
                out[key] = self.types(type_ctx, key, value, here)
            elif isinstance(iri, str) and iri.startswith("@"):
                raise self.refuse(here, f"{key!r} aliases the keyword {iri}, which the compact form does not use")
            else:
                out[key] = self.property(ctx, key, mapping or {}, value, here)
        return out

    def reference(self, ctx: Any, key: str, value: Any, where: tuple[str, ...], *, vocab: bool) -> Any:
        if not isinstance(value, str):
            return value  # not an IRI at all: the data model checks say so
        expanded = self.exp.reference(ctx, key, value, vocab)
        if not ABSOLUTE(expanded):
            return value  # a relative IRI: left for safe-mode canonicalization (DATA_LOSS_DETECTION_ERROR)
        if vocab:
            term = _terms_by_iri(ctx).get(expanded)
            if value != term and term is not None and ctx["mappings"].get(value) is None:
                raise self.refuse(where, f"{value!r} is written where the contexts define the term {term!r}")
        elif expanded != value:
            raise self.refuse(where, f"{value!r} is a compact IRI: write {expanded!r}")
        return value

    def types(self, ctx: Any, key: str, value: Any, where: tuple[str, ...]) -> Any:
        items = self.items(value, where)
        read = [
            self.reference(ctx, key, t, (*where, str(i)) if isinstance(value, list) else where, vocab=True)
            for i, t in enumerate(items)
        ]
        return read if isinstance(value, list) and len(read) > 1 else read[0]

    def items(self, value: Any, where: tuple[str, ...], *, proof_set: bool = False) -> list[Any]:
        """The values of one property. ``proof_set``: the values are the proofs of a proof set, each a
        named graph of its own (``proof`` is a ``@graph`` container), so two equal proofs are two graphs,
        not one value said twice. The other ``@graph`` container, ``verifiableCredential``, is not
        relaxed: a credential with an id written twice describes one node twice, and the presentation's
        checks take each embedded credential as a credential of its own."""
        if value is None:
            raise self.refuse(where, "null says nothing: leave the property out")
        if not isinstance(value, list):
            return [value]
        if not value:
            raise self.refuse(where, "an empty array says nothing: leave the property out")
        seen: list[Any] = []
        for i, item in enumerate(value):
            if isinstance(item, list):
                raise self.refuse((*where, str(i)), "an array inside an array")
            if item is None:
                raise self.refuse((*where, str(i)), "null says nothing")
            if item in seen and not (proof_set or _blank_node(item)):
                raise self.refuse((*where, str(i)), "the same value twice says it once")
            seen.append(item)
        return value

    def property(self, ctx: Any, key: str, mapping: Mapping[str, Any], value: Any, where: tuple[str, ...]) -> Any:
        if mapping.get("@type") == "@json":
            _json_numbers(value, where)  # a JSON literal is signed in its JCS form: 8.0 is 8
            return value  # a JSON literal: the signed value is this JSON itself
        scoped = mapping.get("@context")
        term_ctx = self.proc.scoped(ctx, scoped, override_protected=True) if scoped is not None else ctx
        container = mapping.get("@container") or ()
        graph = "@graph" in container  # each value is a graph of its own (a proof, an embedded credential)
        items = self.items(value, where, proof_set=graph and mapping.get("@id") == PROOF)
        listed = isinstance(value, list)
        read = []
        for i, item in enumerate(items):
            if graph:
                self.graph_ids.append({})
            try:
                read.append(self.item(term_ctx, key, mapping, item, (*where, str(i)) if listed else where))
            finally:
                if graph:
                    self.graph_ids.pop()
        if listed and (len(read) > 1 or _KEEP_ARRAYS.intersection(container)):
            return read
        return read[0]

    def item(self, ctx: Any, key: str, mapping: Mapping[str, Any], value: Any, where: tuple[str, ...]) -> Any:
        if isinstance(value, Mapping):
            value_key = _terms_by_iri(ctx).get("@value", "@value")
            if value_key in value or "@value" in value:
                return self.value_object(ctx, key, value, where)
            proof = mapping.get("@id") == PROOF
            return self.node(ctx, key, value, where, proof=proof)
        kind = ctx["mappings"].get(key, {}) or {}
        coerced = kind.get("@type")
        if coerced == "@id":
            return self.reference(ctx, key, value, where, vocab=False)
        if coerced == "@vocab":
            return self.reference(ctx, key, value, where, vocab=True)
        if isinstance(value, float) and value.is_integer():
            raise self.refuse(where, f"{value!r} is written {int(value)} in the compact form")
        wanted = _NATIVE.get(coerced)
        if wanted is not None and not (isinstance(value, wanted) and not (wanted is int and isinstance(value, bool))):
            raise self.refuse(
                where,
                f"{value!r}: the context types {key!r} as {str(coerced).rsplit('#', 1)[-1]}, "
                f"written as a JSON {wanted.__name__}",
            )
        return value

    def value_object(self, ctx: Any, key: str, value: Mapping[str, Any], where: tuple[str, ...]) -> Any:
        unknown = [k for k in value if k not in _VALUE_KEYS]
        if unknown:
            raise self.refuse((*where, unknown[0]), f"{unknown[0]!r} has no place in a value object")
        if value.get("@value") is None:
            raise self.refuse(where, "a value object without a value says nothing")
        language = value.get("@language")
        if isinstance(language, str) and language != language.lower():
            raise self.refuse(where, f"the language tag {language!r} is written {language.lower()!r}")
        try:
            expanded = self.exp.node(ctx, key, dict(value))
            plain = self.exp.value(ctx, key, value["@value"])
        except Unsupported:
            return dict(value)  # a value object no plain value could stand for
        if plain is not None and _literal(expanded) == _literal(plain):
            raise self.refuse(where, f"a value object where the plain value {value['@value']!r} says the same")
        return dict(value)


def _blank_node(item: Any) -> bool:
    """A node object without an identifier: two equal ones are two blank nodes, not one value said twice
    (RDF keeps both: VC 2.0 suite, ``termsOfUse: [{"type": "X"}, {"type": "X"}]``)."""
    return isinstance(item, Mapping) and "id" not in item and "@id" not in item and "@value" not in item


def read_one_way(document: Mapping[str, Any], *, loader: DocumentLoader) -> dict[str, Any]:
    """The reading of ``document`` (see the module docstring), or ``NOT_COMPACT_FORM``,
    ``DATA_LOSS_DETECTION_ERROR`` or ``CONTEXT_NOT_ALLOWED`` naming the first offending member."""
    from vccore.jsonld.canonical import jsonld_errors, new_processor

    if not isinstance(document, Mapping):
        raise TypeError("document: a JSON-LD document is a JSON object")
    with jsonld_errors():
        proc = new_processor(loader)
        reader = _Reader(proc)
        try:
            return reader.node(proc._get_initial_context(proc.options), None, document, ())
        except Unsupported as err:
            raise NotCompactForm(f"this JSON-LD construct is not used in the compact form ({err})") from err


def read_or_none(document: Any, *, loader: DocumentLoader) -> dict[str, Any] | None:
    """The reading of ``document``, or None when it has none (not an object, a context not allowed, a
    spelling refused): for places that look a document up before verifying it, where the verification
    reports why."""
    if not isinstance(document, Mapping):
        return None
    try:
        return read_one_way(document, loader=loader)
    except SkillcredError:
        return None
