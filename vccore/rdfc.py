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
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from vccore.errors import ParseError, ResourceLimitError

__all__ = [
    "RDF_LANGSTRING",
    "XSD_STRING",
    "Dataset",
    "DatasetLike",
    "Quad",
    "Term",
    "canonical_issuer_map",
    "canonicalize",
    "canonicalize_with_map",
    "parse_nquads",
    "serialize_nquad",
    "serialize_nquads",
]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: One RDF term in pyld's shape.
Term = dict[str, str]
#: One quad in pyld's shape (the graph name is the key of the list the quad is in).
Quad = dict[str, Term]
#: A dataset as produced by :func:`parse_nquads` and pyld's ``to_rdf``.
Dataset = dict[str, list[Quad]]
#: What the canonicalization functions accept (read only).
DatasetLike = Mapping[str, Sequence[Mapping[str, Mapping[str, Any]]]]

_DEFAULT_GRAPH = "@default"

_HASHES: dict[str, Callable[[bytes], Any]] = {
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}

# --------------------------------------------------------------------------------------------
# Canonical N-Quads (section 5 and appendix A, "A Canonical form of N-Quads")
# --------------------------------------------------------------------------------------------

# Literals: the seven characters with a short escape (ECHAR) use it; every other character in
# U+0000..U+001F and U+007F is written as \\uXXXX with upper-case hex digits; nothing else is
# escaped (test060).
_ESCAPES: dict[int, str] = {c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]}
_ESCAPES.update({
    0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\",
})
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f]')

