"""RDF Dataset Canonicalization, RDFC-1.0 (W3C Recommendation, https://www.w3.org/TR/rdf-canon/).

Pure Python, standard library only. Section numbers below refer to that document.

Datasets use the shape pyld uses internally (``jsonld.to_rdf`` / ``jsonld.parse_nquads``): a dict
from graph name (``'@default'``, an IRI, or a blank node label such as ``'_:b0'``) to a list of
quads ``{'subject': term, 'predicate': term, 'object': term}``, each term a dict with ``'type'``
(``'IRI'``, ``'blank node'`` or ``'literal'``) and ``'value'``; literals also carry ``'datatype'``
and, for language-tagged strings, ``'language'``. The graph name is the dict key; a ``'name'``
entry left in a quad by pyld's own canonicalizer is ignored.

Three entry points:

* :func:`canonicalize` returns the canonical N-Quads document (section 4.4, serialized as in
  section 5 "Serialization" and appendix A "A Canonical form of N-Quads": one quad per line, each
  ending ``\\n``, lines in code point order);
* :func:`canonicalize_with_map` also returns the issued identifiers map (section 4.4.3, step 6),
  which :func:`canonical_issuer_map` returns alone;
* :func:`parse_nquads` is a strict N-Quads 1.1 parser (pyld's does not decode ``\\u``/``\\U``
  escapes, ``\\b``, ``\\f`` or ``\\'``, and its unescaping of ``\\\\n`` is wrong).

Poison graphs (security considerations, "Dataset Poisoning") are refused: the calls of the Hash
N-Degree Quads algorithm (section 4.8) are bounded by a *work budget* computed from the number of
blank nodes whose first-degree hash is shared and ``max_work_factor`` (see ``_CALLS_PER_UNIT``),
the permutations it tries and its recursion depth are bounded too, and running out raises
:class:`vccore.errors.ResourceLimitError` (code ``RESOURCE_LIMIT_EXCEEDED``).

This module is the entry point: the dataset check and conversion to internal quads, the final
relabelling and serialization (section 4.4.3 step 6). The parts live in their own modules and are
re-exported here: :mod:`vccore.canon.nquads` (serializer and parser), :mod:`vccore.canon._hashing`
(canonicalization state, sections 4.5-4.8, and the work budget) and
:mod:`vccore.canon._permutations` (the orderings tried in section 4.8.3 step 5.4).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from vccore.canon._hashing import BNODE_G, BNODE_O, BNODE_S, Canonicalizer, IQuad
from vccore.canon.nquads import (
    BAD_IRI_CHAR,
    DEFAULT_GRAPH,
    ESCAPES,
    NEEDS_ESCAPE,
    RDF_LANGSTRING,
    XSD_STRING,
    DatasetLike,
    bnode_label,
    iri_term,
    literal_term,
)
from vccore.errors import ParseError

__all__ = ["canonical_issuer_map", "canonicalize", "canonicalize_with_map"]

_HASHES: dict[str, Callable[[bytes], Any]] = {
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}


def _hash_function(hash_algorithm: str) -> Callable[[bytes], Any]:
    name = hash_algorithm.lower().replace("-", "")
    try:
        return _HASHES[name]
    except KeyError:
        raise ValueError(f"unsupported RDFC-1.0 hash algorithm {hash_algorithm!r}") from None


def _internal_quads(dataset: DatasetLike) -> list[IQuad]:
    """Convert to internal quads (serializing every term as in appendix A), dropping duplicates.

    This runs on every verification, so it is inlined: IRIs and blank node labels are collected
    and checked for characters not allowed in an IRIREF in one pass over their concatenation;
    only when that finds one is the offender looked up for the error message.
    """
    if not isinstance(dataset, Mapping):
        raise ParseError("an RDF dataset must be a mapping from graph name to quads")
    seen: set[IQuad] = set()
    out: list[IQuad] = []
    names: list[str] = []  # IRIs and blank node labels, checked together below
    needs_escape = NEEDS_ESCAPE.search
    for graph_name, quads in dataset.items():
        if graph_name == DEFAULT_GRAPH:
            g, g_flag = "", 0
        elif isinstance(graph_name, str) and graph_name.startswith("_:"):
            g, g_flag = bnode_label(graph_name), BNODE_G
        else:
            g, g_flag = iri_term(graph_name), 0
        for quad in quads:
            try:
                term = quad["subject"]
                kind = term["type"]
                s = term["value"]
                if kind == "IRI":
                    names.append(s)
                    s = "<" + s + ">"
                    flags = g_flag
                elif kind == "blank node" and s.startswith("_:"):
                    names.append(s)
                    flags = g_flag | BNODE_S
                else:
                    raise ParseError(f"not a valid subject: {term!r}")
                term = quad["predicate"]
                p = term["value"]
                if term["type"] != "IRI":
                    raise ParseError(f"not a valid predicate: {term!r}")
                names.append(p)
                p = "<" + p + ">"
                term = quad["object"]
                kind = term["type"]
                o = term["value"]
                if kind == "literal":
                    if needs_escape(o) is not None:
                        o = o.translate(ESCAPES)
                    o = '"' + o + '"'
                    datatype = term.get("datatype")
                    if term.get("language"):
                        o = literal_term(term)
                    elif datatype is not None and datatype != XSD_STRING:
                        if datatype == RDF_LANGSTRING:
                            raise ParseError("an rdf:langString literal has no language tag")
                        names.append(datatype)
                        o = o + "^^<" + datatype + ">"
                elif kind == "IRI":
                    names.append(o)
                    o = "<" + o + ">"
                elif kind == "blank node" and o.startswith("_:"):
                    names.append(o)
                    flags |= BNODE_O
                else:
                    raise ParseError(f"not a valid object: {term!r}")
            except (KeyError, TypeError, AttributeError) as exc:
                raise ParseError(f"malformed quad in graph {graph_name!r}: {quad!r}") from exc
            item = (s, p, o, g, flags)
            if item not in seen:
                seen.add(item)
                out.append(item)
    if "" in names or "_:" in names or BAD_IRI_CHAR.search("".join(names)) is not None:
        for name in names:
            if name == "" or name == "_:" or BAD_IRI_CHAR.search(name) is not None:
                raise ParseError(f"not a valid IRI or blank node identifier for N-Quads: {name!r}")
    return out


def canonicalize_with_map(
    dataset: DatasetLike,
    *,
    hash_algorithm: str = "sha256",
    max_work_factor: int = 1,
    max_deep_iterations: int | None = None,
) -> tuple[str, dict[str, str]]:
    """Canonicalize ``dataset`` with RDFC-1.0 (section 4.4.3).

    Returns the canonical N-Quads document (section 4.4.3 and section 5: every blank node
    relabelled ``_:c14n<n>``, distinct lines in code point order, each ending ``\\n``) and the
    issued identifiers map, from input blank node identifier to canonical identifier, both
    without the ``_:`` prefix, in issuance order.

    ``hash_algorithm`` is ``sha256`` (the default, section 4.4.3), ``sha384`` or ``sha512``
    (spelling ``SHA-384``/``SHA384`` is accepted); anything else raises :class:`ValueError`.

    The work budget ("Dataset Poisoning" in the security considerations) is
    ``max_deep_iterations`` Hash N-Degree Quads calls if given, else
    ``min(20_000, 4 * n ** (max_work_factor + 1))`` where ``n`` is the number of blank nodes whose
    first-degree hash is shared with another one (0 when ``max_work_factor`` is 0 or less: no deep
    inspection at all). Permutations tried are capped at 32 per allowed call and the recursion depth at 300.
    Running out raises :class:`ResourceLimitError`. A malformed dataset raises
    :class:`ParseError`. Datasets whose blank nodes all have distinct first-degree hashes (the
    usual credential) never call Hash N-Degree Quads and never touch the budget.
    """
    hash_fn = _hash_function(hash_algorithm)
    quads = _internal_quads(dataset)
    state = Canonicalizer(quads, hash_fn)
    state.run(max_work_factor, max_deep_iterations)
    canonical = state.canonical
    lines = []
    # Section 4.4.3 step 6 and section 5: replace blank node labels by canonical ones and serialize.
    for s, p, o, g, flags in quads:
        if flags:
            if flags & BNODE_S:
                s = "_:" + canonical[s]
            if flags & BNODE_O:
                o = "_:" + canonical[o]
            if flags & BNODE_G:
                g = "_:" + canonical[g]
        lines.append(f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n")
    lines.sort()
    document = "".join(lines)
    try:
        document.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ParseError("the dataset contains an unpaired surrogate code point") from exc
    issued = {label[2:]: value for label, value in canonical.items()}
    return document, issued


def canonicalize(
    dataset: DatasetLike,
    *,
    hash_algorithm: str = "sha256",
    max_work_factor: int = 1,
    max_deep_iterations: int | None = None,
) -> str:
    """The canonical N-Quads document of ``dataset`` (RDFC-1.0); see :func:`canonicalize_with_map`."""
    return canonicalize_with_map(
        dataset, hash_algorithm=hash_algorithm, max_work_factor=max_work_factor, max_deep_iterations=max_deep_iterations
    )[0]


def canonical_issuer_map(
    dataset: DatasetLike,
    *,
    hash_algorithm: str = "sha256",
    max_work_factor: int = 1,
    max_deep_iterations: int | None = None,
) -> dict[str, str]:
    """The issued identifiers map of RDFC-1.0 (section 4.4.3 step 6), labels without ``_:``."""
    return canonicalize_with_map(
        dataset, hash_algorithm=hash_algorithm, max_work_factor=max_work_factor, max_deep_iterations=max_deep_iterations
    )[1]
