"""Multibase (base58btc ``z`` and base64url ``u``) and the multicodec headers skillcred uses.

Controlled Identifiers 1.0 section 2.2.2 (Multikey): an Ed25519 public key is base58btc of
``0xed 0x01`` + 32 bytes, a secret key is base58btc of ``0x80 0x26`` + the 32-byte seed.
"""

from __future__ import annotations

import base64
import binascii

from vccore.errors import Code, ParseError

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_POW58 = [58**i for i in range(11)]
_B58_TABLE = bytes(_B58_INDEX.get(chr(i), 0xFF) for i in range(256))

ED25519_PUB_HEADER = b"\xed\x01"
ED25519_PRIV_HEADER = b"\x80\x26"
X25519_PUB_HEADER = b"\xec\x01"


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, rem = divmod(n, 58)
        out.append(_B58[rem])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def b58decode(text: str, *, max_len: int = 4096) -> bytes:
    if len(text) > max_len:
        raise ParseError(f"base58 value longer than {max_len} characters")
    try:
        digits = text.encode("ascii").translate(_B58_TABLE)
    except UnicodeEncodeError as err:
        raise ParseError("invalid base58 character", code=Code.MALFORMED_VALUE_ERROR) from err
    if b"\xff" in digits:
        bad = text[digits.index(b"\xff")]
        raise ParseError(f"invalid base58 character {bad!r}", code=Code.MALFORMED_VALUE_ERROR)
    n = 0
    if len(digits) <= 128:  # keys and signatures: one multiply-add per digit is quickest
        for d in digits:
            n = n * 58 + d
    else:  # ten digits at a time: small-int arithmetic inside, one big multiplication per chunk
        for start in range(0, len(digits), 10):
            part = 0
            for d in digits[start : start + 10]:
                part = part * 58 + d
            n = n * _POW58[min(10, len(digits) - start)] + part
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + body


def encode_z(data: bytes) -> str:
    return "z" + b58encode(data)


def decode_z(value: str, *, max_len: int = 4096) -> bytes:
    if not isinstance(value, str) or not value.startswith("z"):
        raise ParseError("multibase value must be base58btc (start with 'z')", code=Code.MALFORMED_VALUE_ERROR)
    return b58decode(value[1:], max_len=max_len)


def encode_u(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_u(value: str, *, max_len: int = 16 * 1024 * 1024) -> bytes:
    if not isinstance(value, str) or not value.startswith("u"):
        raise ParseError("multibase value must be base64url (start with 'u')", code=Code.MALFORMED_VALUE_ERROR)
    body = value[1:]
    if len(body) > max_len:
        raise ParseError("base64url value too long", code=Code.RESOURCE_LIMIT_EXCEEDED)
    if any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in body):
        raise ParseError("invalid base64url character", code=Code.MALFORMED_VALUE_ERROR)
    if len(body) % 4 == 1:
        raise ParseError("invalid base64url length", code=Code.MALFORMED_VALUE_ERROR)
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as err:
        raise ParseError(f"invalid base64url: {err}", code=Code.MALFORMED_VALUE_ERROR) from err
