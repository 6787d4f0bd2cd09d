"""Strict JSON parsing for untrusted input (SECURITY.md, verifier item 1).

``json.loads`` accepts ``NaN``/``Infinity``, keeps the last of duplicate keys and raises
``RecursionError`` on deep nesting. Here each of those is a :class:`ParseError`, the byte size and
nesting depth are capped before and during parsing (:class:`ResourceLimitError`), and the text must
be valid UTF-8 without lone surrogates (I-JSON, RFC 7493 section 2.1).
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from vccore.errors import ParseError, ResourceLimitError

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64

_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _refuse_constant(name: str) -> Any:
    raise ParseError(f"{name} is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ParseError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _depth_ok(text: str, max_depth: int) -> None:
    """Scan brackets outside strings; refuse nesting deeper than ``max_depth`` before parsing."""
    depth = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > max_depth:
                raise ResourceLimitError(f"JSON nested deeper than {max_depth} levels")
        elif ch in "]}":
            depth -= 1


def _check_surrogates(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as err:
                raise ParseError("lone surrogate in a string") from err
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def loads(data: str | bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``data`` strictly. Raises ``ParseError`` or ``ResourceLimitError``, nothing else."""
    if isinstance(data, bytes | bytearray):
        if len(data) > max_bytes:
            raise ResourceLimitError(f"JSON larger than {max_bytes} bytes")
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as err:
            raise ParseError(f"not valid UTF-8: {err.reason} at byte {err.start}") from err
        if text.startswith("\ufeff"):
            raise ParseError("a byte order mark is not allowed")
    elif isinstance(data, str):
        text = data
        if len(text) > max_bytes:
            raise ResourceLimitError(f"JSON larger than {max_bytes} characters")
    else:
        raise TypeError(f"data must be str or bytes, not {type(data).__name__}")
    _depth_ok(text, max_depth)
    try:
        value = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_no_duplicates, parse_int=_integer)
    except (ParseError, ResourceLimitError):
        raise
    except RecursionError as err:  # belt and braces: _depth_ok should have caught it
        raise ResourceLimitError("JSON nested too deeply") from err
    except ValueError as err:
        raise ParseError(f"not JSON: {err}") from err
    if _ESCAPED_SURROGATE.search(text):
        _check_surrogates(value)
    return value


#: digits of the longest integer read: I-JSON's safe integers have 16, and Python refuses to read more than
#: 4300 (sys.int_info.str_digits_check_threshold) with a message about its own settings
MAX_INTEGER_DIGITS: Final = 1000


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ResourceLimitError(f"a number of more than {MAX_INTEGER_DIGITS} digits")
    return int(digits)


def dumps_compact(value: Any) -> str:
    """Compact JSON with non-ASCII kept (the form the QR codec and stores use)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
