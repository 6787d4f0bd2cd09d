"""A small declarative condition language for recognition rules (a documented JsonLogic subset).

Modelled on JsonLogic (jsonlogic.com) and its strict profile CertLogic (EU DCC business rules): an
expression is a JSON literal, an array of expressions, or an object with exactly one key, the
operator, whose value is the operand (or the list of operands). Checking happens once, at load
(:func:`compile_condition`): an unknown operator, a wrong number of operands, a non-finite number,
more than ``max_nodes`` nodes or nesting deeper than ``max_depth`` is a ``RULE_ERROR``. Evaluation
(:meth:`Condition.evaluate`) is total, deterministic and side-effect free: it never raises on any
data; data of the wrong shape simply gives ``null`` or ``false``. Each evaluation has a step budget;
a run that exceeds it stops with value ``null`` and ``exhausted`` set.

Operators (``data`` is the evaluation context; for rules see ``docs/rules.md``):

- ``{"var": "a.b.0"}`` / ``{"var": ["a.b", default]}``: the value at a dotted path (object keys,
  list indexes); missing gives the default (itself an expression, evaluated only when needed) or null.
- ``==`` / ``!=``: strict equality of scalars (null, booleans, numbers, strings; ``true`` is not
  ``1``). Arrays and objects are never equal nor unequal: both operators give ``false``.
- ``in``: ``[x, list]`` is list membership (strict equality); ``[s, t]`` with two strings is substring.
- ``<`` ``<=`` (two or three operands, "between") and ``>`` ``>=``: numbers, or two dates. Anything
  else is ``false``; strings are never compared as text.
- ``and`` / ``or``: short-circuit, always a boolean. ``!``: boolean negation. Truthiness is
  JsonLogic's: ``false``, ``null``, ``0``, NaN, ``""`` and ``[]`` are false.
- ``if``: ``[c1, v1, c2, v2, ..., else]`` (an odd count of at least three).
- ``yearsBetween``: ``[from, to]``, whole years from one date to the other (an anniversary counts
  on the day: 2023-06-30 to 2026-06-30 is 3, to 2025-12-31 is 2; from 29 February the anniversary in
  a common year is 1 March). Negative when ``to`` is earlier; null unless both are dates.
- ``yearsSince``: ``x`` is ``yearsBetween`` from ``x`` to ``data.asOf``.
- ``hasType``: ``[x, "T"]``: ``x.type`` (or ``x`` itself), a string or list of strings, includes T.
- ``some`` / ``all`` / ``none``: ``[list, predicate]``. The predicate sees the outer context with
  ``it`` bound to the element (unlike JsonLogic, which replaces the context, so that ``asOf`` stays
  in reach). ``all`` of an empty or non-list value is ``false`` (as JsonLogic).

A date is a ``datetime.date`` or a string ``YYYY-MM-DD``, optionally followed by an XSD time part;
the calendar date is taken as written, not shifted to UTC (a certificate dated 2023-06-30 in Beijing
stays 2023-06-30).
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from vccore.errors import Code, SkillcredError

MAX_NODES: Final = 256
MAX_DEPTH: Final = 16
MAX_STEPS: Final = 10_000

_ARITY: Final[dict[str, tuple[int, int]]] = {
    "var": (1, 2),
    "==": (2, 2),
    "!=": (2, 2),
    "in": (2, 2),
    "<": (2, 3),
    "<=": (2, 3),
    ">": (2, 2),
    ">=": (2, 2),
    "and": (1, 64),
    "or": (1, 64),
    "!": (1, 1),
    "if": (3, 63),
    "yearsBetween": (2, 2),
    "yearsSince": (1, 1),
    "hasType": (2, 2),
    "some": (2, 2),
    "all": (2, 2),
    "none": (2, 2),
}
OPERATORS: Final = frozenset(_ARITY)
_UNARY: Final = frozenset({"var", "!", "yearsSince"})
_DATE: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?"
)


@dataclass(frozen=True)
class Step:
    """One operator application: where it is in the expression, its operands' values, its value."""

    op: str
    path: str
    args: tuple[Any, ...]
    value: Any


@dataclass(frozen=True)
class Outcome:
    value: Any
    trace: tuple[Step, ...]
    exhausted: bool = False

    @property
    def holds(self) -> bool:
        return not self.exhausted and truthy(self.value)


@dataclass(frozen=True)
class _Node:
    op: str  # an operator, or "lit" / "array"
    path: str
    args: tuple[_Node, ...] = ()
    value: Any = None  # the literal, or the var path as a tuple of segments


