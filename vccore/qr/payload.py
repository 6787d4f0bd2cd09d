"""QR payload codec and QR capacity arithmetic (no image code here; see :mod:`vccore.qr.render`).

Two payload kinds, both written only in the QR *alphanumeric* character set
(``0-9 A-Z space $ % * + - . / :``) so that a QR code carries them in alphanumeric mode at
5.5 bits per character, instead of 8 bits per character in byte mode:

``SC2:<base45>``
    A whole document. The base45 (RFC 9285) text encodes raw DEFLATE (RFC 1951; zlib level 9,
    ``wbits=-15``: no zlib header or checksum, the signature inside the credential protects the
    content) of the compact UTF-8 JSON of the document
    (``json.dumps(doc, separators=(",", ":"), ensure_ascii=False, sort_keys=False)``), compressed
    against the preset dictionary :data:`vccore.qr.dictionary.DICTIONARY` (zlib ``zdict``): the context
    URLs, keys, types, codes and labels skillcred documents repeat, so that only what is particular
    to one document takes room. The dictionary is part of the format (its SHA-256 is frozen by the
    tests). Key order is kept: the document round-trips as the issuer wrote it, byte for byte, so
    its proof still verifies. A full signed skill-level credential (about 2.3 KB of JSON) needs a
    version 18-19 code at level M this way, against 29 without the dictionary;
    ``docs/qr-sizes.md`` has the numbers per credential kind.

``SCR1:<base45>``
    A hash-bound reference for documents too large for a phone-scannable code. The base45 text
    encodes the 32-byte SHA-256 digest of the document bytes followed by the UTF-8 URL to fetch
    them from. Whoever fetches the URL must compare the digest before trusting the bytes, so the
    transport need not be trusted for integrity.

The prefix is ``SC`` (document) or ``SCR`` (reference), then the decimal version of that kind's
format, then ``:``. Documents are at version 2 (:data:`DOCUMENT_VERSION`); version 1, the same
without the dictionary, was never released and is refused like any other unknown version rather
than guessed at. References are at version 1 (:data:`REFERENCE_VERSION`).

Decoding treats the payload as hostile: its length is capped before any work, every character is
checked against the alphabet, base45 groups are range-checked, the DEFLATE stream must end exactly
at the end of the data (no truncation, no trailing bytes), inflation runs in bounded chunks and
stops one byte past ``max_inflated`` (so a small "inflate bomb" allocates at most the cap), and
the JSON is parsed strictly by :func:`vccore.jsonstrict.loads` (no NaN, no duplicate keys, bounded
depth, no lone surrogates). Malformed input raises :class:`ParseError` (``PARSING_ERROR``),
over-limit input raises :class:`ResourceLimitError` (``RESOURCE_LIMIT_EXCEEDED``).

The capacity table and :func:`fit` tell which QR version a payload needs, and refuse
(``QR_TOO_LARGE``) payloads that would need a symbol too dense to scan reliably with a phone.

The parts live in their own modules and are re-exported here: base45 in :mod:`vccore.qr.base45`,
the capacity table and :func:`fit` in :mod:`vccore.qr.capacity`.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from vccore import jsonstrict
from vccore.errors import Code, ParseError, ResourceLimitError, SkillcredError
from vccore.qr import dictionary as qrdict
from vccore.qr.base45 import b45decode, b45encode
from vccore.qr.capacity import (
    MAX_PAYLOAD_CHARS,
)
from vccore.qr.link import unwrap

__all__ = [
    "DEFAULT_MAX_INFLATED",
    "DOCUMENT_PREFIX",
    "DOCUMENT_VERSION",
    "MAX_URL_CHARS",
    "REFERENCE_PREFIX",
    "REFERENCE_VERSION",
    "Decoded",
    "Reference",
    "decode",
    "decode_any",
    "decode_reference",
    "encode",
    "encode_reference",
]

_HEAD_RE: Final = re.compile(r"(SCR|SC)([0-9]{1,3})")

#: Version of the document payload format: 2 is compact JSON, DEFLATE with :mod:`vccore.qr.dictionary`.
DOCUMENT_VERSION: Final = 2
#: Version of the reference payload format: SHA-256 digest then URL.
REFERENCE_VERSION: Final = 1
DOCUMENT_PREFIX: Final = f"SC{DOCUMENT_VERSION}:"
REFERENCE_PREFIX: Final = f"SCR{REFERENCE_VERSION}:"
_VERSIONS: Final[Mapping[str, int]] = {"SC": DOCUMENT_VERSION, "SCR": REFERENCE_VERSION}

#: Default cap on the inflated JSON size, in bytes.
DEFAULT_MAX_INFLATED: Final = 256 * 1024
#: Longest URL a reference payload may carry.
MAX_URL_CHARS: Final = 2048

_INFLATE_CHUNK: Final = 64 * 1024


# --- payloads ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reference:
    """Where to fetch a document too large for a QR code, and the SHA-256 its bytes must have."""

    url: str
    sha256: str  # 64 lowercase hex digits

    def matches(self, content: bytes) -> bool:
        """True when ``content`` hashes to the bound digest (compare before parsing it)."""
        return hashlib.sha256(content).hexdigest() == self.sha256


@dataclass(frozen=True, slots=True)
class Decoded:
    """What a payload carried: exactly one of ``document`` and ``reference`` is set."""

    document: dict[str, Any] | None = None
    reference: Reference | None = None

    def __post_init__(self) -> None:
        if (self.document is None) == (self.reference is None):
            raise ValueError("Decoded needs exactly one of document and reference")


def encode(document: Mapping[str, Any]) -> str:
    """Encode a JSON object as an ``SC2:`` payload.

    Raises :class:`SkillcredError` (``MALFORMED_VALUE_ERROR``) when the document is not
    representable as strict JSON (NaN or infinities, lone surrogates, values of other types),
    :class:`ResourceLimitError` when its JSON exceeds :data:`DEFAULT_MAX_INFLATED` (the reader
    would refuse it), and ``QR_TOO_LARGE`` when the payload exceeds what any QR code holds
    (:data:`MAX_PAYLOAD_CHARS`); use :func:`encode_reference` for such documents. Whether the
    payload is small enough for a *reliable* code is :func:`fit`'s question.
    """
    if not isinstance(document, Mapping):
        raise SkillcredError(f"a QR document must be a JSON object, not {type(document).__name__}")
    try:
        text = json.dumps(document, separators=(",", ":"), ensure_ascii=False, sort_keys=False, allow_nan=False)
        raw = text.encode("utf-8")
    except (TypeError, ValueError) as err:  # UnicodeEncodeError is a ValueError
        raise SkillcredError(f"the document is not strict JSON: {err}") from err
    if len(raw) > DEFAULT_MAX_INFLATED:
        raise ResourceLimitError(
            f"the document's JSON is {len(raw)} bytes, more than the {DEFAULT_MAX_INFLATED} a reader accepts"
        )
    compressor = zlib.compressobj(level=9, method=zlib.DEFLATED, wbits=-15, memLevel=9, zdict=qrdict.DICTIONARY)
    deflated = compressor.compress(raw) + compressor.flush()
    payload = DOCUMENT_PREFIX + b45encode(deflated)
    if len(payload) > MAX_PAYLOAD_CHARS:
        raise SkillcredError(
            f"payload of {len(payload)} characters exceeds the {MAX_PAYLOAD_CHARS} any QR code holds; "
            f"use a reference payload / 载荷 {len(payload)} 字符，超过二维码最大容量 {MAX_PAYLOAD_CHARS}，"
            "请改用引用载荷",
            code=Code.QR_TOO_LARGE,
        )
    return payload


def _check_url(url: str) -> str:
    if not isinstance(url, str) or not url:
        raise ParseError("reference URL must be a non-empty string")
    if len(url) > MAX_URL_CHARS:
        raise ResourceLimitError(f"reference URL longer than {MAX_URL_CHARS} characters")
    if any(ch <= " " or ch == "\x7f" for ch in url):
        raise ParseError("reference URL contains whitespace or control characters")
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a malformed port
    except ValueError as err:
        raise ParseError(f"reference URL is malformed: {err}") from err
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ParseError("reference URL must be an absolute http(s) URL with a host")
    if parts.username is not None or parts.password is not None:
        raise ParseError("reference URL must not carry credentials")
    return url


def encode_reference(url: str, sha256_hex: str) -> str:
    """Encode an ``SCR1:`` payload binding ``url`` to the SHA-256 of the bytes it serves.

    ``url`` must be an absolute ``https``/``http`` URL with a host, no credentials, no whitespace,
    at most :data:`MAX_URL_CHARS`; ``sha256_hex`` is 64 hex digits (either case). Plain ``http``
    is allowed because the digest, not the transport, protects integrity. Raises
    :class:`ParseError` for a bad URL or digest.
    """
    _check_url(url)
    if not isinstance(sha256_hex, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", sha256_hex):
        raise ParseError("sha256 must be 64 hexadecimal digits")
    return REFERENCE_PREFIX + b45encode(bytes.fromhex(sha256_hex) + url.encode("utf-8"))


def _split(payload: object, max_payload: int) -> tuple[str, bytes]:
    """Check length, head and alphabet; return the kind (``SC``/``SCR``) and the base45 bytes."""
    if not isinstance(payload, str):
        raise ParseError(f"a QR payload is text, not {type(payload).__name__}")
    payload = unwrap(payload)  # a printout's QR: the payload in a scan-page URL (vccore.qr.link)
    if len(payload) > max_payload:
        raise ResourceLimitError(f"payload longer than {max_payload} characters")
    head, sep, body = payload.partition(":")
    match = _HEAD_RE.fullmatch(head) if sep else None
    if match is None:
        raise ParseError(f"not a skillcred QR payload (expected a prefix such as {DOCUMENT_PREFIX!r})")
    kind, version = match.group(1), int(match.group(2))
    if version != _VERSIONS[kind]:
        raise ParseError(
            f"unsupported skillcred QR payload version {kind}{version} (supported: {kind}{_VERSIONS[kind]})"
        )
    return kind, b45decode(body)


def _inflate(data: bytes, max_inflated: int) -> bytes:
    """Inflate a raw DEFLATE stream (preset dictionary :data:`vccore.qr.dictionary.DICTIONARY`) that must
    end exactly at the end of ``data``.

    Inflates at most ``max_inflated + 1`` bytes in total (chunks of at most 64 KiB), so an
    over-cap stream costs no more memory than the cap before it is refused. The dictionary is
    only a window to copy from, not output: it counts toward nothing, and a back-reference
    reaching before its start is a DEFLATE error ("invalid distance too far back").
    """
    inflater = zlib.decompressobj(wbits=-15, zdict=qrdict.DICTIONARY)
    out = bytearray()
    pending = data
    try:
        while not inflater.eof:
            room = min(_INFLATE_CHUNK, max_inflated + 1 - len(out))  # always >= 1: 0 means "no limit"
            chunk = inflater.decompress(pending, room)
            pending = inflater.unconsumed_tail
            out += chunk
            if len(out) > max_inflated:
                raise ResourceLimitError(f"payload inflates to more than {max_inflated} bytes")
            if not chunk and not pending:
                break  # input exhausted, no progress: the stream is cut short
    except zlib.error as err:
        raise ParseError(f"payload is not a valid DEFLATE stream: {err}") from err
    if not inflater.eof:
        raise ParseError("payload DEFLATE stream is truncated")
    if inflater.unused_data or pending:
        raise ParseError("payload has data after the end of the DEFLATE stream")
    return bytes(out)


def decode_any(
    payload: str,
    *,
    max_inflated: int = DEFAULT_MAX_INFLATED,
    max_payload: int = MAX_PAYLOAD_CHARS,
) -> Decoded:
    """Decode either payload kind. See the module docstring for the checks and their errors."""
    if max_inflated < 1:
        raise ValueError("max_inflated must be positive")
    kind, raw = _split(payload, max_payload)
    if kind == "SCR":
        if len(raw) < 33:
            raise ParseError("reference payload too short for a digest and a URL")
        try:
            url = raw[32:].decode("utf-8")
        except UnicodeDecodeError as err:
            raise ParseError("reference URL is not valid UTF-8") from err
        return Decoded(reference=Reference(url=_check_url(url), sha256=raw[:32].hex()))
    value = jsonstrict.loads(_inflate(raw, max_inflated), max_bytes=max_inflated)
    if not isinstance(value, dict):
        raise ParseError(f"payload JSON is a {type(value).__name__}, not an object")
    return Decoded(document=value)


def decode(
    payload: str,
    *,
    max_inflated: int = DEFAULT_MAX_INFLATED,
    max_payload: int = MAX_PAYLOAD_CHARS,
) -> dict[str, Any]:
    """Decode an ``SC2:`` document payload to the JSON object it carries.

    A reference payload is a :class:`ParseError` here (call :func:`decode_any` to accept both).
    """
    decoded = decode_any(payload, max_inflated=max_inflated, max_payload=max_payload)
    if decoded.document is None:
        raise ParseError("payload is a reference, not a document (use decode_any)")
    return decoded.document


def decode_reference(payload: str, *, max_payload: int = MAX_PAYLOAD_CHARS) -> Reference:
    """Decode an ``SCR1:`` reference payload; a document payload is a :class:`ParseError`."""
    if isinstance(payload, str) and not payload.startswith("SCR"):
        raise ParseError("payload is not a reference payload (expected 'SCR1:')")
    decoded = decode_any(payload, max_payload=max_payload)
    assert decoded.reference is not None
    return decoded.reference
