"""Resident ID numbers and the salted, deliberately slow identity hash (SECURITY.md item 9).

A credential never carries a clear 居民身份证号码. It carries an ``identityHash`` object
(docs/credentials.md, "Common envelope") that an employer holding the worker's ID card can check
with :func:`matches`, and that the issuer and verifier recompute the same way.

ID numbers follow GB 11643-1999: a 6-digit address code, an 8-digit birth date (YYYYMMDD), a 3-digit
sequence code and a check character computed with ISO 7064 MOD 11-2 (weights ``2**(17-i) mod 11``,
remainder mapped through ``10X98765432``). The regular expression is the one samples.md gives.

Why Argon2id and these parameters
---------------------------------
The space of plausible ID numbers is small, because most of an ID number is guessable. The check
character adds nothing (it is computed), so an attacker enumerates region x birth date x sequence:

* one known region and birth date: 1,000 sequence codes (500 if the sex is known, it is the parity
  of the 17th digit);
* one known region, birth year unknown within 1960-2005: 46 x 365 x 1,000 ~= 1.7e7;
* one known birth date, region unknown (~3,200 county-level codes, an estimate that counts
  retired ones): 3,200 x 1,000 ~= 3.2e6;
* everyone born 1940-2010: 3,200 x 71 x 365 x 1,000 ~= 8.3e10.

With a fast hash all of these fall at once. One SHA-256 of salt + ID measured 0.4 microseconds in
CPython on this machine (~2.5e6 guesses/s on one core; a GPU does ~1e10/s):

* 1.7e7 guesses (one region, 46 birth years) x 0.4 us ~= 7 s on one core;
* 8.3e10 guesses (the whole country) ~= 8 s on one GPU, or ~9 hours on one core.

Argon2id with the defaults below (opslimit 3, memlimit 64 MiB) measured 0.12 s per guess (median of
10; 0.11-0.37 s) on this 2-core machine through libsodium, ~300,000 times slower, and its memory
hardness caps a 24 GB GPU at a few hundred guesses in flight:

* 1,000 guesses (region and birth date known) x 0.12 s ~= 2 minutes;
* 3.2e6 guesses (birth date known) ~= 3.8e5 core-seconds ~= 4.4 core-days;
* 1.7e7 guesses (one region, 46 birth years) ~= 2.0e6 core-seconds ~= 23 core-days;
* 8.3e10 guesses (the whole country) ~= 1.0e10 core-seconds ~= 300 core-years;

and the salt is per credential, so none of that work is shared between targets.

So the hash turns a bulk, offline de-anonymisation of a credential store from seconds into core-years,
but it does not keep the ID number secret from someone who already knows the holder's region and
birth date: a credential remains personal data and is disclosed only by its holder.

:func:`matches` refuses parameters above :data:`MAX_OPSLIMIT` / :data:`MAX_MEMLIMIT`, so a crafted
credential cannot make a verifier spend seconds of CPU or gigabytes of memory per check.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

import nacl.pwhash.argon2id as argon2id

from vccore.errors import Code, SkillcredError

IDENTITY_HASH_TYPE = "Argon2idIdentityHash"
IDENTITY_TYPE = "nationalIdentityNumber"

HASH_BYTES = 32
SALT_BYTES = 16
DEFAULT_OPSLIMIT = 3
DEFAULT_MEMLIMIT = 64 * 1024 * 1024
#: libsodium's own lower bounds (``crypto_pwhash_argon2id_OPSLIMIT_MIN`` / ``MEMLIMIT_MIN``)
MIN_OPSLIMIT: int = argon2id.OPSLIMIT_MIN
MIN_MEMLIMIT: int = argon2id.MEMLIMIT_MIN
#: the most a verifier spends on one comparison (about 0.5 s and 256 MiB here)
#: The most a skillcred issuer may spend on one hash, and so the most a verifier spends checking one: an
#: ID check takes these parameters from the credential it is shown, so they must be bounded by what
#: issuers use, never by what a caller asks for (SECURITY.md verifier item 18).
MAX_OPSLIMIT = 4
MAX_MEMLIMIT = 64 * 1024 * 1024

_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{6}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]$", re.ASCII)
_ID_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
_DIGIT_SEPARATOR = re.compile(r"(?<=[0-9])[\s\-](?=[0-9Xx])")
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits (GB 11643-1999 section 5.2)."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need exactly 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _problem(value: str) -> tuple[str, str] | None:
    """Why ``value`` (already upper-cased) is not a resident ID number, in English and in Chinese, or None if
    it is one."""
    if not _ID_SHAPE.match(value):
        return (
            "is not 18 characters of the form region(6) birth date(8) sequence(3) check(1)",
            "身份证号须为 18 位（地区 6 位、出生日期 8 位、顺序码 3 位、校验码 1 位）",
        )
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return f"has an impossible birth date {value[6:14]}", "身份证号中的出生日期不存在"
    expected = check_character(value[:17])
    if value[17] != expected:
        return (
            f"has check character {value[17]!r}, expected {expected!r} (ISO 7064 MOD 11-2)",
            "身份证号最后一位校验码不对，请核对号码",
        )
    return None


def is_resident_id(value: Any) -> bool:
    """True if ``value`` is a well-formed resident ID number with a valid check character."""
    return isinstance(value, str) and _problem(value.upper()) is None


def mask_id(value: str) -> str:
    """A loggable form of a (possibly invalid) ID number: region and last four kept."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def normalize_resident_id(value: Any, *, field: str = "idNumber") -> str:
    """The canonical form (upper-case ``X``) of a valid ID number, or :class:`SkillcredError`.

    The message names ``field`` and shows the number masked, never in clear.
    """
    if not isinstance(value, str):
        raise SkillcredError(
            f"{field}: expected a string, got {type(value).__name__}",
            code=Code.MALFORMED_VALUE_ERROR,
            pointer=f"/{field}",
            zh="身份证号须为文本",
        )
    canonical = value.strip().upper()
    problem = _problem(canonical)
    if problem is not None:
        raise SkillcredError(
            f"{field}: {mask_id(canonical)!r} {problem[0]}",
            code=Code.MALFORMED_VALUE_ERROR,
            pointer=f"/{field}",
            zh=problem[1],
        )
    return canonical


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(value: Any, field: str, length: int) -> bytes:
    if not isinstance(value, str) or not _B64URL.match(value) or len(value) % 4 == 1:
        raise SkillcredError(
            f"identityHash.{field}: not base64url without padding",
            code=Code.MALFORMED_VALUE_ERROR,
            pointer=f"/identityHash/{field}",
        )
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as err:
        raise SkillcredError(
            f"identityHash.{field}: {err}", code=Code.MALFORMED_VALUE_ERROR, pointer=f"/identityHash/{field}"
        ) from err
    if len(raw) != length or _b64url(raw) != value:
        raise SkillcredError(
            f"identityHash.{field}: expected {length} bytes in canonical base64url",
            code=Code.MALFORMED_VALUE_ERROR,
            pointer=f"/identityHash/{field}",
        )
    return raw


