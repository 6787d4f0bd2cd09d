"""The condition language: operator semantics, whole-year arithmetic, traces, load-time refusals,
and (property tests) totality and determinism of evaluation."""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vccore.errors import Code, SkillcredError
from vccore.recognition.conditions import (
    MAX_DEPTH,
    MAX_NODES,
    OPERATORS,
    as_date,
    compile_condition,
    truthy,
    whole_years,
)


def run(expr: Any, data: Any = None) -> Any:
    return compile_condition(expr).evaluate(data).value


# --- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        ("2023-06-30", "2026-06-30", 3),
        ("2023-06-30", "2026-07-01", 3),
        ("2023-06-30", "2026-06-29", 2),
        ("2023-06-30", "2025-12-31", 2),
        ("2024-11-15", "2028-11-15", 4),
        ("2024-11-15", "2028-11-14", 3),
        ("2020-02-29", "2021-02-28", 0),
        ("2020-02-29", "2021-03-01", 1),
        ("2020-02-29", "2024-02-29", 4),
        ("2026-06-30", "2023-06-30", -3),
        ("2023-06-30", "2023-06-30", 0),
    ],
)
def test_whole_years_counts_completed_anniversaries(start: str, end: str, years: int) -> None:
    assert whole_years(date.fromisoformat(start), date.fromisoformat(end)) == years
    assert run({"yearsBetween": [start, end]}) == years


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-06-30", date(2023, 6, 30)),
        ("2023-06-30T00:00:00+08:00", date(2023, 6, 30)),  # the date as written, not shifted to UTC
        ("2023-06-30T23:59:59Z", date(2023, 6, 30)),
        ("2023-06-30T10:00", date(2023, 6, 30)),
        ("2023-02-30", None),
        ("2023-6-30", None),
        ("２０２３-06-30", None),  # full-width digits are not ASCII digits
        ("0000-01-01", None),
        ("2023-06-30junk", None),
        ("", None),
        (20230630, None),
        (None, None),
    ],
)
def test_as_date_is_strict_and_total(text: Any, expected: date | None) -> None:
    assert as_date(text) == expected


def test_years_since_reads_as_of_from_the_context() -> None:
    expr = {"yearsSince": {"var": "sourceDate"}}
    assert run(expr, {"sourceDate": "2023-06-30", "asOf": "2026-07-01"}) == 3
    assert run(expr, {"sourceDate": "2023-06-30", "asOf": "2025-12-31"}) == 2
    assert run(expr, {"sourceDate": "2023-06-30"}) is None
    assert run(expr, {"sourceDate": "yesterday", "asOf": "2026-07-01"}) is None


# --- operators -------------------------------------------------------------------------------------

DATA = {
    "a": {"b": [10, {"c": "x"}]},
    "s": "L2",
    "n": 3,
    "t": True,
    "d": "2024-01-01",
    "list": ["L2", "L1"],
    "cred": {"type": ["VerifiableCredential", "SkillLevelCredential"]},
    "asOf": "2026-07-01",
    "items": [{"d": "2020-01-01"}, {"d": "2025-01-01"}],
}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ({"var": "a.b.0"}, 10),
        ({"var": "a.b.1.c"}, "x"),
        ({"var": "a.b.9"}, None),
        ({"var": "a.missing"}, None),
        ({"var": ["a.missing", "fallback"]}, "fallback"),
        ({"var": ["a.missing", {"var": "s"}]}, "L2"),
        ({"var": "s.0"}, None),  # strings are not indexed
        ({"var": ""}, DATA),
        ({"==": [{"var": "s"}, "L2"]}, True),
        ({"==": [1, 1.0]}, True),
        ({"==": [1, True]}, False),
        ({"==": ["1", 1]}, False),
        ({"==": [None, None]}, True),
        ({"==": [None, False]}, False),
        ({"==": [[1], [1]]}, False),
        ({"!=": [[1], [2]]}, False),  # arrays are neither equal nor unequal
        ({"!=": ["L2", "L1"]}, True),
        ({"in": [{"var": "s"}, {"var": "list"}]}, True),
        ({"in": ["L3", ["L2", "L1"]]}, False),
        ({"in": [True, [1]]}, False),
        ({"in": ["聘任", "特级技师聘任"]}, True),
        ({"in": ["L2", "not a list"]}, False),
        ({"in": ["L2", None]}, False),
        ({"<": [1, 2]}, True),
        ({"<": [1, 2, 3]}, True),
        ({"<": [1, 3, 2]}, False),
        ({"<=": [2, 2]}, True),
        ({">": [3, 2]}, True),
        ({">=": [{"var": "n"}, 3]}, True),
        ({">=": ["3", 3]}, False),
        ({">": ["b", "a"]}, False),  # text is never ordered
        ({"<": ["2024-01-01", "2026-03-01"]}, True),
        ({">=": [{"var": "asOf"}, "2026-03-01"]}, True),
        ({"<": [True, 2]}, False),
        ({"and": [True, 1, "x"]}, True),
        ({"and": [True, 0]}, False),
        ({"or": [None, "", []]}, False),
        ({"or": [None, [0]]}, True),
        ({"!": [None]}, True),
        ({"!": {"var": "t"}}, False),
        ({"if": [True, "yes", "no"]}, "yes"),
        ({"if": [False, "a", None, "b", "c"]}, "c"),
        ({"if": [False, "a", 1, "b", "c"]}, "b"),
        ({"hasType": [{"var": "cred"}, "SkillLevelCredential"]}, True),
        ({"hasType": [{"var": "cred"}, "DegreeCredential"]}, False),
        ({"hasType": ["SkillLevelCredential", "SkillLevelCredential"]}, True),
        ({"hasType": [42, "SkillLevelCredential"]}, False),
        ({"some": [{"var": "items"}, {">=": [{"yearsSince": {"var": "it.d"}}, 3]}]}, True),
        ({"all": [{"var": "items"}, {">=": [{"yearsSince": {"var": "it.d"}}, 3]}]}, False),
        ({"none": [{"var": "items"}, {">=": [{"yearsSince": {"var": "it.d"}}, 10]}]}, True),
        ({"all": [[], True]}, False),
        ({"some": ["not a list", True]}, False),
        ({"none": [None, True]}, True),
        ([1, {"var": "s"}], [1, "L2"]),
    ],
)
def test_operator_semantics(expr: Any, expected: Any) -> None:
    assert run(expr, DATA) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        (False, False),
        (0, False),
        (0.0, False),
        (math.nan, False),
        ("", False),
        ([], False),
        (True, True),
        (1, True),
        (-1.5, True),
        ("0", True),
        ([0], True),
        ({}, True),
    ],
)
def test_truthiness_follows_jsonlogic(value: Any, expected: bool) -> None:
    assert truthy(value) is expected


