"""The hashing algorithms of RDFC-1.0 (W3C RDF Dataset Canonicalization, sections 4.2 and 4.4-4.8).

Pure Python, standard library only; section numbers refer to https://www.w3.org/TR/rdf-canon/.
:class:`Canonicalizer` holds the canonicalization state (section 4.2) over *internal quads*
(built by :mod:`vccore.canon.rdfc`) and implements Issue Identifier (4.5), Hash First Degree Quads
(4.6), Hash Related Blank Node (4.7), Hash N-Degree Quads (4.8) and steps 2-5 of the
Canonicalization algorithm (4.4.3): after :meth:`Canonicalizer.run`, ``canonical`` is the issued
identifiers map.

Poison graphs (security considerations, "Dataset Poisoning") are refused here: Hash N-Degree Quads
calls are bounded by a work budget (see ``_CALLS_PER_UNIT``), the permutations it tries and its
recursion depth are bounded too, and running out raises :class:`vccore.errors.ResourceLimitError`
(code ``RESOURCE_LIMIT_EXCEEDED``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vccore.canon._permutations import orderings
from vccore.errors import ResourceLimitError

__all__: list[str] = []

# Internal quad: (subject, predicate, object, graph, blank-node flags). Subject, object and graph
# hold either their serialized N-Quads text or a blank node label; bit 1/2/4 of the flags says the
# subject/object/graph is a blank node. The default graph is the empty string.
IQuad = tuple[str, str, str, str, int]
BNODE_S, BNODE_O, BNODE_G = 1, 2, 4

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


class Canonicalizer:
    """The canonicalization state of section 4.2 plus the work budget."""

    __slots__ = (
        "calls_left",
        "canonical",
        "depth",
        "first_degree",
        "hash",
        "limit",
        "node_quads",
        "permutations_left",
        "quads",
    )

    def __init__(self, quads: list[IQuad], hash_fn: Callable[[bytes], Any]) -> None:
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
            if flags & BNODE_S:
                s = "_:a" if s == label else "_:z"
            if flags & BNODE_O:
                o = "_:a" if o == label else "_:z"
            if flags & BNODE_G:
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
                "the dataset is too complex to canonicalize"
            )
        if self.depth >= _MAX_DEPTH:
            raise ResourceLimitError(
                f"RDFC-1.0 recursion deeper than {_MAX_DEPTH}; the dataset is too complex to canonicalize"
            )
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
            if flags & BNODE_S and s != label:
                hash_to_related.setdefault(self.hash_related(s, p, issuer, "s"), []).append(s)
            if flags & BNODE_O and o != label:
                hash_to_related.setdefault(self.hash_related(o, p, issuer, "o"), []).append(o)
            if flags & BNODE_G and g != label:
                hash_to_related.setdefault(self.hash_related(g, p, issuer, "g"), []).append(g)

        # Step 4: data to hash.
        data: list[str] = []
        # Step 5: related hashes in code point order.
        for related_hash in sorted(hash_to_related):
            data.append(related_hash)  # step 5.1
            chosen_path = ""  # step 5.2
            chosen_issuer: dict[str, str] | None = None  # step 5.3
            # Step 5.4: each permutation of the blank node list.
            for permutation in orderings(hash_to_related[related_hash]):
                self.permutations_left -= 1
                if self.permutations_left < 0:
                    raise ResourceLimitError(
                        "RDFC-1.0 work budget exhausted (too many permutations); the dataset is "
                        "too complex to canonicalize"
                    )
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
            if flags & BNODE_S:
                node_quads.setdefault(s, []).append(index)
            if flags & BNODE_O and not (flags & BNODE_S and o == s):
                node_quads.setdefault(o, []).append(index)
            if flags & BNODE_G and not (flags & BNODE_S and g == s) and not (flags & BNODE_O and g == o):
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
                0 if max_work_factor <= 0 else min(_MAX_CALLS, _CALLS_PER_UNIT * count ** (max_work_factor + 1))
            )
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
