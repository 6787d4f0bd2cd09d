"""The bitstring of a Bitstring Status List v1.0 (W3C Recommendation): the value, its encoding, its indexes.

Contract: :class:`StatusList` is an immutable bitstring; index 0 is the most significant bit of
byte 0 (section 3.2, "Bitstring Generation Algorithm", step 2: "the leftmost bit ... is index 0").
:meth:`StatusList.encode` gives ``encodedList``: the multibase base64url (no padding, prefix ``u``)
encoding of the GZIP-compressed bitstring (section 3.2 "Bitstring Encoding"); :func:`decode` is the
"Bitstring Expansion Algorithm" (section 3.3). A list shorter than :data:`MIN_LENGTH` (131,072
bits) gives no herd privacy (section 6.1) and is refused with ``STATUS_LIST_LENGTH_ERROR`` (section
3.2, "Validate Algorithm", step 9). :func:`parse_index` reads a ``statusListIndex`` strictly
(section 2.1) and range-checks it (step 10).

Decoding is hostile-input safe: the encoded text and the compressed bytes are capped before work
starts, the inflate runs in chunks under an output cap (a small input that inflates past it is
``RESOURCE_LIMIT_EXCEEDED``), and truncated or trailing data is ``PARSING_ERROR``
(SECURITY.md, "Decompression bombs").
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from vccore.errors import Code, ParseError, ResourceLimitError, SkillcredError

__all__ = ["DEFAULT_MAX_COMPRESSED", "DEFAULT_MAX_INFLATED", "MIN_LENGTH", "StatusList", "decode", "parse_index"]

#: Section 6.1 ("Herd Privacy"): at least 131,072 entries (16 KiB).
MIN_LENGTH: Final = 131_072
#: Default cap on the compressed bytes carried in ``encodedList``.
DEFAULT_MAX_COMPRESSED: Final = 1024 * 1024
#: Default cap on the inflated bitstring, in bytes (16 MiB = 134,217,728 entries).
DEFAULT_MAX_INFLATED: Final = 16 * 1024 * 1024

_INFLATE_CHUNK: Final = 64 * 1024
_B64URL: Final = re.compile(r"[A-Za-z0-9_-]*")
_DIGITS: Final = re.compile(r"(?:0|[1-9][0-9]*)")


@dataclass(frozen=True)
class StatusList:
    """An immutable bitstring; ``bits`` is packed, most significant bit first.

    The constructor accepts any non-empty ``bytes``; :meth:`empty` and :func:`decode` enforce the
    minimum length. :meth:`set` and :meth:`set_many` return a new value and never touch this one.
    """

    bits: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.bits, bytes):
            raise TypeError(f"bits: expected bytes, got {type(self.bits).__name__}")
        if not self.bits:
            raise ValueError("bits: a status list cannot be empty")

    @classmethod
    def empty(cls, length: int = MIN_LENGTH, *, min_length: int = MIN_LENGTH) -> StatusList:
        """All-zero list of ``length`` bits: a multiple of 8 and at least ``min_length``."""
        if isinstance(length, bool) or not isinstance(length, int):
            raise TypeError(f"length: expected int, got {type(length).__name__}")
        if length % 8 or length <= 0:
            raise ValueError(f"length: must be a positive multiple of 8, got {length}")
        if length < min_length:
            raise ValueError(f"length: {length} is below the minimum of {min_length} bits")
        return cls(bytes(length // 8))

    @property
    def length(self) -> int:
        """Number of entries (bits)."""
        return len(self.bits) * 8

    def get(self, index: int) -> int:
        """The bit at ``index`` (0 or 1). An index outside the list is a ``ValueError``."""
        self._check_index(index)
        return (self.bits[index >> 3] >> (7 - (index & 7))) & 1

    def set(self, index: int, value: bool | int = 1) -> StatusList:
        """A new list with the bit at ``index`` set to ``value`` (0 or 1)."""
        return self.set_many((index,), value)

    def set_many(self, indexes: Iterable[int], value: bool | int = 1) -> StatusList:
        """A new list with every bit in ``indexes`` set to ``value``; one copy for the batch."""
        if value not in (0, 1):
            raise ValueError(f"value: must be 0 or 1, got {value!r}")
        buf = bytearray(self.bits)
        for index in indexes:
            self._check_index(index)
            mask = 1 << (7 - (index & 7))
            if value:
                buf[index >> 3] |= mask
            else:
                buf[index >> 3] &= ~mask & 0xFF
        return StatusList(bytes(buf))

    def set_indexes(self) -> tuple[int, ...]:
        """Every index whose bit is 1, ascending."""
        out: list[int] = []
        for byte_no, byte in enumerate(self.bits):
            if byte:
                out.extend(byte_no * 8 + bit for bit in range(8) if byte & (0x80 >> bit))
        return tuple(out)

    def encode(self) -> str:
        """``u`` + base64url-no-pad(GZIP(bits)) (section 3.2, "Bitstring Encoding").

        The GZIP header carries mtime 0, so equal lists encode to equal strings.
        """
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
        compressed = compressor.compress(self.bits) + compressor.flush()
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    def _check_index(self, index: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"index: expected int, got {type(index).__name__}")
        if not 0 <= index < self.length:
            raise ValueError(f"index: {index} is outside the list (0..{self.length - 1})")


def decode(
    encoded: str,
    *,
    min_length: int = MIN_LENGTH,
    max_compressed: int = DEFAULT_MAX_COMPRESSED,
    max_inflated: int = DEFAULT_MAX_INFLATED,
) -> StatusList:
    """Decode an ``encodedList`` (section 3.3, "Bitstring Expansion Algorithm").

    Raises :class:`ParseError` (``PARSING_ERROR``) for a missing ``u`` prefix, anything but
    canonical unpadded base64url, invalid, truncated or trailing GZIP data;
    :class:`ResourceLimitError` (``RESOURCE_LIMIT_EXCEEDED``) when the compressed input exceeds
    ``max_compressed`` bytes or the output would exceed ``max_inflated`` bytes; and
    :class:`SkillcredError` with ``STATUS_LIST_LENGTH_ERROR`` when the list holds fewer than
    ``min_length`` bits.
    """
    if not isinstance(encoded, str):
        raise ParseError(f"encodedList: expected a string, got {type(encoded).__name__}")
    if max_inflated * 8 < min_length:
        raise ValueError(f"max_inflated: {max_inflated} bytes cannot hold {min_length} bits")
    if not encoded.startswith("u"):
        raise ParseError("encodedList: multibase prefix 'u' (base64url, no padding) is required")
    text = encoded[1:]
    # Four base64 characters carry three bytes: refuse before decoding anything.
    if len(text) > -(-max_compressed // 3) * 4:
        raise ResourceLimitError(f"encodedList: more than {max_compressed} compressed bytes")
    if not text or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ParseError("encodedList: not base64url without padding")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as err:
        raise ParseError("encodedList: not base64url without padding") from err
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != text:
        raise ParseError("encodedList: non-canonical base64url (stray trailing bits)")
    if len(raw) > max_compressed:
        raise ResourceLimitError(f"encodedList: more than {max_compressed} compressed bytes")
    bits = _inflate(raw, max_inflated)
    if len(bits) * 8 < min_length:
        raise SkillcredError(
            f"encodedList: {len(bits) * 8} bits is below the minimum of {min_length}",
            code=Code.STATUS_LIST_LENGTH_ERROR,
        )
    return StatusList(bits)


def _inflate(raw: bytes, cap: int) -> bytes:
    """GZIP-inflate ``raw`` in bounded chunks; never produce more than ``cap`` + 1 bytes."""
    inflater = zlib.decompressobj(wbits=31)
    chunks: list[bytes] = []
    total = 0
    data = raw
    try:
        while True:
            chunk = inflater.decompress(data, min(_INFLATE_CHUNK, cap - total + 1))
            total += len(chunk)
            if total > cap:
                raise ResourceLimitError(f"encodedList: inflates past {cap} bytes")
            chunks.append(chunk)
            if inflater.eof:
                break
            data = inflater.unconsumed_tail
            if not data and not chunk:
                raise ParseError("encodedList: truncated GZIP data")
    except zlib.error as err:
        raise ParseError(f"encodedList: invalid GZIP data ({err})") from err
    if inflater.unused_data:
        raise ParseError("encodedList: trailing data after the GZIP stream")
    return b"".join(chunks)


def parse_index(value: str | int, *, length: int) -> int:
    """Parse a ``statusListIndex`` strictly (section 2.1: a string holding an integer >= 0).

    Only ASCII decimal digits without sign, space or leading zeros are accepted (``MALFORMED_VALUE_ERROR``
    otherwise); the index must lie within a list of ``length`` bits (``RANGE_ERROR``, section 3.2,
    "Validate Algorithm", step 10). An ``int`` (not ``bool``) is accepted for the issuer's own use.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise SkillcredError(
            f"statusListIndex: expected a decimal string, got {type(value).__name__}", code=Code.MALFORMED_VALUE_ERROR
        )
    if isinstance(value, str):
        check_index_syntax(value)
        if len(value) > len(str(length)):
            raise SkillcredError(f"statusListIndex: {value[:40]}... is outside the list", code=Code.RANGE_ERROR)
        index = int(value)
    else:
        index = value
    if not 0 <= index < length:
        raise SkillcredError(f"statusListIndex: {index} is outside the list (0..{length - 1})", code=Code.RANGE_ERROR)
    return index


def check_index_syntax(value: str) -> None:
    if not _DIGITS.fullmatch(value):
        raise SkillcredError(
            f"statusListIndex: {value[:40]!r} is not a decimal integer", code=Code.MALFORMED_VALUE_ERROR
        )
