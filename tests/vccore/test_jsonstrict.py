from __future__ import annotations

import pytest

from vccore.errors import Code, SkillcredError
from vccore.jsonstrict import loads


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ('{"a": NaN}', Code.PARSING_ERROR),
        ('{"a": Infinity}', Code.PARSING_ERROR),
        ('{"a": -Infinity}', Code.PARSING_ERROR),
        ('{"a": 1, "a": 2}', Code.PARSING_ERROR),
        ('{"a": [1, 2', Code.PARSING_ERROR),
        ("[" * 100_000 + "]" * 100_000, Code.RESOURCE_LIMIT_EXCEEDED),
        (b"\xff\xfe{}", Code.PARSING_ERROR),
        (b'{"a": "\xed\xa0\x80"}', Code.PARSING_ERROR),  # a UTF-8-encoded lone surrogate
        ('{"a": "\\ud800"}', Code.PARSING_ERROR),  # an escaped lone surrogate
        (b"\xef\xbb\xbf{}", Code.PARSING_ERROR),
        ("x" * (1024 * 1024 + 1), Code.RESOURCE_LIMIT_EXCEEDED),
    ],
)
def test_hostile_json_is_refused_with_its_code(data: str | bytes, code: Code) -> None:
    with pytest.raises(SkillcredError) as err:
        loads(data)
    assert err.value.code == code


def test_valid_json_with_chinese_and_a_surrogate_pair_parses() -> None:
    assert loads('{"name": "张试一", "e": "\\ud83d\\ude00"}') == {"name": "张试一", "e": "\U0001f600"}


def test_depth_cap_is_a_parameter() -> None:
    assert loads("[[[1]]]", max_depth=3) == [[[1]]]
    with pytest.raises(SkillcredError, match=r"^RESOURCE_LIMIT_EXCEEDED: JSON nested deeper than 3 levels"):
        loads("[[[[1]]]]", max_depth=3)


def test_brackets_inside_strings_do_not_count_as_depth() -> None:
    assert loads('{"a": "[[[[[[[[[[[["}', max_depth=2) == {"a": "[[[[[[[[[[[["}


@pytest.mark.parametrize("digits", [1001, 5001])
def test_an_integer_of_too_many_digits_is_a_resource_limit_in_our_words(digits: int) -> None:
    """Python refuses more than 4300 digits with advice about its own settings (sys.set_int_max_str_digits):
    the reader refuses from 1001 digits, saying so itself."""
    with pytest.raises(SkillcredError) as err:
        loads('{"a": -' + "9" * digits + "}")
    assert (err.value.code, err.value.detail) == (Code.RESOURCE_LIMIT_EXCEEDED, "a number of more than 1000 digits")
    assert loads('{"a": ' + "9" * 1000 + "}")["a"] == int("9" * 1000)
