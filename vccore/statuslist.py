"""Bitstring Status List v1.0 (W3C Recommendation): the list value, its encoding, and the check.

A status list is a bitstring; index 0 is the most significant bit of byte 0 (section 3.2,
"Bitstring Generation Algorithm", step 2: "the leftmost bit ... is index 0"). It travels as
``encodedList``: the multibase base64url (no padding, prefix ``u``) encoding of the GZIP-compressed
bitstring (section 3.2 and 3.3, "Bitstring Encoding" / "Bitstring Expansion Algorithm"). A list
shorter than 131,072 bits gives no herd privacy (section 6.1) and is refused with
``STATUS_LIST_LENGTH_ERROR`` (section 3.2, "Validate Algorithm", step 9).

Decoding is hostile-input safe: the encoded text and the compressed bytes are capped before work
starts, the inflate runs in chunks under an output cap (a small input that inflates past it is
``RESOURCE_LIMIT_EXCEEDED``), and truncated or trailing data is ``PARSING_ERROR``
(SECURITY.md, "Decompression bombs").

:func:`check_status` is pure: the caller fetches the list credential, verifies its proof and its
issuer, then hands it here with ``now``. Only statusSize 1 and the purposes ``revocation`` and
``suspension`` are supported.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from vccore.errors import Code, ParseError, ResourceLimitError, SkillcredError
from vccore.result import Check, Problem
from vccore.timeutil import DEFAULT_SKEW, format_datetime, parse_datetime, require_aware

#: Section 6.1 ("Herd Privacy"): at least 131,072 entries (16 KiB).
MIN_LENGTH: Final = 131_072
#: Default cap on the compressed bytes carried in ``encodedList``.
DEFAULT_MAX_COMPRESSED: Final = 1024 * 1024
#: Default cap on the inflated bitstring, in bytes (16 MiB = 134,217,728 entries).
DEFAULT_MAX_INFLATED: Final = 16 * 1024 * 1024

VC_V2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
ENTRY_TYPE: Final = "BitstringStatusListEntry"
CREDENTIAL_TYPE: Final = "BitstringStatusListCredential"
LIST_TYPE: Final = "BitstringStatusList"

StatusPurpose = Literal["revocation", "suspension"]
PURPOSES: Final[tuple[str, ...]] = ("revocation", "suspension")

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


def decode(encoded: str, *, min_length: int = MIN_LENGTH,
           max_compressed: int = DEFAULT_MAX_COMPRESSED,
           max_inflated: int = DEFAULT_MAX_INFLATED) -> StatusList:
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
            code=Code.STATUS_LIST_LENGTH_ERROR)
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
        raise SkillcredError(f"statusListIndex: expected a decimal string, got {type(value).__name__}",
                             code=Code.MALFORMED_VALUE_ERROR)
    if isinstance(value, str):
        _check_index_syntax(value)
        if len(value) > len(str(length)):
            raise SkillcredError(f"statusListIndex: {value[:40]}... is outside the list",
                                 code=Code.RANGE_ERROR)
        index = int(value)
    else:
        index = value
    if not 0 <= index < length:
        raise SkillcredError(f"statusListIndex: {index} is outside the list (0..{length - 1})",
                             code=Code.RANGE_ERROR)
    return index


def _check_index_syntax(value: str) -> None:
    if not _DIGITS.fullmatch(value):
        raise SkillcredError(f"statusListIndex: {value[:40]!r} is not a decimal integer",
                             code=Code.MALFORMED_VALUE_ERROR)


# --- building (issuer side) -------------------------------------------------------------------

def status_entry(list_url: str, index: int, *, purpose: StatusPurpose,
                 length: int | None = None) -> dict[str, Any]:
    """A ``BitstringStatusListEntry`` (section 2.1) for ``index`` in the list at ``list_url``.

    ``id`` is ``<list_url>#<index>`` and ``statusListIndex`` a decimal string, as in the spec's
    examples. When ``length`` is given the index is checked against it.
    """
    _check_url(list_url)
    _check_purpose(purpose)
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError(f"index: expected a non-negative int, got {index!r}")
    if length is not None and index >= length:
        raise ValueError(f"index: {index} is outside a list of {length} bits")
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(list_url: str, status_list: StatusList, *, issuer: str,
                           purpose: StatusPurpose, now: datetime, ttl: timedelta,
                           contexts: Iterable[str] = (VC_V2_CONTEXT,)) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` (section 2.2) publishing ``status_list``.

    ``validFrom`` is ``now`` and ``validUntil`` is ``now + ttl`` (both UTC, whole seconds): the
    list's own expiry, which verifiers cache until (SECURITY.md item 13). The subject id is
    ``<list_url>#list``. The first context must be the VC 2.0 one.
    """
    _check_url(list_url)
    _check_purpose(purpose)
    if not isinstance(status_list, StatusList):
        raise TypeError(f"status_list: expected StatusList, got {type(status_list).__name__}")
    if not isinstance(issuer, str) or not issuer:
        raise ValueError(f"issuer: expected a non-empty string, got {issuer!r}")
    if not isinstance(ttl, timedelta) or ttl <= timedelta(0):
        raise ValueError(f"ttl: expected a positive timedelta, got {ttl!r}")
    ctx = list(contexts)
    if not ctx or ctx[0] != VC_V2_CONTEXT:
        raise ValueError(f"contexts: the first context must be {VC_V2_CONTEXT}, got {ctx!r}")
    start = require_aware(now).replace(microsecond=0)
    return {
        "@context": ctx,
        "id": list_url,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": format_datetime(start),
        "validUntil": format_datetime(start + ttl),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": LIST_TYPE,
            "statusPurpose": purpose,
            "encodedList": status_list.encode(),
        },
    }


