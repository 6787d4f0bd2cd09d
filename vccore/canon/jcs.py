"""RFC 8785 JSON Canonicalization Scheme (JCS), as ``eddsa-jcs-2022`` and JSON literals require.

Section numbers refer to RFC 8785. The input is the data model of I-JSON (RFC 7493): ``dict``
with string keys, ``list``/``tuple``, ``str``, ``int``, ``float``, ``bool`` and ``None``.
Refused, never silently changed (SECURITY.md verifier item 7):

* ``NaN`` and infinities (section 3.2.2.3: not representable in JSON);
* integers outside the I-JSON safe range +-(2**53 - 1) (RFC 7493 section 2.2), which other
  implementations would round; floats are serialized as they are;
* non-string keys and values of any other type;
* strings or keys with a lone surrogate (section 3.2.2.2 and RFC 7493 section 2.1).

``json.dumps(sort_keys=True)`` is not JCS: it sorts by code point instead of UTF-16 code unit and
prints numbers the Python way (``1e-07``, ``1.0``, ``1e+16``).
"""

from __future__ import annotations

import json
import json.encoder
import math
from collections.abc import Mapping
from typing import Any

from vccore.errors import Code, ParseError, ResourceLimitError, SkillcredError

__all__ = ["MAX_SAFE_INTEGER", "jcs", "jcs_bytes", "number"]

#: RFC 7493 section 2.2: the integers an IEEE 754 double represents exactly
MAX_SAFE_INTEGER = 2**53 - 1

_string = json.JSONEncoder(ensure_ascii=False).encode  # section 3.2.2.2, see _serialize


def _malformed(detail: str) -> SkillcredError:
    return SkillcredError(detail, code=Code.MALFORMED_VALUE_ERROR)


def number(value: int | float) -> str:
    """A JSON number as ECMAScript's Number.prototype.toString prints it (section 3.2.2.3,
    ECMA-262 section 7.1.12.1 "NumberToString"), with the shortest digits that round-trip."""
    if isinstance(value, bool):
        raise _malformed("a boolean is not a number")
    if isinstance(value, int):
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return str(value)
        raise _malformed(f"integer {value} is outside the I-JSON range +-(2**53 - 1) (RFC 7493 2.2)")
    if not math.isfinite(value):
        raise _malformed(f"{value!r} is not a JSON number (RFC 8785 3.2.2.3)")
    if value == 0:
        return "0"  # also -0
    sign = "-" if value < 0 else ""
    # repr gives the shortest round-tripping digits, as ECMA-262 requires; re-lay them out
    mantissa, _, exp_text = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction  # value = 0.<digits> * 10**n
    n = len(whole) + (int(exp_text) if exp_text else 0)
    stripped = digits.lstrip("0")
    n -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k = len(digits)
    # value = 0.digits * 10**n; the four cases of NumberToString, steps 6-10
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    exponent = n - 1
    exp = ("+" if exponent > 0 else "-") + str(abs(exponent))
    if k == 1:
        return sign + digits + "e" + exp
    return sign + digits[0] + "." + digits[1:] + "e" + exp


def _utf16(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def _serialize(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        # json's encoder escapes exactly what section 3.2.2.2 asks: '"', '\\', and U+0000-U+001F
        # (\b \t \n \f \r short, the rest as \u00xx in lower-case hex), everything else literal
        out.append(_string(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, (int, float)):
        out.append(number(value))
    elif isinstance(value, Mapping):
        # section 3.2.3: members sorted by the UTF-16 code units of their names
        for key in value:
            if not isinstance(key, str):
                raise _malformed(f"object member name {key!r} is not a string")
        out.append("{")
        first = True
        for key in sorted(value, key=_utf16):
            if not first:
                out.append(",")
            first = False
            out.append(_string(key))
            out.append(":")
            _serialize(value[key], out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _serialize(item, out)
        out.append("]")
    else:
        raise _malformed(f"a {type(value).__name__} is not a JSON value")


def _fast_path_ok(value: Any) -> bool:
    """True when ``json.dumps(sort_keys=True)`` already produces RFC 8785 output for ``value``.

    That holds when every key is a string without characters beyond U+FFFF (then code-point order
    equals UTF-16 code-unit order, section 3.2.3), and there is no float (Python and ECMAScript
    print floats differently) and no integer outside the I-JSON range. The walk only looks at exact
    types (a subclass takes the slow path); the C encoder then does the work, several times faster
    than :func:`_serialize`. ``tests/vccore/canon/test_jcs.py`` compares both paths on random JSON.
    """
    stack = [value]
    pop, push = stack.pop, stack.append
    budget = 100_000
    while stack:
        budget -= 1
        if budget < 0:
            return False
        item = pop()
        kind = type(item)
        if kind is dict:
            try:
                keys = "".join(item)
            except TypeError:  # a non-string key
                return False
            if not keys.isascii() and max(keys) > "\uffff":
                return False
            for member in item.values():
                if type(member) is not str:
                    push(member)
        elif kind is list:
            for member in item:
                if type(member) is not str:
                    push(member)
        elif kind is str or item is None or kind is bool:
            continue
        elif kind is int:
            if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                return False
        else:
            return False
    return True


def _no_default(value: Any) -> Any:
    raise TypeError(f"a {type(value).__name__} is not a JSON value")  # not reached: the walk admits JSON types only


_py_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False).encode
#: CPython's C encoder (json.encoder's own, undocumented, None without the accelerator), built once here with
#: the settings of _py_encode: json.JSONEncoder.encode would build it again on every call. No cycle check
#: (markers None): a cycle never passes the walk's budget.
_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_c_encode: Any = (
    None
    if _make_encoder is None
    else _make_encoder(None, _no_default, json.encoder.encode_basestring, None, ":", ",", True, False, False)
)


def _fast(value: Any) -> str:
    """``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``."""
    if _c_encode is not None:
        return "".join(_c_encode(value, 0))
    return _py_encode(value)


def _text(value: Any) -> str:
    """The canonical text, not yet checked for lone surrogates (the UTF-8 encoding finds them)."""
    if _fast_path_ok(value):
        try:
            return _fast(value)
        except RecursionError as err:
            raise ResourceLimitError("the value is nested too deeply to canonicalize") from err
    out: list[str] = []
    try:
        _serialize(value, out)
    except RecursionError as err:
        raise ResourceLimitError("the value is nested too deeply to canonicalize") from err
    return "".join(out)


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise ParseError("a string contains a lone surrogate (RFC 8785 3.2.2.2, RFC 7493 2.1)") from err


def jcs(value: Any) -> str:
    """The canonical JSON text of ``value`` (RFC 8785 section 3.2)."""
    text = _text(value)
    _utf8(text)
    return text


def jcs_bytes(value: Any) -> bytes:
    """:func:`jcs` encoded in UTF-8 (section 3.2.4): the bytes that are hashed (encoded once)."""
    return _utf8(_text(value))