def test_trace_records_operands_and_values_for_explanations() -> None:
    cond = compile_condition({">=": [{"yearsSince": {"var": "sourceDate"}}, 3]})
    outcome = cond.evaluate({"sourceDate": "2023-06-30", "asOf": "2025-12-31"})
    assert outcome.value is False and not outcome.holds
    steps = {s.op: s for s in outcome.trace}
    assert steps["yearsSince"].args == ("2023-06-30", "2025-12-31")
    assert steps["yearsSince"].value == 2
    assert steps["var"].args == ("sourceDate",)
    assert steps[">="].args == (2, 3)
    assert steps["yearsSince"].path == "/>=/0/yearsSince"


def test_and_or_short_circuit_and_leave_no_trace_of_skipped_operands() -> None:
    outcome = compile_condition({"or": [True, {"var": "never"}]}).evaluate({})
    assert outcome.value is True
    assert [s.op for s in outcome.trace] == ["or"]


def test_evaluation_does_not_mutate_the_data() -> None:
    data = json.loads(json.dumps(DATA))
    compile_condition({"some": [{"var": "items"}, {"==": [{"var": "it.d"}, "x"]}]}).evaluate(data)
    assert data == DATA


def test_step_budget_stops_a_long_run_with_null() -> None:
    cond = compile_condition({"all": [{"var": "xs"}, {"==": [{"var": "it"}, 1]}]})
    outcome = cond.evaluate({"xs": [1] * 10_000}, max_steps=500)
    assert outcome.exhausted and outcome.value is None and not outcome.holds
    assert cond.evaluate({"xs": [1] * 100}).holds


def test_variables_lists_every_path() -> None:
    cond = compile_condition(
        {
            "and": [
                {"==": [{"var": "declared.workField"}, "engineering"]},
                {">=": [{"yearsSince": {"var": "sourceDate"}}, 3]},
            ]
        }
    )
    assert cond.variables() == {"declared.workField", "sourceDate"}


def test_compiled_condition_keeps_its_own_copy_of_the_expression() -> None:
    expr: dict[str, list[Any]] = {"==": [{"var": "s"}, "L2"]}
    cond = compile_condition(expr)
    expr["=="][1] = "L1"
    assert cond.expression == {"==": [{"var": "s"}, "L2"]}
    assert cond.evaluate({"s": "L2"}).holds


# --- load-time refusals ----------------------------------------------------------------------------


def _deep(levels: int) -> Any:
    expr: Any = True
    for _ in range(levels):
        expr = {"!": [expr]}
    return expr


