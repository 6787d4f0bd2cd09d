"""The verifier's side of Bitstring Status List v1.0: reading one entry's bit from a list credential.

Contract: :func:`check_status` is pure and never raises for bad input (section 3.2, "Validate
Algorithm"): the caller fetches the list credential, verifies its proof and its issuer, then hands
it here with ``now``; the outcome is a :class:`StatusResult` whose problems carry the codes listed
on :func:`check_status`, and :meth:`StatusResult.to_check` turns it into a ``status.<purpose>``
check (a set bit is ``REVOKED`` or ``SUSPENDED``). Only statusSize 1 and the purposes
``revocation`` and ``suspension`` are supported. Decoding the list is :func:`vccore.status.bitstring.decode`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from vccore.errors import Code, SkillcredError
from vccore.result import Check, CheckName, Problem
from vccore.status.bitstring import (
    DEFAULT_MAX_COMPRESSED,
    DEFAULT_MAX_INFLATED,
    MIN_LENGTH,
    check_index_syntax,
    decode,
    parse_index,
)
from vccore.status.entry import CREDENTIAL_TYPE, ENTRY_TYPE, LIST_TYPE, PURPOSES
from vccore.timeutil import DEFAULT_SKEW, format_datetime, outside_window, parse_datetime, require_aware

__all__ = ["StatusResult", "check_status"]


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
        name = CheckName.status(self.purpose)
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


def entry_problem(credential_entry: Any) -> Problem | None:
    """Why ``credential_entry`` is not a well-formed ``BitstringStatusListEntry`` (type, purpose, list URL,
    ``statusSize`` 1, index syntax), as a ``MALFORMED_VALUE_ERROR`` (or the index's code); None when it
    is one. The issuer holds a caller's entry to this before it signs it."""
    if not isinstance(credential_entry, Mapping):
        return Problem(Code.MALFORMED_VALUE_ERROR, "credentialStatus: expected an object")
    if credential_entry.get("type") != ENTRY_TYPE:
        return Problem(Code.MALFORMED_VALUE_ERROR, f"credentialStatus: type must be {ENTRY_TYPE}", "/type")
    purpose = credential_entry.get("statusPurpose")
    if not isinstance(purpose, str) or purpose not in PURPOSES:
        return Problem(
            Code.MALFORMED_VALUE_ERROR,
            f"statusPurpose: {purpose!r} is not one of {', '.join(PURPOSES)}",
            "/statusPurpose",
        )
    list_url = credential_entry.get("statusListCredential")
    if not isinstance(list_url, str) or not list_url:
        return Problem(Code.MALFORMED_VALUE_ERROR, "statusListCredential: expected a URL", "/statusListCredential")
    size = credential_entry.get("statusSize", 1)
    if size != 1 or isinstance(size, bool):
        return Problem(Code.MALFORMED_VALUE_ERROR, f"statusSize: only 1 is supported, got {size!r}", "/statusSize")
    raw_index = credential_entry.get("statusListIndex")
    if not isinstance(raw_index, str):
        return Problem(Code.MALFORMED_VALUE_ERROR, "statusListIndex: expected a decimal string", "/statusListIndex")
    try:  # syntax first, range once the list length is known
        check_index_syntax(raw_index)
    except SkillcredError as err:
        return Problem(err.code, err.detail, "/statusListIndex")
    return None


def check_status(
    credential_entry: Mapping[str, Any],
    list_credential: Mapping[str, Any],
    *,
    now: datetime,
    clock_skew: timedelta = DEFAULT_SKEW,
    min_length: int = MIN_LENGTH,
    max_compressed: int = DEFAULT_MAX_COMPRESSED,
    max_inflated: int = DEFAULT_MAX_INFLATED,
) -> StatusResult:
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

    problem = entry_problem(credential_entry)
    list_url = credential_entry.get("statusListCredential") if isinstance(credential_entry, Mapping) else None
    if problem is not None:
        if problem.pointer in ("/statusSize", "/statusListIndex"):
            return StatusResult(purpose_s, None, (problem,), list_credential=str(list_url))
        return StatusResult(purpose_s, None, (problem,))
    assert isinstance(list_url, str)
    raw_index = str(credential_entry["statusListIndex"])

    def bad_list(detail: str, pointer: str = "", **kw: Any) -> StatusResult:
        return fail(Code.STATUS_VERIFICATION_ERROR, detail, pointer, list_credential=list_url, **kw)

    if not isinstance(list_credential, Mapping):
        return bad_list("status list credential: expected an object")
    types = list_credential.get("type")
    if not isinstance(types, list) or CREDENTIAL_TYPE not in types or "VerifiableCredential" not in types:
        return bad_list(f"status list credential: type must include {CREDENTIAL_TYPE}", "/type")
    if list_credential.get("id") != list_url:
        return bad_list(
            f"status list credential: id {list_credential.get('id')!r} is not "
            f"the entry's statusListCredential {list_url!r}",
            "/id",
        )
    times: dict[str, datetime | None] = {}
    for key in ("validFrom", "validUntil"):
        try:
            value = list_credential.get(key)
            times[key] = None if value is None else parse_datetime(value, field=key)
        except SkillcredError as err:
            return bad_list(err.detail, f"/{key}")
    valid_from, valid_until = times["validFrom"], times["validUntil"]
    where = outside_window(now, valid_from=valid_from, valid_until=valid_until, skew=clock_skew)
    if where == "early" and valid_from is not None:
        return bad_list(
            f"list credential: not valid before {format_datetime(valid_from)}", "/validFrom", valid_until=valid_until
        )
    if where == "late" and valid_until is not None:
        return bad_list(
            f"list credential: stale since {format_datetime(valid_until)}", "/validUntil", valid_until=valid_until
        )
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("type") != LIST_TYPE:
        return bad_list(f"credentialSubject: expected one {LIST_TYPE}", "/credentialSubject", valid_until=valid_until)
    list_purpose = subject.get("statusPurpose")
    purposes = list_purpose if isinstance(list_purpose, list) else [list_purpose]
    if purpose_s not in purposes:
        return bad_list(
            f"statusPurpose: the list is for {list_purpose!r}, the entry for {purpose_s!r}",
            "/credentialSubject/statusPurpose",
            valid_until=valid_until,
        )
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        return fail(
            Code.PARSING_ERROR,
            "encodedList: expected a string",
            "/credentialSubject/encodedList",
            list_credential=list_url,
            valid_until=valid_until,
        )
    try:
        bits = decode(encoded, min_length=min_length, max_compressed=max_compressed, max_inflated=max_inflated)
        index = parse_index(raw_index, length=bits.length)
    except SkillcredError as err:
        pointer = "/statusListIndex" if err.code is Code.RANGE_ERROR else "/credentialSubject/encodedList"
        return fail(err.code, err.detail, pointer, list_credential=list_url, valid_until=valid_until)
    return StatusResult(purpose_s, bits.get(index), (), index, list_url, valid_until, {"length": bits.length})