# --- checking (verifier side) -----------------------------------------------------------------

@dataclass(frozen=True)
class StatusResult:
    """The outcome of :func:`check_status`.

    ``bit`` is the status bit when the check completed, else ``None`` and ``problems`` says why.
    A completed check never carries problems; a set bit is not a problem here but is turned into
    ``REVOKED``/``SUSPENDED`` by :meth:`to_check`.
    """

    purpose: str
    bit: int | None
    problems: tuple[Problem, ...] = ()
    index: int | None = None
    list_credential: str = ""
    valid_until: datetime | None = None
    info: Mapping[str, Any] = field(default_factory=dict)

    @property
    def completed(self) -> bool:
        return self.bit is not None and not self.problems

    @property
    def is_set(self) -> bool:
        """True when the check completed and the bit is 1 (revoked or suspended)."""
        return self.completed and self.bit == 1

    def to_check(self) -> Check:
        """A ``status.<purpose>`` check: failed when the bit is set or the check could not run."""
        name = f"status.{self.purpose}" if self.purpose in PURPOSES else "status"
        info: dict[str, Any] = {"statusListCredential": self.list_credential, **self.info}
        if self.index is not None:
            info["statusListIndex"] = self.index
        if self.valid_until is not None:
            info["validUntil"] = format_datetime(self.valid_until)
        if self.problems or self.bit is None:
            problems = self.problems or (Problem(Code.STATUS_VERIFICATION_ERROR, "no status bit"),)
            return Check(name, False, problems, info)
        if self.bit:
            code = Code.REVOKED if self.purpose == "revocation" else Code.SUSPENDED
            return Check.fail(name, code, f"status bit {self.index} is set", info=info)
        return Check.ok(name, info=info)