class _Exhausted(Exception):
    pass


def _error(pointer: str, detail: str) -> SkillcredError:
    return SkillcredError(f"condition {pointer or '/'}: {detail}", code=Code.RULE_ERROR, pointer=pointer)


class _Compiler:
    def __init__(self, max_nodes: int, max_depth: int) -> None:
        self.max_nodes, self.max_depth, self.nodes, self.depth = max_nodes, max_depth, 0, 0

    def node(self, expr: Any, path: str, depth: int) -> _Node:
        self.nodes += 1
        self.depth = max(self.depth, depth)
        if self.nodes > self.max_nodes:
            raise _error(path, f"more than {self.max_nodes} nodes")
        if depth > self.max_depth:
            raise _error(path, f"nested deeper than {self.max_depth} levels")
        if expr is None or isinstance(expr, bool | str):
            return _Node("lit", path, value=expr)
        if isinstance(expr, int | float):
            if isinstance(expr, float) and not math.isfinite(expr):
                raise _error(path, f"{expr!r} is not a JSON number")
            return _Node("lit", path, value=expr)
        if isinstance(expr, list | tuple):
            items = tuple(self.node(x, f"{path}/{i}", depth + 1) for i, x in enumerate(expr))
            return _Node("array", path, items)
        if not isinstance(expr, Mapping):
            raise _error(path, f"{type(expr).__name__} is not JSON")
        if len(expr) != 1:
            raise _error(path, f"an operation has exactly one key, got {sorted(map(str, expr))!r}")
        ((op, raw),) = expr.items()
        if op not in _ARITY:
            raise _error(path, f"unknown operator {op!r}")
        here = f"{path}/{op}"
        operands = list(raw) if isinstance(raw, list | tuple) else [raw]
        if op in _UNARY and not isinstance(raw, list | tuple):
            operands = [raw]
        low, high = _ARITY[op]
        if not low <= len(operands) <= high or (op == "if" and len(operands) % 2 == 0):
            raise _error(here, f"{op!r} takes {low}..{high} operands, got {len(operands)}")
        if op == "var":
            key = operands[0]
            if isinstance(key, bool) or not isinstance(key, str | int):
                raise _error(here, "the path of 'var' is a string")
            segments = tuple(str(key).split(".")) if str(key) else ()
            rest = tuple(self.node(x, f"{here}/1", depth + 1) for x in operands[1:])
            return _Node("var", here, rest, segments)
        args = tuple(self.node(x, f"{here}/{i}", depth + 1) for i, x in enumerate(operands))
        return _Node(op, here, args)


@dataclass(frozen=True)
class Condition:
    """A checked expression. Build with :func:`compile_condition`; evaluate with :meth:`evaluate`."""

    expression: Any
    root: _Node
    nodes: int
    depth: int

    def __hash__(self) -> int:
        return hash(json.dumps(self.expression, sort_keys=True))

    def variables(self) -> frozenset[str]:
        """Every ``var`` path in the expression, dotted (``declared.workField``)."""
        out: set[str] = set()
        stack = [self.root]
        while stack:
            node = stack.pop()
            if node.op == "var":
                out.add(".".join(node.value))
            stack.extend(node.args)
        return frozenset(out)

    def evaluate(self, data: Any, *, max_steps: int = MAX_STEPS) -> Outcome:
        run = _Run(max_steps)
        try:
            value = run.eval(self.root, data)
        except _Exhausted:
            return Outcome(None, tuple(run.trace), True)
        return Outcome(value, tuple(run.trace))


def compile_condition(
    expression: Any, *, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH, pointer: str = ""
) -> Condition:
    """Check ``expression`` against the subset above. Raises ``SkillcredError(RULE_ERROR)``."""
    compiler = _Compiler(max_nodes, max_depth)
    root = compiler.node(expression, pointer, 1)
    return Condition(copy.deepcopy(expression), root, compiler.nodes, compiler.depth)


def truthy(value: Any) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value == value and value != 0
    if isinstance(value, str | list | tuple):
        return len(value) > 0
    return True


def as_date(value: Any) -> date | None:
    """A ``date`` from a date, or from a ``YYYY-MM-DD[Thh:mm...]`` string; None otherwise."""
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    if not isinstance(value, str) or len(value) > 64:
        return None
    found = _DATE.fullmatch(value)
    if found is None:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def whole_years(start: date, end: date) -> int:
    """Completed years from ``start`` to ``end`` (negative if ``end`` is earlier)."""
    if end < start:
        return -whole_years(end, start)
    years = end.year - start.year
    return years - 1 if (end.month, end.day) < (start.month, start.day) else years


