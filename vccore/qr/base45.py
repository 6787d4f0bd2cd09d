"""Base45 (RFC 9285) over the QR alphanumeric character set, strict on decoding.

Contract: :func:`b45encode` writes RFC 9285 section 4 exactly; :func:`b45decode` is its strict
inverse (section 4.2): a character outside the 45-character alphabet, a three-character group worth
more than 65535, a final pair worth more than 255, or a single leftover character is a
:class:`ParseError`. The alphabet is the QR alphanumeric set (ISO/IEC 18004:2015, 7.4.5, Table 5)
in code-value order, which is why base45 was chosen for the QR payloads of :mod:`vccore.qr.payload`.
"""

from __future__ import annotations

import re
from typing import Final

from vccore.errors import ParseError

__all__ = ["ALPHABET", "b45decode", "b45encode"]

#: The QR alphanumeric character set (ISO/IEC 18004:2015, 7.4.5, Table 5), in code-value order.
#: RFC 9285 base45 uses the same 45 characters in the same order, which is why it was chosen.
ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUE: Final = {ch: i for i, ch in enumerate(ALPHABET)}
ALNUM_RE: Final = re.compile(r"[0-9A-Z $%*+\-./:]*")


def b45encode(data: bytes) -> str:
    """RFC 9285 section 4: each 2 bytes ``n = a*256 + b`` become ``c d e`` with
    ``n = c + 45*d + 2025*e``; a final single byte ``a`` becomes ``c d`` with ``a = c + 45*d``."""
    out: list[str] = []
    alphabet = ALPHABET
    full = len(data) - len(data) % 2
    for i in range(0, full, 2):
        n = (data[i] << 8) | data[i + 1]
        e, rest = divmod(n, 2025)
        d, c = divmod(rest, 45)
        out.append(alphabet[c] + alphabet[d] + alphabet[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out.append(alphabet[c] + alphabet[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    """Inverse of :func:`b45encode`, strict as RFC 9285 section 4.2 requires: a character outside
    the alphabet, a group worth more than 65535 (three characters) or 255 (two), or a single
    leftover character is a :class:`ParseError`."""
    if not ALNUM_RE.fullmatch(text):
        raise ParseError("base45: a character is outside the QR alphanumeric set")
    if len(text) % 3 == 1:
        raise ParseError("base45: a single leftover character cannot encode a byte")
    value = _VALUE
    out = bytearray()
    full = len(text) - len(text) % 3
    for i in range(0, full, 3):
        n = value[text[i]] + 45 * value[text[i + 1]] + 2025 * value[text[i + 2]]
        if n > 0xFFFF:
            raise ParseError(f"base45: group {text[i : i + 3]!r} at {i} is larger than 65535")
        out += n.to_bytes(2, "big")
    if len(text) % 3 == 2:
        n = value[text[-2]] + 45 * value[text[-1]]
        if n > 0xFF:
            raise ParseError(f"base45: final pair {text[-2:]!r} is larger than 255")
        out.append(n)
    return bytes(out)