def check_status(credential_entry: Mapping[str, Any], list_credential: Mapping[str, Any], *,
                 now: datetime, clock_skew: timedelta = DEFAULT_SKEW,
                 min_length: int = MIN_LENGTH, max_compressed: int = DEFAULT_MAX_COMPRESSED,
                 max_inflated: int = DEFAULT_MAX_INFLATED) -> StatusResult:
    """Read one entry's bit from an already verified list credential (section 3.2, "Validate").

    Never raises for bad input. Problem codes:

    - the entry is not a well-formed ``BitstringStatusListEntry`` (type, purpose, URL,
      ``statusSize`` other than 1, index syntax): ``MALFORMED_VALUE_ERROR``;
    - the list credential is not a ``BitstringStatusListCredential``, its ``id`` is not the entry's
      ``statusListCredential``, its subject is not a ``BitstringStatusList``, its purpose differs
      (step 5), a validity timestamp is malformed, or it is not yet valid or already past its
      ``validUntil`` (with ``clock_skew``): ``STATUS_VERIFICATION_ERROR``. A stale list is a
      verification error, not a retrieval error: the list was retrieved, and it is the list
      itself that no longer verifies (VC 2.0 validity); refreshing a stale cache is the caller's job;
    - ``encodedList`` fails :func:`decode`: that function's code (``PARSING_ERROR``,
      ``RESOURCE_LIMIT_EXCEEDED`` or ``STATUS_LIST_LENGTH_ERROR``, step 9);
    - the index lies outside the list: ``RANGE_ERROR`` (step 10).

    The subject's ``id`` is not compared with the list URL: the spec's own example differs.
    """
    now = require_aware(now)
    purpose = credential_entry.get("statusPurpose") if isinstance(credential_entry, Mapping) else None
    purpose_s = purpose if isinstance(purpose, str) else ""

    def fail(code: Code, detail: str, pointer: str = "", **kw: Any) -> StatusResult:
        return StatusResult(purpose_s, None, (Problem(code, detail, pointer),), **kw)

    if not isinstance(credential_entry, Mapping):
        return fail(Code.MALFORMED_VALUE_ERROR, "credentialStatus: expected an object")
    if credential_entry.get("type") != ENTRY_TYPE:
        return fail(Code.MALFORMED_VALUE_ERROR, f"credentialStatus: type must be {ENTRY_TYPE}", "/type")
    if purpose_s not in PURPOSES:
        return fail(Code.MALFORMED_VALUE_ERROR,
                    f"statusPurpose: {purpose!r} is not one of {', '.join(PURPOSES)}", "/statusPurpose")
    list_url = credential_entry.get("statusListCredential")
    if not isinstance(list_url, str) or not list_url:
        return fail(Code.MALFORMED_VALUE_ERROR, "statusListCredential: expected a URL",
                    "/statusListCredential")
    size = credential_entry.get("statusSize", 1)
    if size != 1 or isinstance(size, bool):
        return fail(Code.MALFORMED_VALUE_ERROR, f"statusSize: only 1 is supported, got {size!r}",
                    "/statusSize", list_credential=list_url)
    raw_index = credential_entry.get("statusListIndex")
    if not isinstance(raw_index, str):
        return fail(Code.MALFORMED_VALUE_ERROR, "statusListIndex: expected a decimal string",
                    "/statusListIndex", list_credential=list_url)
    try:  # syntax first, range once the list length is known
        _check_index_syntax(raw_index)
    except SkillcredError as err:
        return fail(err.code, err.detail, "/statusListIndex", list_credential=list_url)

    def bad_list(detail: str, pointer: str = "", **kw: Any) -> StatusResult:
        return fail(Code.STATUS_VERIFICATION_ERROR, detail, pointer, list_credential=list_url, **kw)

    if not isinstance(list_credential, Mapping):
        return bad_list("status list credential: expected an object")
    types = list_credential.get("type")
    if not isinstance(types, list) or CREDENTIAL_TYPE not in types or "VerifiableCredential" not in types:
        return bad_list(f"status list credential: type must include {CREDENTIAL_TYPE}", "/type")
    if list_credential.get("id") != list_url:
        return bad_list(f"status list credential: id {list_credential.get('id')!r} is not "
                        f"the entry's statusListCredential {list_url!r}", "/id")
    times: dict[str, datetime | None] = {}
    for key in ("validFrom", "validUntil"):
        try:
            value = list_credential.get(key)
            times[key] = None if value is None else parse_datetime(value, field=key)
        except SkillcredError as err:
            return bad_list(err.detail, f"/{key}")
    valid_from, valid_until = times["validFrom"], times["validUntil"]
    if valid_from is not None and now + clock_skew < valid_from:
        return bad_list(f"list credential: not valid before {format_datetime(valid_from)}",
                        "/validFrom", valid_until=valid_until)
    if valid_until is not None and now - clock_skew > valid_until:
        return bad_list(f"list credential: stale since {format_datetime(valid_until)}",
                        "/validUntil", valid_until=valid_until)
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("type") != LIST_TYPE:
        return bad_list(f"credentialSubject: expected one {LIST_TYPE}", "/credentialSubject",
                        valid_until=valid_until)
    list_purpose = subject.get("statusPurpose")
    purposes = list_purpose if isinstance(list_purpose, list) else [list_purpose]
    if purpose_s not in purposes:
        return bad_list(f"statusPurpose: the list is for {list_purpose!r}, the entry for {purpose_s!r}",
                        "/credentialSubject/statusPurpose", valid_until=valid_until)
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        return fail(Code.PARSING_ERROR, "encodedList: expected a string", "/credentialSubject/encodedList",
                    list_credential=list_url, valid_until=valid_until)
    try:
        bits = decode(encoded, min_length=min_length,
                      max_compressed=max_compressed, max_inflated=max_inflated)
        index = parse_index(raw_index, length=bits.length)
    except SkillcredError as err:
        pointer = "/statusListIndex" if err.code is Code.RANGE_ERROR else "/credentialSubject/encodedList"
        return fail(err.code, err.detail, pointer, list_credential=list_url, valid_until=valid_until)
    return StatusResult(purpose_s, bits.get(index), (), index, list_url, valid_until,
                        {"length": bits.length})


# --- helpers ----------------------------------------------------------------------------------

def _check_url(url: str) -> None:
    if not isinstance(url, str) or not url or "#" in url or any(c.isspace() for c in url):
        raise ValueError(f"list_url: expected an absolute URL without fragment, got {url!r}")


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise ValueError(f"purpose: expected one of {PURPOSES}, got {purpose!r}")
