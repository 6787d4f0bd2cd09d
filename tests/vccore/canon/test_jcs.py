"""vccore.canon.jcs: RFC 8785 JSON Canonicalization Scheme, against the RFC's own examples and the W3C
eddsa-jcs-2022 vectors, and the values JCS must refuse."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support import VECTORS
from vccore.canon import jcs as jcs_module
from vccore.canon.jcs import MAX_SAFE_INTEGER, jcs, jcs_bytes, number
from vccore.errors import Code, SkillcredError

JCS = VECTORS / "vc-di-eddsa" / "eddsa-jcs-2022"


# --- the W3C vc-di-eddsa vectors (eddsa-jcs-2022) ---------------------------------------------


@pytest.mark.parametrize(
    "source,expected",
    [
        pytest.param(VECTORS / "vc-di-eddsa" / "unsigned.json", JCS / "canonDocJCS.txt", id="document"),
        pytest.param(JCS / "proofConfigJCS.json", JCS / "proofCanonJCS.txt", id="proof-config"),
    ],
)
def test_vectors_reproduce_byte_for_byte(source: Path, expected: Path) -> None:
    value = json.loads(source.read_text(encoding="utf-8"))
    assert jcs_bytes(value) == expected.read_bytes()


# --- RFC 8785 appendix B: IEEE 754 doubles and their ES6 serialization ---------------------------

#: RFC 8785, Appendix B "Number Serialization Samples" (hex of the IEEE 754 double -> JCS text)
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),  # minus zero
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize("ieee,expected", APPENDIX_B)
def test_rfc8785_appendix_b_numbers(ieee: str, expected: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(ieee))[0]
    assert number(value) == expected
    assert jcs([value]) == f"[{expected}]"


@pytest.mark.parametrize("ieee", ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])
def test_rfc8785_appendix_b_nan_and_infinity_are_refused(ieee: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(ieee))[0]
    assert not math.isfinite(value)
    with pytest.raises(SkillcredError) as caught:
        jcs({"n": value})
    assert caught.value.code is Code.MALFORMED_VALUE_ERROR


@pytest.mark.parametrize(
    "value,expected",
    [
        (1.0, "1"),
        (-1.5, "-1.5"),
        (100.0, "100"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (123e-20, "1.23e-18"),
        (0.1, "0.1"),
        (MAX_SAFE_INTEGER, "9007199254740991"),
        (-MAX_SAFE_INTEGER, "-9007199254740991"),
        (0, "0"),
    ],
)
def test_es6_number_forms(value: float, expected: str) -> None:
    assert number(value) == expected


# --- RFC 8785 section 3.2.2 and 3.2.3 examples ------------------------------------------------------


def test_rfc8785_section_3_2_2_example() -> None:
    source = r"""{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }"""
    expected = (
        r'{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        r'"string":"€$\u000f\nA' + "'" + r'B\"\\\\\"/"}'
    )
    assert jcs(json.loads(source)) == expected


def test_rfc8785_section_3_2_3_members_sorted_by_utf16_code_units() -> None:
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    out = json.loads(jcs(value))
    assert list(out.values()) == [
        "Carriage Return",
        "One",
        "Control",
        "Latin Small Letter O With Diaeresis",
        "Euro Sign",
        "Emoji: Grinning Face",
        "Hebrew Letter Dalet With Dagesh",
    ]
    # code point order (json.dumps(sort_keys=True)) puts U+1F600 after U+FB33: not JCS
    assert list(json.loads(json.dumps(value, sort_keys=True))) != list(out)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("\b\t\n\f\r", r'"\b\t\n\f\r"'),
        ("\x00\x01\x1f", r'"\u0000\u0001\u001f"'),
        ("\x7f", '"\x7f"'),
        ('"\\', r'"\"\\"'),
        ("/<>&", '"/<>&"'),
        ("张试一 é 😀", '"张试一 é 😀"'),
    ],
)
def test_string_escaping(text: str, expected: str) -> None:
    assert jcs(text) == expected


def test_nested_structures_and_other_mappings() -> None:
    value = MappingProxyType({"b": (1, {"d": None, "c": [True]}), "a": {}})
    assert jcs(value) == '{"a":{},"b":[1,{"c":[true],"d":null}]}'
    assert jcs_bytes({"名": "值"}) == '{"名":"值"}'.encode()


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,code",
    [
        pytest.param(float("nan"), Code.MALFORMED_VALUE_ERROR, id="nan"),
        pytest.param([float("inf")], Code.MALFORMED_VALUE_ERROR, id="infinity"),
        pytest.param({"n": -float("inf")}, Code.MALFORMED_VALUE_ERROR, id="minus-infinity"),
        pytest.param(2**53, Code.MALFORMED_VALUE_ERROR, id="integer-above-i-json"),
        pytest.param([-(2**53)], Code.MALFORMED_VALUE_ERROR, id="integer-below-i-json"),
        pytest.param({1: "x"}, Code.MALFORMED_VALUE_ERROR, id="non-string-key"),
        pytest.param({"a": b"bytes"}, Code.MALFORMED_VALUE_ERROR, id="bytes"),
        pytest.param({"a": {1, 2}}, Code.MALFORMED_VALUE_ERROR, id="set"),
        pytest.param("lone \ud800 surrogate", Code.PARSING_ERROR, id="lone-surrogate-in-string"),
        pytest.param({"\udc00": 1}, Code.PARSING_ERROR, id="lone-surrogate-in-key"),
    ],
)
def test_refusals(value: Any, code: Code) -> None:
    with pytest.raises(SkillcredError) as caught:
        jcs(value)
    assert caught.value.code is code


def test_boolean_is_not_a_number() -> None:
    with pytest.raises(SkillcredError, match=r"^MALFORMED_VALUE_ERROR: a boolean is not a number"):
        number(True)


def test_deep_nesting_is_a_resource_limit() -> None:
    value: Any = 0
    for _ in range(5000):
        value = [value]
    with pytest.raises(SkillcredError) as caught:
        jcs(value)
    assert caught.value.code is Code.RESOURCE_LIMIT_EXCEEDED


# --- the fast path (json's C encoder after a type walk) against the plain serializer ---------------

#: keys and strings from every plane: ASCII, CJK, U+E000-U+FFFF (below U+10000 by code point but after it in
#: UTF-16, whose surrogates are D800-DFFF) and beyond U+FFFF (surrogate pairs); no lone surrogates
_TEXT = st.text(
    st.one_of(
        st.characters(max_codepoint=0x7F),
        st.sampled_from('张试一二级技师\u20ac\u00f6\ufb33\uffff\ue000\r\x00\x1f"\\/'),
        st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF),
        st.characters(exclude_categories=["Cs"]),
    ),
    max_size=6,
)
#: keys from a few characters either side of the surrogate block, so that code point order and UTF-16 order
#: disagree often within one object
_KEYS = st.one_of(st.text(st.sampled_from("a\u20ac\ue000\ufb33\uffff\U00010000\U0001f600张"), max_size=3), _TEXT)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=False, allow_infinity=False),
    _TEXT,
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=25,
)


def _plain(value: Any) -> str | Code:
    """The straightforward serializer alone (no fast path), or the code it refuses with."""
    out: list[str] = []
    try:
        jcs_module._serialize(value, out)
        text = "".join(out)
        text.encode("utf-8")
    except SkillcredError as err:
        return err.code
    return text


@settings(max_examples=400, deadline=None)
@given(value=_JSON)
def test_fast_path_equals_the_plain_serializer(value: Any) -> None:
    try:
        fast: str | Code = jcs(value)
    except SkillcredError as err:
        fast = err.code
    assert fast == _plain(value)
    if not isinstance(fast, Code):  # (a Code is a str too)
        # and it is the same JSON value (ECMAScript prints 4e16 as 40000000000000000: compare numbers as doubles)
        assert json.loads(fast, parse_int=float) == json.loads(json.dumps(value), parse_int=float)


def test_the_property_reaches_the_fast_path_and_both_orders() -> None:
    """The walk admits a value without floats whose keys are in the BMP, refuses the others."""
    assert jcs_module._fast_path_ok({"\ue000": [1, None, True, "😀"], "a": {"b": "c"}})
    assert not jcs_module._fast_path_ok({"\U0001f600": 1})  # UTF-16 order differs from code point order
    assert not jcs_module._fast_path_ok([{"a": 1.0}])
    assert not jcs_module._fast_path_ok([[2**53]])
    assert not jcs_module._fast_path_ok((1,))
    assert jcs({"\U0001f600": 1, "\ufb33": 2}) == '{"\U0001f600":1,"\ufb33":2}'


def test_a_cycle_is_a_resource_limit_not_a_hang() -> None:
    """The C encoder runs without its cycle check: a cycle must never reach it (the walk's budget)."""
    value: list[Any] = [{"a": "b"}]
    value.append(value)
    with pytest.raises(SkillcredError) as caught:
        jcs(value)
    assert caught.value.code is Code.RESOURCE_LIMIT_EXCEEDED