@pytest.mark.parametrize(
    ("expr", "pointer"),
    [
        ({"regex": ["a", "b"]}, ""),
        ({"==": [1, 2], "!=": [1, 2]}, ""),
        ({}, ""),
        ({"and": [True, {"eval": "x"}]}, "/and/1"),
        ({"==": [1]}, "/=="),
        ({"==": 1}, "/=="),
        ({"!": [1, 2]}, "/!"),
        ({"if": [True, 1]}, "/if"),
        ({"if": [True, 1, False, 2]}, "/if"),
        ({"yearsBetween": ["2020-01-01"]}, "/yearsBetween"),
        ({"some": [[1]]}, "/some"),
        ({"var": True}, "/var"),
        ({"var": {"a": 1}}, "/var"),
        ({"var": []}, "/var"),
        ({"var": ["a", 1, 2]}, "/var"),
        ({"==": [math.nan, 1]}, "/==/0"),
        ({"==": [math.inf, 1]}, "/==/0"),
        ({"in": [1, {1, 2}]}, "/in/1"),
        ({"==": [b"x", "x"]}, "/==/0"),
        ({1: 2}, ""),
    ],
)
def test_malformed_conditions_are_refused_at_load(expr: Any, pointer: str) -> None:
    with pytest.raises(SkillcredError) as info:
        compile_condition(expr)
    assert info.value.code is Code.RULE_ERROR
    assert info.value.pointer == pointer


def test_depth_limit_is_checked_at_load() -> None:
    compile_condition(_deep(MAX_DEPTH - 1))
    with pytest.raises(SkillcredError) as info:
        compile_condition(_deep(MAX_DEPTH))
    assert info.value.code is Code.RULE_ERROR and "deeper" in info.value.detail


def test_very_deep_input_is_refused_without_recursion_error() -> None:
    with pytest.raises(SkillcredError) as info:
        compile_condition(_deep(100_000))
    assert info.value.code is Code.RULE_ERROR


def test_node_limit_is_checked_at_load() -> None:
    compile_condition({"in": ["x", ["y"] * (MAX_NODES - 3)]})
    with pytest.raises(SkillcredError) as info:
        compile_condition({"in": ["x", ["y"] * MAX_NODES]})
    assert info.value.code is Code.RULE_ERROR and "nodes" in info.value.detail


def test_limits_are_parameters() -> None:
    with pytest.raises(SkillcredError, match=r"^RULE_ERROR: condition /and/2: more than 3 nodes"):
        compile_condition({"and": [True, True, True]}, max_nodes=3)
    with pytest.raises(SkillcredError, match=r"^RULE_ERROR: condition /!/0/!/0/!/0: nested deeper than 3 levels"):
        compile_condition(_deep(3), max_depth=3)


# --- properties ------------------------------------------------------------------------------------

DATE_TEXT = st.dates().map(date.isoformat) | st.sampled_from(["2023-06-30T00:00:00+08:00", "2023-02-30", "x"])
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12) | DATE_TEXT
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=24,
)
PATHS = st.sampled_from(["", "a", "a.b", "a.0", "asOf", "it", "it.d", "sourceDate", "declared.workField", "x.y.z"])
LITERALS = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=6) | DATE_TEXT


def _op(name: str) -> Any:
    return lambda args: {name: list(args)}


EXPRESSIONS = st.recursive(
    LITERALS | PATHS.map(lambda p: {"var": p}),
    lambda inner: st.one_of(
        *[
            st.lists(inner, min_size=2, max_size=2).map(_op(o))
            for o in ("==", "!=", "in", ">", ">=", "yearsBetween", "hasType", "some", "all", "none")
        ],
        st.lists(inner, min_size=2, max_size=3).map(_op("<")),
        st.lists(inner, min_size=1, max_size=4).map(_op("and")),
        st.lists(inner, min_size=1, max_size=4).map(_op("or")),
        inner.map(lambda x: {"!": [x]}),
        inner.map(lambda x: {"yearsSince": [x]}),
        st.lists(inner, min_size=3, max_size=3).map(_op("if")),
        st.lists(inner, max_size=3),
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(EXPRESSIONS, JSONISH)
def test_evaluation_is_total_and_deterministic(expr: Any, data: Any) -> None:
    cond = compile_condition(expr, max_nodes=1000, max_depth=64)
    first, second = cond.evaluate(data), cond.evaluate(data)
    assert repr(first) == repr(second)
    assert isinstance(first.holds, bool)


@settings(max_examples=200, deadline=None)
@given(JSONISH)
def test_loading_arbitrary_json_either_compiles_or_is_a_rule_error(expr: Any) -> None:
    try:
        cond = compile_condition(expr)
    except SkillcredError as err:
        assert err.code is Code.RULE_ERROR
        return
    cond.evaluate(expr)


def test_documented_operators_are_exactly_the_implemented_ones() -> None:
    assert OPERATORS == {
        "var",
        "==",
        "!=",
        "in",
        "<",
        "<=",
        ">",
        ">=",
        "and",
        "or",
        "!",
        "if",
        "yearsBetween",
        "yearsSince",
        "hasType",
        "some",
        "all",
        "none",
    }