def check_parameters(identity_hash: Mapping[str, Any]) -> tuple[int, int]:
    """The (opslimit, memlimit) of an identity hash, or ``RESOURCE_LIMIT_EXCEEDED``/``MALFORMED_VALUE_ERROR``
    when they are not integers within what an issuer may use: before any work is spent on it."""
    return _check_limits(identity_hash.get("opsLimit"), identity_hash.get("memLimit"))


def _check_limits(opslimit: Any, memlimit: Any) -> tuple[int, int]:
    for name, value, low, high in (
        ("opsLimit", opslimit, MIN_OPSLIMIT, MAX_OPSLIMIT),
        ("memLimit", memlimit, MIN_MEMLIMIT, MAX_MEMLIMIT),
    ):
        if not isinstance(value, int) or isinstance(value, bool):
            raise SkillcredError(
                f"identityHash.{name}: expected an integer, got {value!r}",
                code=Code.MALFORMED_VALUE_ERROR,
                pointer=f"/identityHash/{name}",
            )
        if value > high:
            raise SkillcredError(
                f"identityHash.{name}: {value} is above the limit {high}",
                code=Code.RESOURCE_LIMIT_EXCEEDED,
                pointer=f"/identityHash/{name}",
            )
        if value < low:
            raise SkillcredError(
                f"identityHash.{name}: {value} is below the minimum {low}",
                code=Code.RANGE_ERROR,
                pointer=f"/identityHash/{name}",
            )
    return int(opslimit), int(memlimit)