# Characters that may not appear in an IRIREF (N-Quads 1.1 grammar, production [10]); an IRI
# holding one would break the line structure of the canonical form, so it is refused.
_BAD_IRI_CHAR = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGTAG = re.compile(r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")


def _escape_literal(value: str) -> str:
    if _NEEDS_ESCAPE.search(value) is None:
        return value
    return value.translate(_ESCAPES)


def _iri(value: Any) -> str:
    if not isinstance(value, str) or not value or _BAD_IRI_CHAR.search(value) is not None:
        raise ParseError(f"not a valid IRI for N-Quads: {value!r}")
    return "<" + value + ">"


def _literal(term: Mapping[str, Any]) -> str:
    value = term.get("value")
    if not isinstance(value, str):
        raise ParseError(f"literal value is not a string: {value!r}")
    out = '"' + _escape_literal(value) + '"'
    language = term.get("language")
    datatype = term.get("datatype")
    if language:
        if not isinstance(language, str) or _LANGTAG.fullmatch(language) is None:
            raise ParseError(f"not a valid language tag: {language!r}")
        if datatype not in (None, RDF_LANGSTRING):
            raise ParseError(f"a literal with a language tag has datatype {datatype!r}")
        return out + "@" + language
    if datatype is None or datatype == XSD_STRING:
        return out
    if datatype == RDF_LANGSTRING:
        raise ParseError("an rdf:langString literal has no language tag")
    return out + "^^" + _iri(datatype)


def _bnode_label(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("_:") or len(value) < 3 \
            or _BAD_IRI_CHAR.search(value) is not None:
        raise ParseError(f"not a valid blank node identifier: {value!r}")
    return value


def _term(term: Mapping[str, Any], position: str) -> tuple[str, bool]:
    """Serialize one term: (N-Quads text, False) or (blank node label, True)."""
    kind = term.get("type")
    if kind == "IRI":
        return _iri(term.get("value")), False
    if kind == "blank node":
        if position == "p":
            raise ParseError("a blank node cannot be a predicate")
        return _bnode_label(term.get("value")), True
    if kind == "literal" and position == "o":
        return _literal(term), False
    raise ParseError(f"unexpected term type {kind!r} in position {position!r}")


def serialize_nquad(quad: Mapping[str, Mapping[str, Any]], graph_name: str | None = None) -> str:
    """One quad as a canonical N-Quads line (appendix A), ending ``\\n``.

    ``graph_name`` is ``None`` or ``'@default'`` for the default graph, else an IRI or a blank node
    label (``'_:x'``). Blank node labels are written as they are.
    """
    s, _ = _term(quad["subject"], "s")
    p, _ = _term(quad["predicate"], "p")
    o, _ = _term(quad["object"], "o")
    if graph_name is None or graph_name == _DEFAULT_GRAPH:
        return f"{s} {p} {o} .\n"
    g = _bnode_label(graph_name) if graph_name.startswith("_:") else _iri(graph_name)
    return f"{s} {p} {o} {g} .\n"


def serialize_nquads(dataset: DatasetLike) -> str:
    """The dataset as an N-Quads document: distinct lines in code point order, blank node labels kept."""
    lines = {serialize_nquad(q, name) for name, quads in dataset.items() for q in quads}
    return "".join(sorted(lines))


# --------------------------------------------------------------------------------------------
# Canonicalization (section 4)
# --------------------------------------------------------------------------------------------

# Internal quad: (subject, predicate, object, graph, blank-node flags). Subject, object and graph
# hold either their serialized N-Quads text or a blank node label; bit 1/2/4 of the flags says the
# subject/object/graph is a blank node. The default graph is the empty string.
_IQuad = tuple[str, str, str, str, int]
_S, _O, _G = 1, 2, 4

# Work budget (security considerations, "Dataset Poisoning"). With ``n`` blank nodes whose
# first-degree hash is shared, a well-behaved dataset needs about ``n**2`` Hash N-Degree Quads
# calls (each of the ``n`` top-level calls visits the others once); the W3C tests 044-046 need
# ``3 * n**2`` (430 for n = 12). The default budget is ``_CALLS_PER_UNIT * n ** (max_work_factor
# + 1)``: 576 calls for those tests, 400 for the 10-node clique of test074, which it refuses in a
# few tens of milliseconds.
_CALLS_PER_UNIT = 4
# ... and never more than this many calls: quadratic growth is still too much for a crafted input
# (a ring of 300 look-alike blank nodes needs 90,000 calls, seconds of work). Legitimate credentials
# need a handful. An explicit ``max_deep_iterations`` is not capped.
_MAX_CALLS = 20_000
# Permutations tried in step 5.4 are also bounded (a multiple of the call budget): all but the
# first of them can be abandoned by the path comparison before they recurse, so the call budget
# alone would not bound them. The tests need about 6 per call.
_PERMUTATIONS_PER_CALL = 32
# Recursion depth of Hash N-Degree Quads (a long chain of look-alike blank nodes); kept well
# under Python's default recursion limit of 1000 frames.
_MAX_DEPTH = 300


def _line(s: str, p: str, o: str, g: str) -> str:
    if g:
        return s + " " + p + " " + o + " " + g + " .\n"
    return s + " " + p + " " + o + " .\n"


def _permutations(items: list[str]) -> Iterator[list[str]]:
    """Every distinct ordering of ``items`` (section 4.8.3 step 5.4 leaves the order open).

    Distinct elements are permuted in Steinhaus–Johnson–Trotter order starting from the sorted
    list, so that when two permutations tie on the chosen path the same one wins as in other
    widely deployed implementations (this affects only the issued identifiers map of automorphic
    blank nodes, never the canonical N-Quads). A list can hold the same blank node more than once
    (the same quad shape in several named graphs); identical orderings give identical paths and
    issuers, so only the distinct ones are produced (lexicographic order), which keeps
    ``k`` copies of one node from costing ``k!`` iterations.
    """
    current = sorted(items)
    n = len(current)
    if n == 1:
        yield current
        return
    if len(set(current)) < n:
        yield from _multiset_permutations(current)
        return
    # SJT over positions 0..n-1 of the sorted list: direction -1 looks left, +1 looks right.
    perm = list(range(n))
    direction = [-1] * n
    while True:
        yield [current[i] for i in perm]
        mobile = -1
        for pos, value in enumerate(perm):
            j = pos + direction[value]
            if 0 <= j < n and value > perm[j] and (mobile < 0 or value > perm[mobile]):
                mobile = pos
        if mobile < 0:
            return
        value = perm[mobile]
        j = mobile + direction[value]
        perm[mobile], perm[j] = perm[j], perm[mobile]
        for other in range(value + 1, n):
            direction[other] = -direction[other]


def _multiset_permutations(current: list[str]) -> Iterator[list[str]]:
    """Distinct permutations of a sorted list with repeats, in lexicographic order."""
    n = len(current)
    while True:
        yield list(current)
        i = n - 2
        while i >= 0 and current[i] >= current[i + 1]:
            i -= 1
        if i < 0:
            return
        j = n - 1
        while current[j] <= current[i]:
            j -= 1
        current[i], current[j] = current[j], current[i]
        current[i + 1:] = reversed(current[i + 1:])


class _Canonicalizer:
    """The canonicalization state of section 4.2 plus the work budget."""

    __slots__ = (
        "calls_left", "canonical", "depth", "first_degree", "hash", "limit", "node_quads",
        "permutations_left", "quads",
    )

    def __init__(self, quads: list[_IQuad], hash_fn: Callable[[bytes], Any]) -> None:
        self.quads = quads
        self.hash = hash_fn
        # blank node to quads map (section 4.2): label -> indexes into self.quads
        self.node_quads: dict[str, list[int]] = {}
        # hash of each blank node from the Hash First Degree Quads algorithm (cached)
        self.first_degree: dict[str, str] = {}
        # canonical issuer (section 4.2): issued identifiers map, in issuance order
        self.canonical: dict[str, str] = {}
        # work budget ("Dataset Poisoning"): Hash N-Degree Quads calls and permutations still allowed
        self.limit = 0
        self.calls_left = 0
        self.permutations_left = 0
        self.depth = 0

    def _digest(self, data: str) -> str:
        return str(self.hash(data.encode("utf-8")).hexdigest())

    def _issue_canonical(self, label: str) -> None:
        """Issue Identifier algorithm (section 4.5) for the canonical issuer, prefix ``c14n``."""
        if label not in self.canonical:
            self.canonical[label] = "c14n" + str(len(self.canonical))

    def hash_first_degree(self, label: str) -> str:
        """Hash First Degree Quads (section 4.6).

        Step 3: each quad mentioning the reference blank node is serialized with that blank node
        as ``_:a`` and every other blank node as ``_:z``; step 4 sorts the lines; step 5 hashes
        their concatenation.
        """
        lines = []
        quads = self.quads
        for index in self.node_quads[label]:
            s, p, o, g, flags = quads[index]
            if flags & _S:
                s = "_:a" if s == label else "_:z"
            if flags & _O:
                o = "_:a" if o == label else "_:z"
            if flags & _G:
                g = "_:a" if g == label else "_:z"
            lines.append(_line(s, p, o, g))
        lines.sort()
        result = self._digest("".join(lines))
        self.first_degree[label] = result
        return result

    def hash_related(self, related: str, predicate: str, issuer: dict[str, str], position: str) -> str:
        """Hash Related Blank Node (section 4.7).

        Step 1 starts with the position (``s``, ``o`` or ``g``); step 2 appends ``<predicate>``
        unless the position is ``g``; step 3 picks the canonical identifier, else the one from
        ``issuer``, else the first-degree hash; step 4 appends it; step 5 hashes.
        """
        canonical = self.canonical.get(related)
        if canonical is not None:
            identifier = "_:" + canonical
        else:
            temporary = issuer.get(related)
            identifier = "_:" + temporary if temporary is not None else self.first_degree[related]
        if position == "g":
            return self._digest("g" + identifier)
        return self._digest(position + predicate + identifier)

    def hash_n_degree(self, label: str, issuer: dict[str, str]) -> tuple[str, dict[str, str]]:
        """Hash N-Degree Quads (section 4.8.3); returns (hash, identifier issuer).

        Issuers are dicts from blank node label to temporary identifier ``b<n>`` in issuance
        order; a copy (step 5.4.1) is ``dict(issuer)``. Each call and each permutation tried in
        step 5.4 spend the work budget ("Dataset Poisoning"), and the recursion depth is capped; running
        out raises :class:`ResourceLimitError`.
        """
        if self.calls_left <= 0:
            raise ResourceLimitError(
                f"RDFC-1.0 work budget exhausted ({self.limit} Hash N-Degree Quads calls); "
                "the dataset is too complex to canonicalize")
        if self.depth >= _MAX_DEPTH:
            raise ResourceLimitError(
                f"RDFC-1.0 recursion deeper than {_MAX_DEPTH}; the dataset is too complex to "
                "canonicalize")
        self.calls_left -= 1
        self.depth += 1
        try:
            return self._hash_n_degree(label, issuer)
        finally:
            self.depth -= 1

    def _hash_n_degree(self, label: str, issuer: dict[str, str]) -> tuple[str, dict[str, str]]:
        canonical = self.canonical
        quads = self.quads

        # Steps 1-3: hash to related blank nodes map.
        hash_to_related: dict[str, list[str]] = {}
        for index in self.node_quads[label]:
            s, p, o, g, flags = quads[index]
            # Step 3.1: subject, object and graph name, in that order.
            if flags & _S and s != label:
                hash_to_related.setdefault(self.hash_related(s, p, issuer, "s"), []).append(s)
            if flags & _O and o != label:
                hash_to_related.setdefault(self.hash_related(o, p, issuer, "o"), []).append(o)
            if flags & _G and g != label:
                hash_to_related.setdefault(self.hash_related(g, p, issuer, "g"), []).append(g)

        # Step 4: data to hash.
        data: list[str] = []
        # Step 5: related hashes in code point order.
        for related_hash in sorted(hash_to_related):
            data.append(related_hash)  # step 5.1
            chosen_path = ""  # step 5.2
            chosen_issuer: dict[str, str] | None = None  # step 5.3
            # Step 5.4: each permutation of the blank node list.
            for permutation in _permutations(hash_to_related[related_hash]):
                self.permutations_left -= 1
                if self.permutations_left < 0:
                    raise ResourceLimitError(
                        "RDFC-1.0 work budget exhausted (too many permutations); the dataset is "
                        "too complex to canonicalize")
                issuer_copy = dict(issuer)  # step 5.4.1
                path = ""  # step 5.4.2
                recursion: list[str] = []  # step 5.4.3
                skip = False
                for related in permutation:  # step 5.4.4
                    issued = canonical.get(related)
                    if issued is None:  # step 5.4.4.2
                        issued = issuer_copy.get(related)
                        if issued is None:
                            recursion.append(related)  # step 5.4.4.2.1
                            issued = "b" + str(len(issuer_copy))  # step 5.4.4.2.2
                            issuer_copy[related] = issued
                    path += "_:" + issued  # steps 5.4.4.1 / 5.4.4.2.2
                    # Step 5.4.4.3. The spec also requires len(path) >= len(chosen_path); leaving
                    # that out prunes earlier without changing the result: a path that is already
                    # greater than chosen path differs from it at a position it covers, so every
                    # extension of it is greater too and could never be chosen in step 5.4.6.
                    if chosen_path and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                for related in recursion:  # step 5.4.5
                    result_hash, result_issuer = self.hash_n_degree(related, issuer_copy)  # 5.4.5.1
                    # Step 5.4.5.2: ``related`` already has an identifier in issuer copy.
                    path += "_:" + issuer_copy[related] + "<" + result_hash + ">"  # step 5.4.5.3
                    issuer_copy = result_issuer  # step 5.4.5.4
                    if chosen_path and path > chosen_path:  # step 5.4.5.5 (see above)
                        skip = True
                        break
                if skip:
                    continue
                if not chosen_path or path < chosen_path:  # step 5.4.6
                    chosen_path = path
                    chosen_issuer = issuer_copy
            data.append(chosen_path)  # step 5.5
            assert chosen_issuer is not None
            issuer = chosen_issuer  # step 5.6
        # Step 6.
        return self._digest("".join(data)), issuer

    def run(self, max_work_factor: int, max_deep_iterations: int | None) -> None:
        """Canonicalization algorithm (section 4.4.3), steps 2-5: issue every canonical identifier."""
        # Step 2: blank node to quads map (each quad listed once per blank node).
        node_quads = self.node_quads
        for index, (s, _p, o, g, flags) in enumerate(self.quads):
            if flags & _S:
                node_quads.setdefault(s, []).append(index)
            if flags & _O and not (flags & _S and o == s):
                node_quads.setdefault(o, []).append(index)
            if flags & _G and not (flags & _S and g == s) and not (flags & _O and g == o):
                node_quads.setdefault(g, []).append(index)

        # Step 3: first-degree hash of every blank node; hash to blank nodes map.
        hash_to_nodes: dict[str, list[str]] = {}
        for label in node_quads:
            hash_to_nodes.setdefault(self.hash_first_degree(label), []).append(label)

        # Step 4: in code point order of hash, nodes with a unique hash get canonical identifiers.
        shared: list[list[str]] = []
        for first_hash in sorted(hash_to_nodes):
            labels = hash_to_nodes[first_hash]
            if len(labels) > 1:
                shared.append(labels)  # step 4.1; kept in hash order for step 5
            else:
                self._issue_canonical(labels[0])  # step 4.2
        if not shared:
            return

        # Work budget ("Dataset Poisoning").
        if max_deep_iterations is None:
            count = sum(len(labels) for labels in shared)
            max_deep_iterations = (
                0 if max_work_factor <= 0
                else min(_MAX_CALLS, _CALLS_PER_UNIT * count ** (max_work_factor + 1)))
        self.limit = self.calls_left = max_deep_iterations
        self.permutations_left = _PERMUTATIONS_PER_CALL * max(max_deep_iterations, 1)

        # Step 5: the remaining hashes, in code point order.
        for labels in shared:
            hash_path_list: list[tuple[str, dict[str, str]]] = []  # step 5.1
            for label in labels:  # step 5.2
                if label in self.canonical:  # step 5.2.1
                    continue
                temporary = {label: "b0"}  # steps 5.2.2 and 5.2.3
                hash_path_list.append(self.hash_n_degree(label, temporary))  # step 5.2.4
            # Step 5.3: results in code point order of hash (stable for equal hashes).
            hash_path_list.sort(key=lambda result: result[0])
            for _hash, issuer in hash_path_list:
                for existing in issuer:  # step 5.3.1, in issuance order
                    self._issue_canonical(existing)


def _hash_function(hash_algorithm: str) -> Callable[[bytes], Any]:
    name = hash_algorithm.lower().replace("-", "")
    try:
        return _HASHES[name]
    except KeyError:
        raise ValueError(f"unsupported RDFC-1.0 hash algorithm {hash_algorithm!r}") from None


def _internal_quads(dataset: DatasetLike) -> list[_IQuad]:
    """Convert to internal quads (serializing every term as in appendix A), dropping duplicates.

    This runs on every verification, so it is inlined: IRIs and blank node labels are collected
    and checked for characters not allowed in an IRIREF in one pass over their concatenation;
    only when that finds one is the offender looked up for the error message.
    """
    if not isinstance(dataset, Mapping):
        raise ParseError("an RDF dataset must be a mapping from graph name to quads")
    seen: set[_IQuad] = set()
    out: list[_IQuad] = []
    names: list[str] = []  # IRIs and blank node labels, checked together below
    needs_escape = _NEEDS_ESCAPE.search
    for graph_name, quads in dataset.items():
        if graph_name == _DEFAULT_GRAPH:
            g, g_flag = "", 0
        elif isinstance(graph_name, str) and graph_name.startswith("_:"):
            g, g_flag = _bnode_label(graph_name), _G
        else:
            g, g_flag = _iri(graph_name), 0
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
                    flags = g_flag | _S
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
                        o = o.translate(_ESCAPES)
                    o = '"' + o + '"'
                    datatype = term.get("datatype")
                    if term.get("language"):
                        o = _literal(term)
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
                    flags |= _O
                else:
                    raise ParseError(f"not a valid object: {term!r}")
            except (KeyError, TypeError, AttributeError) as exc:
                raise ParseError(f"malformed quad in graph {graph_name!r}: {quad!r}") from exc
            item = (s, p, o, g, flags)
            if item not in seen:
                seen.add(item)
                out.append(item)
    if "" in names or "_:" in names or _BAD_IRI_CHAR.search("".join(names)) is not None:
        for name in names:
            if name == "" or name == "_:" or _BAD_IRI_CHAR.search(name) is not None:
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
    state = _Canonicalizer(quads, hash_fn)
    state.run(max_work_factor, max_deep_iterations)
    canonical = state.canonical
    lines = []
    # Section 4.4.3 step 6 and section 5: replace blank node labels by canonical ones and serialize.
    for s, p, o, g, flags in quads:
        if flags:
            if flags & _S:
                s = "_:" + canonical[s]
            if flags & _O:
                o = "_:" + canonical[o]
            if flags & _G:
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
        dataset, hash_algorithm=hash_algorithm, max_work_factor=max_work_factor,
        max_deep_iterations=max_deep_iterations)[0]


def canonical_issuer_map(
    dataset: DatasetLike,
    *,
    hash_algorithm: str = "sha256",
    max_work_factor: int = 1,
    max_deep_iterations: int | None = None,
) -> dict[str, str]:
    """The issued identifiers map of RDFC-1.0 (section 4.4.3 step 6), labels without ``_:``."""
    return canonicalize_with_map(
        dataset, hash_algorithm=hash_algorithm, max_work_factor=max_work_factor,
        max_deep_iterations=max_deep_iterations)[1]


# --------------------------------------------------------------------------------------------
# N-Quads parser (RDF 1.1 N-Quads, https://www.w3.org/TR/n-quads/, section 5 "Grammar")
# --------------------------------------------------------------------------------------------

_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_:"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_IRIREF = r'<((?:[^\x00-\x20<>"{}|^`\\]|' + _UCHAR + r")*)>"
_BLANK = r"(_:[" + _PN_CHARS_U + r"0-9](?:[" + _PN_CHARS + r".]*[" + _PN_CHARS + r"])?)"
_STRING = r'"((?:[^"\\\n\r]|\\[tbnrf"\'\\]|' + _UCHAR + r')*)"'
_LANG = r"@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*)"
_WS = r"[ \t]*"
_STATEMENT = re.compile(
    _WS + "(?:" + _IRIREF + "|" + _BLANK + ")"  # subject: 1, 2
    + _WS + _IRIREF  # predicate: 3
    + _WS + "(?:" + _IRIREF + "|" + _BLANK  # object: 4, 5
    + "|" + _STRING + "(?:" + _WS + r"\^\^" + _WS + _IRIREF + "|" + _LANG + ")?)"  # 6, 7, 8
    + _WS + "(?:(?:" + _IRIREF + "|" + _BLANK + ")" + _WS + ")?"  # graph label: 9, 10
    + r"\." + _WS + "(?:#.*)?"
)
_BLANK_OR_COMMENT = re.compile(_WS + "(?:#.*)?")
_EOL = re.compile(r"\r\n?|\n")
_ESCAPE_SEQUENCE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def _unescape_match(match: re.Match[str]) -> str:
    hex_digits = match.group(1) or match.group(2)
    if hex_digits is None:
        return _ECHAR[match.group(3)]
    code = int(hex_digits, 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise ValueError(f"\\u escape of a non-character U+{code:04X}")
    return chr(code)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPE_SEQUENCE.sub(_unescape_match, text)


def _parse_iri(text: str) -> str:
    value = _unescape(text)
    if _SCHEME.match(value) is None:
        raise ValueError(f"relative IRI <{value}>")
    if _BAD_IRI_CHAR.search(value) is not None:
        raise ValueError(f"an escape in <{text}> gives a character not allowed in an IRI")
    return value


def parse_nquads(text: str) -> Dataset:
    """Parse an N-Quads document strictly into pyld's dataset shape.

    Follows the RDF 1.1 N-Quads grammar: absolute IRIs only, ``\\u``/``\\U`` escapes decoded
    (a surrogate or out-of-range code point is an error), the eight ECHAR escapes in strings,
    one statement per line, ``#`` comments. Literals always get a ``datatype``
    (``xsd:string`` or ``rdf:langString`` when not given). Duplicate quads are dropped. Raises
    :class:`ParseError` naming the line of the first error.
    """
    dataset: Dataset = {}
    seen: set[tuple[str, ...]] = set()
    for number, line in enumerate(_EOL.split(text), start=1):
        match = _STATEMENT.fullmatch(line)
        if match is None:
            if _BLANK_OR_COMMENT.fullmatch(line) is not None:
                continue
            raise ParseError(f"N-Quads line {number}: not a valid statement: {line!r}")
        groups = match.groups()
        try:
            subject: Term = (
                {"type": "IRI", "value": _parse_iri(groups[0])} if groups[0] is not None
                else {"type": "blank node", "value": groups[1]})
            predicate: Term = {"type": "IRI", "value": _parse_iri(groups[2])}
            obj: Term
            if groups[3] is not None:
                obj = {"type": "IRI", "value": _parse_iri(groups[3])}
            elif groups[4] is not None:
                obj = {"type": "blank node", "value": groups[4]}
            else:
                obj = {"type": "literal", "value": _unescape(groups[5])}
                if groups[6] is not None:
                    obj["datatype"] = _parse_iri(groups[6])
                elif groups[7] is not None:
                    obj["datatype"] = RDF_LANGSTRING
                    obj["language"] = groups[7]
                else:
                    obj["datatype"] = XSD_STRING
            if groups[8] is not None:
                graph = _parse_iri(groups[8])
            elif groups[9] is not None:
                graph = groups[9]
            else:
                graph = _DEFAULT_GRAPH
        except ValueError as exc:
            raise ParseError(f"N-Quads line {number}: {exc}") from None
        key = (graph, subject["type"], subject["value"], predicate["value"], obj["type"],
               obj["value"], obj.get("datatype", ""), obj.get("language", ""))
        if key in seen:
            continue
        seen.add(key)
        dataset.setdefault(graph, []).append(
            {"subject": subject, "predicate": predicate, "object": obj})
    return dataset
