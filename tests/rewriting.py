"""Rewriting a signed JSON-LD document into an equivalent spelling, for the one-reading tests (issue 12).

:func:`spots` walks a document with the active context a JSON-LD processor uses at each position (pyld's
context processing, through the expander's :meth:`~vccore.jsonld._expander.Expander.enter`) and lists every
place a key, a type or a value could be spelled otherwise; :func:`rewrite` applies chosen rewritings.
Every rewriting keeps the RDF graph. SPELLINGS change how something is written (refused by the one
reading); HARMLESS ones only wrap a single value in an array or reorder keys (read the same way).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from vccore.jsonld._context_cache import Processor
from vccore.jsonld._expander import Expander, expand_iri
from vccore.jsonld.loader import DocumentLoader
from vccore.result import VerificationResult

LOADER = DocumentLoader(include_test_contexts=True)


@dataclass(frozen=True)
class Spot:
    """One place in a document: ``path`` to a node, the ``key`` there, what it means (``iri``), and for a
    value its position (``index`` in an array or None) and the term's type coercion."""

    kind: str  # "key", "alias", "type", "value"
    path: tuple[Any, ...]
    key: str
    iri: str = ""
    index: int | None = None
    coercion: str | None = None


def spots(document: Mapping[str, Any]) -> list[Spot]:
    """Every rewritable place, found with the active context at each position (pyld's processing)."""
    proc = Processor(LOADER, max_memo=512)
    exp = Expander(proc, safe=False)
    out: list[Spot] = []

    def walk(ctx: Any, prop: str | None, node: Mapping[str, Any], path: tuple[Any, ...]) -> None:
        if prop == "proof" and "@context" in node:
            return
        ctx, type_ctx = exp.enter(ctx, prop, dict(node))
        for key, value in node.items():
            if key == "@context":
                continue
            mapping = ctx["mappings"].get(key)
            if mapping is None:
                continue
            iri = mapping["@id"]
            if iri in ("@id", "@type"):
                out.append(Spot("alias", path, key, iri))
                if iri == "@type":
                    for i, t in enumerate(value if isinstance(value, list) else [value]):
                        expanded = expand_iri(type_ctx, t, True)
                        if isinstance(t, str) and expanded and expanded != t and ":" in expanded:
                            out.append(Spot("type", path, key, expanded, i if isinstance(value, list) else None))
                continue
            if mapping.get("@type") == "@json":  # a JSON literal: [x] is another literal than x
                out.append(Spot("key", path, key, iri, coercion="@json"))
                continue
            out.append(Spot("key", path, key, iri))
            scoped = mapping.get("@context")
            term_ctx = proc.scoped(ctx, scoped, override_protected=True) if scoped is not None else ctx
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                index = i if isinstance(value, list) else None
                if isinstance(item, Mapping):
                    if "@value" not in item:
                        walk(term_ctx, key, item, (*path, key, *((i,) if index is not None else ())))
                elif isinstance(item, str):
                    coercion = (term_ctx["mappings"].get(key) or {}).get("@type")
                    if coercion not in ("@id", "@vocab") and "@language" not in (term_ctx["mappings"].get(key) or {}):
                        out.append(Spot("value", path, key, iri, index, coercion))

    walk(proc._get_initial_context(proc.options), None, document, ())
    return out


def _node(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


SPELLINGS = ("iri-key", "compact-key", "alias", "type-iri", "value-object")
HARMLESS = ("wrap", "reorder")


def rewrite(document: Mapping[str, Any], ops: list[tuple[str, Spot]]) -> dict[str, Any]:
    """Apply ``ops`` (deepest first, so paths stay valid) to a copy of ``document``."""
    out = copy.deepcopy(dict(document))
    order = {"value-object": 0, "type-iri": 0, "wrap": 1, "reorder": 2, "alias": 3, "iri-key": 3, "compact-key": 3}
    done: set[tuple[Any, ...]] = set()
    for op, spot in sorted(ops, key=lambda o: (-len(o[1].path), order[o[0]])):
        node = _node(out, spot.path)
        if spot.key not in node or (*spot.path, spot.key) in done:
            continue
        if op in ("iri-key", "compact-key", "alias"):
            new = {
                "iri-key": spot.iri,
                "alias": spot.iri,
                "compact-key": f"x{abs(hash(spot.iri)) % 97}:{spot.iri.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}",
            }[op]
            items = list(node.items())
            node.clear()
            node.update((new if k == spot.key else k, v) for k, v in items)
            done.add((*spot.path, spot.key))
        elif op == "type-iri":
            if spot.index is None:
                node[spot.key] = spot.iri
            else:
                node[spot.key][spot.index] = spot.iri
        elif op == "value-object":
            holder, where = (node[spot.key], spot.index) if spot.index is not None else (node, spot.key)
            value = holder[where]
            if isinstance(value, str):
                holder[where] = {"@value": value} | ({"@type": spot.coercion} if spot.coercion else {})
        elif op == "wrap":
            if not isinstance(node[spot.key], list):
                node[spot.key] = [node[spot.key]]
        elif op == "reorder":
            items = list(node.items())
            node.clear()
            node.update(reversed(items))
    return out


def fingerprint(result: VerificationResult) -> list[Any]:
    """Every check, in order: name, passed, problems (code and pointer), and the same of nested results."""
    return [
        (
            c.name,
            c.passed,
            sorted((p.code.value, p.pointer) for p in c.problems),
            [fingerprint(child) for child in c.children],
        )
        for c in result.checks
    ]


def ops_for(document: Mapping[str, Any]) -> st.SearchStrategy[list[tuple[str, Spot]]]:
    """One to three rewritings of ``document`` at random places."""
    choices: list[tuple[str, Spot]] = []
    for spot in spots(document):
        if spot.kind == "key":
            wrap = [] if spot.coercion == "@json" else [("wrap", spot)]  # wrapping a JSON literal changes it
            choices += [("iri-key", spot), ("compact-key", spot), *wrap, ("reorder", spot)]
        elif spot.kind == "alias":  # an @id is one string (an array is invalid JSON-LD); @type may be wrapped
            choices += [("alias", spot), *([("wrap", spot)] if spot.iri == "@type" else [])]
        elif spot.kind == "type":
            choices.append(("type-iri", spot))
        elif spot.kind == "value":
            choices.append(("value-object", spot))
    return st.lists(st.sampled_from(choices), min_size=1, max_size=3)