def _kdf(id_number: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    digest: bytes = argon2id.kdf(HASH_BYTES, id_number.encode("ascii"), salt, opslimit=opslimit, memlimit=memlimit)
    return digest


def hash_identity(
    id_number: str, *, salt: bytes | None = None, opslimit: int = DEFAULT_OPSLIMIT, memlimit: int = DEFAULT_MEMLIMIT
) -> dict[str, Any]:
    """The ``identityHash`` object for ``id_number``: Argon2id, 32 bytes, 16-byte salt.

    The salt comes from the OS CSPRNG unless given (tests, re-issuance). The number is validated
    and canonicalized first (a lower-case ``x`` hashes like ``X``). Parameters outside the bounds
    :func:`matches` accepts are refused, so nothing is issued that a verifier would reject.
    """
    canonical = normalize_resident_id(id_number, field="idNumber")
    opslimit, memlimit = _check_limits(opslimit, memlimit)
    if salt is None:
        salt = os.urandom(SALT_BYTES)
    if not isinstance(salt, bytes) or len(salt) != SALT_BYTES:
        raise SkillcredError(f"salt: expected {SALT_BYTES} bytes", code=Code.MALFORMED_VALUE_ERROR)
    return {
        "type": IDENTITY_HASH_TYPE,
        "identityType": IDENTITY_TYPE,
        "hashValue": _b64url(_kdf(canonical, salt, opslimit, memlimit)),
        "salt": _b64url(salt),
        "opsLimit": opslimit,
        "memLimit": memlimit,
    }


_HASH_KEYS = frozenset({"type", "identityType", "hashValue", "salt", "opsLimit", "memLimit"})


def matches(identity_hash: Mapping[str, Any], id_number: str) -> bool:
    """True if ``id_number`` is the number hashed into ``identity_hash``; compared in constant time.

    Raises :class:`SkillcredError` for a malformed object (``MALFORMED_VALUE_ERROR``), parameters
    above the DoS bounds (``RESOURCE_LIMIT_EXCEEDED``, checked before any hashing) or below
    libsodium's minimum (``RANGE_ERROR``), and for an ID number that is not valid at all.
    """
    if not isinstance(identity_hash, Mapping):
        raise SkillcredError("identityHash: expected an object", code=Code.MALFORMED_VALUE_ERROR)
    keys = set(identity_hash)
    if keys != _HASH_KEYS:
        raise SkillcredError(
            f"identityHash: expected keys {sorted(_HASH_KEYS)}, got {sorted(keys)}",
            code=Code.MALFORMED_VALUE_ERROR,
            pointer="/identityHash",
        )
    if identity_hash["type"] != IDENTITY_HASH_TYPE or identity_hash["identityType"] != IDENTITY_TYPE:
        raise SkillcredError(
            f"identityHash: unsupported type {identity_hash['type']!r}/{identity_hash['identityType']!r}",
            code=Code.MALFORMED_VALUE_ERROR,
            pointer="/identityHash/type",
        )
    opslimit, memlimit = _check_limits(identity_hash["opsLimit"], identity_hash["memLimit"])
    expected = _unb64url(identity_hash["hashValue"], "hashValue", HASH_BYTES)
    salt = _unb64url(identity_hash["salt"], "salt", SALT_BYTES)
    canonical = normalize_resident_id(id_number, field="idNumber")
    return hmac.compare_digest(_kdf(canonical, salt, opslimit, memlimit), expected)


def _candidates(text: str) -> list[str]:
    # ASCII is its own NFKC form; an ID number needs 18 characters of which at least 17 are digits,
    # so most strings are dismissed without running the regular expressions
    folded = text if text.isascii() else unicodedata.normalize("NFKC", text)
    if len(folded) < 18 or sum(map(str.isdigit, folded)) < 17:
        return []
    joined = _DIGIT_SEPARATOR.sub("", folded)
    found = _ID_IN_TEXT.findall(folded)
    if joined != folded:
        found += _ID_IN_TEXT.findall(joined)
    return found


def redact(text: str) -> str:
    """``text`` with every clear ID number in it masked (:func:`mask_id`), for messages and logs.

    Spaced or hyphenated numbers cannot be masked in place; such a text is masked entirely.
    """
    folded = unicodedata.normalize("NFKC", text)
    out = _ID_IN_TEXT.sub(lambda m: mask_id(m.group()) if is_resident_id(m.group()) else m.group(), folded)
    return "*" * len(out) if any(is_resident_id(c) for c in _candidates(out)) else out


def clear_id_pointers(value: Any, *, max_nodes: int = 100_000) -> list[str]:
    """JSON pointers of every string (key or value) in a JSON tree that holds a clear ID number.

    An ID number counts when an 18-character run (digits, last one may be ``X``) not touching other
    digits has the GB 11643 shape and a valid check character. Integers are scanned too (an ID number
    without ``X`` fits in a JSON number). Full-width digits are folded (NFKC) and spaces or hyphens
    between digits are ignored, so ``T370202198512129996`` and
    ``140105 19800101 0003`` are both found. Iterative, and bounded by ``max_nodes``.
    """
    found: list[str] = []
    stack: list[tuple[str, Any]] = [("", value)]
    seen = 0
    while stack:
        pointer, node = stack.pop()
        seen += 1
        if seen > max_nodes:
            raise SkillcredError(f"more than {max_nodes} nodes to scan", code=Code.RESOURCE_LIMIT_EXCEEDED)
        if isinstance(node, str | int) and not isinstance(node, bool):
            if any(is_resident_id(c) for c in _candidates(str(node))):
                found.append(pointer)
        elif isinstance(node, Mapping):
            for key, child in node.items():
                escaped = str(key).replace("~", "~0").replace("/", "~1")
                if isinstance(key, str) and any(is_resident_id(c) for c in _candidates(key)):
                    escaped = mask_id(escaped)  # the pointer must not leak the number itself
                    found.append(f"{pointer}/{escaped}")
                stack.append((f"{pointer}/{escaped}", child))
        elif isinstance(node, list | tuple):
            stack.extend((f"{pointer}/{i}", child) for i, child in enumerate(node))
    return sorted(found)


def contains_clear_id(value: Any) -> bool:
    """True if any string anywhere in the JSON tree ``value`` holds a clear resident ID number."""
    return bool(clear_id_pointers(value))
