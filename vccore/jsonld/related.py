"""Related resources (VC Data Model 2.0 section 5.3 "Integrity of Related Resources") and the other
typed members of section 5 a credential may carry: the shapes the data model requires, and the digest
of every related resource that is a context this process pins.

* ``relatedResource`` is one or more objects, each with an ``id`` (a URL) unique among them and at
  least a ``digestSRI`` or a ``digestMultibase``; a string or a missing ``id`` or digest is
  ``MALFORMED_VALUE_ERROR``.
* When its ``id`` is a context URL whose bytes are pinned here (``context_bytes``), each digest given
  must be the digest of those bytes: otherwise ``CRYPTOGRAPHIC_SECURITY_ERROR`` ("the conforming
  verifier implementation MUST produce an error"). ``digestSRI`` is ``sha256-``, ``sha384-`` or
  ``sha512-`` and base64 (Subresource Integrity); ``digestMultibase`` is base64url (``u``) or base58btc
  (``z``) of the raw digest or of its multihash (``0x12`` sha2-256, ``0x20`` sha2-384, ``0x13``
  sha2-512). Nothing is fetched: another resource's digest is left to whoever retrieves it.
* ``credentialSchema`` entries need an ``id`` (a URL) and a ``type``; ``refreshService``,
  ``termsOfUse`` and ``evidence`` entries need a ``type`` (sections 4.11, 5.4, 5.5, 5.6).

Works on the document's reading (:mod:`vccore.jsonld.reading`), where a single value may stand
without its array; standard library only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from vccore import multibase
from vccore.errors import Code, SkillcredError
from vccore.result import Problem

_URL: Final = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")
_SRI: Final = re.compile(r"^(sha256|sha384|sha512)-([A-Za-z0-9+/_-]+={0,2})$")
#: multihash code -> hashlib name, and the digest sizes a raw digest may have
_MULTIHASH: Final = {0x12: "sha256", 0x20: "sha384", 0x13: "sha512"}
_RAW_SIZES: Final = {32: "sha256", 48: "sha384", 64: "sha512"}
#: member -> whether its entries need an ``id`` URL too
TYPED_MEMBERS: Final = {"credentialSchema": True, "refreshService": False, "termsOfUse": False, "evidence": False}
MAX_RELATED: Final = 64

#: ``context_bytes(url)``: the exact bytes of a context this process pins, or None
ContextBytes = Callable[[str], bytes | None]


def _entries(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def typed_member_problems(document: Mapping[str, Any]) -> list[Problem]:
    """``credentialSchema``, ``refreshService``, ``termsOfUse`` and ``evidence`` entries without a type
    (or a schema without a URL ``id``)."""
    problems: list[Problem] = []
    for member, needs_id in TYPED_MEMBERS.items():
        if member not in document:
            continue
        value = document[member]
        for i, entry in enumerate(_entries(value)):
            where = f"/{member}/{i}" if isinstance(value, list) else f"/{member}"
            if not isinstance(entry, Mapping):
                problems.append(Problem(Code.MALFORMED_VALUE_ERROR, f"a {member} entry must be an object", where))
                continue
            if "type" not in entry or entry["type"] in ("", []):
                problems.append(Problem(Code.MALFORMED_VALUE_ERROR, f"a {member} entry must specify its type", where))
            if needs_id and not (isinstance(entry.get("id"), str) and _URL.match(entry["id"])):
                problems.append(Problem(Code.MALFORMED_VALUE_ERROR, f"a {member} entry needs a URL id", where))
    return problems


def related_resource_problems(document: Mapping[str, Any], *, context_bytes: ContextBytes) -> list[Problem]:
    """The problems of ``relatedResource`` (see the module docstring); none when it is absent."""
    if "relatedResource" not in document:
        return []
    value = document["relatedResource"]
    entries = _entries(value)
    if not entries or len(entries) > MAX_RELATED:
        return [
            Problem(
                Code.MALFORMED_VALUE_ERROR, f"relatedResource must be 1 to {MAX_RELATED} objects", "/relatedResource"
            )
        ]
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        where = f"/relatedResource/{i}" if isinstance(value, list) else "/relatedResource"
        if not isinstance(entry, Mapping):
            problems.append(Problem(Code.MALFORMED_VALUE_ERROR, "a relatedResource entry must be an object", where))
            continue
        rid = entry.get("id")
        if not (isinstance(rid, str) and _URL.match(rid)):
            problems.append(Problem(Code.MALFORMED_VALUE_ERROR, "a relatedResource entry needs a URL id", where))
            continue
        if rid in seen:
            problems.append(Problem(Code.MALFORMED_VALUE_ERROR, f"relatedResource id {rid!r} is not unique", where))
            continue
        seen.add(rid)
        if "digestSRI" not in entry and "digestMultibase" not in entry:
            problems.append(
                Problem(Code.MALFORMED_VALUE_ERROR, "a relatedResource entry needs digestSRI or digestMultibase", where)
            )
            continue
        pinned = context_bytes(rid)
        if pinned is not None:
            problems.extend(_digest_problems(entry, pinned, rid, where))
    return problems


def _digest_problems(entry: Mapping[str, Any], data: bytes, rid: str, where: str) -> list[Problem]:
    problems: list[Problem] = []
    for member, read in (("digestSRI", _sri), ("digestMultibase", _multibase)):
        if member not in entry:
            continue
        for value in _entries(entry[member]):
            try:
                algorithm, digest = read(value)
            except SkillcredError as err:
                problems.append(Problem(Code.MALFORMED_VALUE_ERROR, f"{member}: {err.detail}", f"{where}/{member}"))
                continue
            if hashlib.new(algorithm, data).digest() != digest:
                problems.append(
                    Problem(
                        Code.CRYPTOGRAPHIC_SECURITY_ERROR,
                        f"{member} does not match the pinned context {rid}",
                        f"{where}/{member}",
                    )
                )
    return problems


def _sri(value: Any) -> tuple[str, bytes]:
    match = _SRI.match(value) if isinstance(value, str) else None
    if match is None:
        raise SkillcredError(
            f"{str(value)[:80]!r} is not sha256-, sha384- or sha512- and base64", code=Code.MALFORMED_VALUE_ERROR
        )
    body = match.group(2).replace("-", "+").replace("_", "/")
    try:
        return match.group(1), base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except (binascii.Error, ValueError) as err:
        raise SkillcredError("not base64", code=Code.MALFORMED_VALUE_ERROR) from err


def _multibase(value: Any) -> tuple[str, bytes]:
    if not isinstance(value, str) or value[:1] not in ("u", "z") or len(value) > 200:
        raise SkillcredError("not a base64url (u) or base58btc (z) multibase value", code=Code.MALFORMED_VALUE_ERROR)
    raw = multibase.decode_u(value) if value[0] == "u" else multibase.decode_z(value)
    if len(raw) > 2 and raw[0] in _MULTIHASH and raw[1] == len(raw) - 2:
        return _MULTIHASH[raw[0]], raw[2:]
    if len(raw) in _RAW_SIZES:
        return _RAW_SIZES[len(raw)], raw
    raise SkillcredError("neither a sha2 digest nor its multihash", code=Code.MALFORMED_VALUE_ERROR)
