"""The orderings of a blank node list tried by Hash N-Degree Quads (RDFC-1.0 section 4.8.3 step 5.4).

Pure Python, standard library only. :func:`orderings` yields every *distinct* ordering of a
list of blank node labels, in a fixed order: Steinhaus–Johnson–Trotter from the sorted list when
the labels are distinct, lexicographic when some repeat. The order only decides which of two tying
permutations wins, which affects the issued identifiers map of automorphic blank nodes and never
the canonical N-Quads; the work budget that bounds how many are tried is in
:mod:`vccore.canon._hashing`.
"""

from __future__ import annotations

from collections.abc import Iterator

__all__: list[str] = []


def orderings(items: list[str]) -> Iterator[list[str]]:
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
        current[i + 1 :] = reversed(current[i + 1 :])