def _scalar(x: Any) -> bool:
    return x is None or isinstance(x, bool | int | float | str)


def _same(a: Any, b: Any) -> bool:
    if not (_scalar(a) and _scalar(b)):
        return False
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    return bool(a == b)


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _ordered(a: Any, b: Any, strict: bool) -> bool:
    if _number(a) and _number(b):
        return bool(a < b) if strict else bool(a <= b)
    da, db = as_date(a), as_date(b)
    if da is None or db is None:
        return False
    return da < db if strict else da <= db


def _type_names(x: Any) -> list[str]:
    t = x.get("type") if isinstance(x, Mapping) else x
    if isinstance(t, str):
        return [t]
    if isinstance(t, list | tuple):
        return [v for v in t if isinstance(v, str)]
    return []


class _Run:
    def __init__(self, max_steps: int) -> None:
        self.left = max_steps
        self.trace: list[Step] = []

    def record(self, node: _Node, args: tuple[Any, ...], value: Any) -> Any:
        self.trace.append(Step(node.op, node.path, args, value))
        return value

    def eval(self, node: _Node, data: Any) -> Any:
        self.left -= 1
        if self.left < 0:
            raise _Exhausted
        op = node.op
        if op == "lit":
            return node.value
        if op == "array":
            return [self.eval(a, data) for a in node.args]
        if op == "var":
            value = _lookup(data, node.value)
            if value is None and node.args:
                value = self.eval(node.args[0], data)
            return self.record(node, (".".join(node.value),), value)
        if op in ("and", "or"):
            want = op == "or"
            for arg in node.args:
                if truthy(self.eval(arg, data)) is want:
                    return self.record(node, (), want)
            return self.record(node, (), not want)
        if op == "if":
            args = node.args
            for i in range(0, len(args) - 1, 2):
                if truthy(self.eval(args[i], data)):
                    return self.eval(args[i + 1], data)
            return self.eval(args[-1], data)
        if op in ("some", "all", "none"):
            return self.record(node, (), self.quantify(node, data))
        vals = tuple(self.eval(a, data) for a in node.args)
        if op == "yearsSince":
            vals = (vals[0], _lookup(data, ("asOf",)))
        return self.record(node, vals, _apply(op, vals))

    def quantify(self, node: _Node, data: Any) -> bool:
        items = self.eval(node.args[0], data)
        if not isinstance(items, list | tuple) or not items:
            return node.op == "none"
        base = dict(data) if isinstance(data, Mapping) else {}
        hits = 0
        for item in items:
            base["it"] = item
            if truthy(self.eval(node.args[1], base)):
                hits += 1
                if node.op != "all":
                    break
            elif node.op == "all":
                return False
        return node.op == "all" or (hits > 0) == (node.op == "some")


def _lookup(data: Any, segments: tuple[str, ...]) -> Any:
    current = data
    for seg in segments:
        if isinstance(current, Mapping):
            current = current.get(seg)
        elif isinstance(current, list | tuple) and seg.isascii() and seg.isdigit():
            index = int(seg)
            current = current[index] if index < len(current) else None
        else:
            return None
    return current


def _apply(op: str, v: tuple[Any, ...]) -> Any:
    if op == "==":
        return _same(v[0], v[1])
    if op == "!=":
        return _scalar(v[0]) and _scalar(v[1]) and not _same(v[0], v[1])
    if op == "in":
        if isinstance(v[0], str) and isinstance(v[1], str):
            return v[0] in v[1]
        return isinstance(v[1], list | tuple) and any(_same(v[0], x) for x in v[1])
    if op in ("<", "<="):
        strict = op == "<"
        return all(_ordered(v[i], v[i + 1], strict) for i in range(len(v) - 1))
    if op in (">", ">="):
        return _ordered(v[1], v[0], op == ">")
    if op == "!":
        return not truthy(v[0])
    if op in ("yearsBetween", "yearsSince"):
        start, end = as_date(v[0]), as_date(v[1])
        return None if start is None or end is None else whole_years(start, end)
    if op == "hasType":
        return isinstance(v[1], str) and v[1] in _type_names(v[0])
    raise AssertionError(f"operator {op!r} passed the load check but has no meaning")  # pragma: no cover
