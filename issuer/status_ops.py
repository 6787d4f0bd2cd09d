"""Revocation and suspension inside one registry transaction (used by :mod:`issuer.service`).

Rules (SECURITY.md issuer item 2, Bitstring Status List 1.0 section 2.1 ``statusPurpose``):
revocation is final, so a revocation bit never goes back from 1 to 0 and a revoked credential can be
neither suspended nor unsuspended (``CONFLICT``); suspension may be set and cleared. Setting a bit
that is already set is a no-op that logs nothing, so concurrent requests for the same change leave
exactly one event. The list's row is locked for the read-modify-write, so no update is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from issuer.store.records import CredentialRecord, StatusRef
from issuer.store.tx import Tx
from vccore.errors import Code, SkillcredError
from vccore.status.bitstring import StatusList

Purpose = Literal["revocation", "suspension"]
_EVENTS = {
    ("revocation", 1): "credential.revoked",
    ("suspension", 1): "credential.suspended",
    ("suspension", 0): "credential.unsuspended",
}


@dataclass(frozen=True)
class StatusChange:
    """The outcome of a status operation: ``changed`` is False when the bit already had ``value``."""

    credential_id: str
    purpose: Purpose
    value: int
    changed: bool


@dataclass(frozen=True)
class CredentialStatus:
    """The current status bits of one credential."""

    credential_id: str
    revoked: bool
    suspended: bool


def _bit(tx: Tx, ref: StatusRef, *, lock: bool) -> tuple[StatusList, int]:
    row = tx.status_list(ref.list_id, lock=lock)
    if row is None:  # the foreign keys make this a corrupted registry, not a user error
        raise RuntimeError(f"status list {ref.list_id} of an issued credential is missing")
    bits = StatusList(row.bits)
    return bits, bits.get(ref.index)


def record_or_404(tx: Tx, credential_id: str) -> CredentialRecord:
    record = tx.credential(credential_id)
    if record is None:
        raise SkillcredError(f"no credential {credential_id!r} in this registry", code=Code.NOT_FOUND)
    return record


def read_status(tx: Tx, record: CredentialRecord) -> CredentialStatus:
    return CredentialStatus(
        record.id, _bit(tx, record.revocation, lock=False)[1] == 1, _bit(tx, record.suspension, lock=False)[1] == 1
    )


def set_status(
    tx: Tx, record: CredentialRecord, purpose: Purpose, value: int, *, now: str, reason: str = ""
) -> StatusChange:
    """Set the credential's ``purpose`` bit to ``value`` under the list's row lock; one event if it
    changed. ``CONFLICT`` for clearing a revocation, or touching the suspension of a revoked one."""
    if purpose == "revocation" and value == 0:
        raise SkillcredError("revocation is final: a revoked credential cannot be reinstated", code=Code.CONFLICT)
    if purpose == "suspension" and _bit(tx, record.revocation, lock=False)[1] == 1:
        raise SkillcredError("the credential is revoked; its suspension can no longer change", code=Code.CONFLICT)
    ref = record.revocation if purpose == "revocation" else record.suspension
    bits, current = _bit(tx, ref, lock=True)
    if current == value:
        return StatusChange(record.id, purpose, value, False)
    tx.write_bits(ref.list_id, bits.set(ref.index, value).bits)
    details: dict[str, object] = {"statusList": ref.list_id, "statusListIndex": ref.index}
    if reason:
        details["reason"] = reason
    tx.append_event(_EVENTS[(purpose, value)], record.id, details, now=now)
    return StatusChange(record.id, purpose, value, True)
